-- Checkout as a durable saga. An order row is written before any step is taken
-- and records the step it is about to take (the step column is the outbox):
--
--   RESERVING    the order is recorded; stock is to be reserved in the catalog
--   CHARGING     stock is reserved; the card is to be charged (key: the order id)
--   COMMITTING   the charge succeeded; the reservation is to be committed
--   COMPENSATING the checkout failed; stock is to be released, a charge refunded
--   RETURNING    a placed order was cancelled or refunded; the charge is to be
--                refunded and, when restock is set, its stock put back
--   DONE         nothing is left to do
--
-- Whoever works on an unfinished order (the checkout request, a retry with the
-- same key, or a recovery worker on any replica) holds its lease: lease_token
-- names the holder and lease_until bounds it, and every step is written only
-- by the holder. An expired lease is taken over with SELECT ... FOR UPDATE
-- SKIP LOCKED, so that no two workers run one order's steps.
ALTER TABLE orders
    ADD COLUMN step        text        NOT NULL DEFAULT 'DONE'
        CHECK (step IN ('RESERVING', 'CHARGING', 'COMMITTING', 'COMPENSATING', 'RETURNING', 'DONE')),
    ADD COLUMN lease_token text,
    ADD COLUMN lease_until timestamptz NOT NULL DEFAULT now(),
    -- The payment provider's id of the successful charge.
    ADD COLUMN charge_id   text,
    -- Why a checkout failed: {"code", "message", "lines": [...]}; a retry with
    -- the same idempotency key gets the same answer.
    ADD COLUMN failure     jsonb,
    -- RETURNING puts the order's units back on hand (cancelled before shipping).
    ADD COLUMN restock     boolean     NOT NULL DEFAULT false,
    -- Set when a checkout was given up while its charge could still be in flight:
    -- after this time recovery asks the provider once more and refunds a late
    -- charge, so that no payment outlives its order.
    ADD COLUMN recheck_payment_at timestamptz;

-- Orders are numbered when they are placed (paid), not when a checkout starts,
-- so that failed checkouts leave no gaps in the numbers people see.
ALTER TABLE orders ALTER COLUMN number DROP NOT NULL, ALTER COLUMN number DROP DEFAULT;
ALTER TABLE orders ADD CONSTRAINT orders_placed_have_numbers
    CHECK (number IS NOT NULL OR payment_status IN ('PENDING', 'FAILED'));

-- Recovery's scan: unfinished orders by lease expiry.
CREATE INDEX orders_unfinished ON orders (lease_until) WHERE step <> 'DONE';
CREATE INDEX orders_payment_rechecks ON orders (recheck_payment_at) WHERE recheck_payment_at IS NOT NULL;
