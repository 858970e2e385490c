-- The ledger of the test payment provider (package orders/payments). It stands
-- in for the provider's own database: orders code must not read or join it;
-- checkout learns about charges only through the provider's API.
--
-- One row per idempotency key: the unique key is what makes a retried charge
-- return the first charge instead of charging twice. The card is kept only as
-- its last four digits and expiry, which is also what a retry is compared on;
-- the full number and the CVC are never stored, not even hashed (card numbers
-- are few enough that an unkeyed hash could be reversed).
CREATE TABLE test_provider_charges (
    id              text        PRIMARY KEY,
    idempotency_key text        NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    -- Integer minor units of currency (cents); never floating point.
    amount_minor    bigint      NOT NULL CHECK (amount_minor > 0),
    currency        text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    card_last4      text        NOT NULL CHECK (card_last4 ~ '^[0-9]{4}$'),
    card_exp_month  smallint    NOT NULL CHECK (card_exp_month BETWEEN 1 AND 12),
    card_exp_year   smallint    NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('SUCCEEDED', 'DECLINED', 'INSUFFICIENT_FUNDS')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    refunded_at     timestamptz,
    -- Only money that was taken can be given back.
    CHECK (refunded_at IS NULL OR outcome = 'SUCCEEDED')
);
