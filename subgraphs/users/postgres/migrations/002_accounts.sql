-- Sign-in, sessions, addresses and password resets.

-- A NULL hash is an account that cannot sign in until its owner resets the
-- password (most demo users: hashing 500 passwords would make seeding slow).
ALTER TABLE users
    ADD COLUMN password_hash text,
    ADD COLUMN updated_at    timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT users_email_length CHECK (length(email) <= 254),
    ADD CONSTRAINT users_name_length CHECK (length(name) <= 100);

-- A session is one sign-in on one device: a family of refresh tokens, each
-- replaced by the next on use. Revoking the session ends every token of it.
CREATE TABLE sessions (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        bigint      NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- The family's absolute lifetime: refreshing never extends a session past it.
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text CHECK (revoked_reason IN ('SIGN_OUT', 'PASSWORD_CHANGED', 'PASSWORD_RESET', 'TOKEN_REUSED'))
);
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE revoked_at IS NULL;

-- Refresh tokens are stored as SHA-256 digests: a database leak gives no
-- usable token. used_at marks a token that was already exchanged, so a second
-- use is detected as reuse.
CREATE TABLE refresh_tokens (
    digest     bytea       PRIMARY KEY CHECK (length(digest) = 32),
    session_id uuid        NOT NULL REFERENCES sessions ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Single-use, expiring password-reset tokens, also stored as digests.
CREATE TABLE password_resets (
    digest     bytea       PRIMARY KEY CHECK (length(digest) = 32),
    user_id    bigint      NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Messages to send (a password-reset link), written in the same transaction as
-- what they announce and delivered by a worker. The body is cleared once the
-- message is delivered, so that no reset token stays at rest.
CREATE TABLE outbox (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('PASSWORD_RESET')),
    recipient    text        NOT NULL,
    body         jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    attempts     int         NOT NULL DEFAULT 0,
    delivered_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;

CREATE TABLE addresses (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id             bigint      NOT NULL REFERENCES users ON DELETE CASCADE,
    name                text        NOT NULL CHECK (name <> ''),
    line1               text        NOT NULL CHECK (line1 <> ''),
    line2               text,
    city                text        NOT NULL CHECK (city <> ''),
    region              text,
    postal_code         text        NOT NULL,
    country             text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    phone               text,
    is_default_shipping boolean     NOT NULL DEFAULT false,
    is_default_billing  boolean     NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_user ON addresses (user_id, id);
-- At most one default of each kind per user, whatever runs concurrently.
CREATE UNIQUE INDEX addresses_default_shipping ON addresses (user_id) WHERE is_default_shipping;
CREATE UNIQUE INDEX addresses_default_billing ON addresses (user_id) WHERE is_default_billing;

-- A development signing key, generated on first start when no key is
-- configured, so that tokens survive restarts. Production configures keys and
-- leaves this table empty.
CREATE TABLE dev_signing_keys (
    id         int         PRIMARY KEY CHECK (id = 1),
    pem        text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
