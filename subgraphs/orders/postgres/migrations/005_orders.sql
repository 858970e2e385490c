-- Orders. A checkout creates its order PENDING before it charges anything, so
-- that every step after is recorded against it; idempotency_key makes a retried
-- checkout find its order instead of making a second one.
CREATE SEQUENCE order_numbers START 100001;

CREATE TABLE orders (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Shown to people: SG-100001.
    number           bigint      NOT NULL UNIQUE DEFAULT nextval('order_numbers'),
    user_id          bigint,
    email            text        NOT NULL,
    cart_id          uuid,
    idempotency_key  text        NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    status           text        NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'PAID', 'FULFILLED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED')),
    payment_status   text        NOT NULL DEFAULT 'PENDING'
        CHECK (payment_status IN ('PENDING', 'PAID', 'FAILED', 'REFUNDED')),
    currency         text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    subtotal_minor   bigint      NOT NULL CHECK (subtotal_minor >= 0),
    shipping_minor   bigint      NOT NULL CHECK (shipping_minor >= 0),
    tax_minor        bigint      NOT NULL CHECK (tax_minor >= 0),
    total_minor      bigint      NOT NULL CHECK (total_minor = subtotal_minor + shipping_minor + tax_minor),
    shipping_method  text        NOT NULL CHECK (shipping_method IN ('STANDARD', 'EXPRESS')),
    shipping_address jsonb       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- A user's orders, newest first.
CREATE INDEX orders_user_newest ON orders (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL;

-- What was bought, as it was when bought: the catalog may change or drop the
-- variant later.
CREATE TABLE order_lines (
    order_id         uuid    NOT NULL REFERENCES orders ON DELETE CASCADE,
    position         integer NOT NULL,
    variant_id       bigint  NOT NULL,
    product_name     text    NOT NULL,
    variant_name     text    NOT NULL,
    sku              text    NOT NULL,
    unit_price_minor bigint  NOT NULL CHECK (unit_price_minor >= 0),
    quantity         integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, position)
);

-- The timeline: every status change, who made it and when.
CREATE TABLE order_events (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id   uuid        NOT NULL REFERENCES orders ON DELETE CASCADE,
    status     text        NOT NULL,
    actor      text        NOT NULL CHECK (actor IN ('SYSTEM', 'CUSTOMER', 'ADMIN')),
    note       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order ON order_events (order_id, id);
