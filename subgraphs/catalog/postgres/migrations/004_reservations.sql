-- Stock reservations for checkout: the orders service holds units of variants for an
-- order until it is paid (committed) or fails (released); holds never committed
-- expire. A header per order carries the state and the expiry, one line per variant
-- the quantity. product_variants.stock_reserved is the sum of the lines of the
-- reservations still 'reserved'; the code keeps both in step in one transaction.
CREATE TABLE stock_reservations (
    -- The orders service's id for the order: the key that makes reserving idempotent.
    order_id   text        PRIMARY KEY CHECK (order_id <> '' AND octet_length(order_id) <= 128),
    -- 'reserved' is the only state that holds stock; the others are final.
    status     text        NOT NULL DEFAULT 'reserved'
                           CHECK (status IN ('reserved', 'committed', 'released', 'expired')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- The expiry sweep reads only live reservations, oldest expiry first.
CREATE INDEX stock_reservations_expiry_idx ON stock_reservations (expires_at) WHERE status = 'reserved';

CREATE TABLE stock_reservation_lines (
    order_id   text    NOT NULL REFERENCES stock_reservations (order_id) ON DELETE CASCADE,
    variant_id bigint  NOT NULL REFERENCES product_variants (id),
    quantity   integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, variant_id)
);
-- For the foreign key: deleting a variant must find its reservation lines quickly.
CREATE INDEX stock_reservation_lines_variant_idx ON stock_reservation_lines (variant_id);
