-- Carts. A guest cart is addressed by its id alone, so the id is a random UUID
-- (122 random bits: not guessable); a user has at most one cart.
CREATE TABLE carts (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX carts_user_key ON carts (user_id) WHERE user_id IS NOT NULL;

-- One line per variant. seen_price_minor is the catalog's price when the
-- shopper last added or changed the line, so that the cart can warn when the
-- price has changed since; what the cart costs is always the catalog's
-- current price, never this.
CREATE TABLE cart_lines (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cart_id          uuid        NOT NULL REFERENCES carts ON DELETE CASCADE,
    variant_id       bigint      NOT NULL,
    quantity         integer     NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    seen_price_minor bigint      NOT NULL CHECK (seen_price_minor >= 0),
    currency         text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cart_id, variant_id)
);
