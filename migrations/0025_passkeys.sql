-- Passkeys (WebAuthn credentials), the ceremonies that make and use them.

-- One row per credential. `passkey` is webauthn-rs's `Passkey` as JSON
-- (the public key, its algorithm and the signature counter); nothing in it
-- is secret. `user_handle` is the WebAuthn user handle (a UUID) the
-- authenticator keeps with the credential: one per account, the same on
-- every row of that account.
CREATE TABLE passkeys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    credential_id TEXT NOT NULL UNIQUE,
    user_handle TEXT NOT NULL,
    name TEXT NOT NULL,
    passkey TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE INDEX passkeys_by_account ON passkeys (account_id);

-- A ceremony between its two requests: the challenge the browser's answer
-- must sign, kept here (not in the browser) for a few minutes and taken
-- once. `token_hash` is the SHA-256 of the secret the page holds;
-- `account_id` is the account registering, or the one whose password was
-- right for a second factor (NULL for a passkey sign-in).
CREATE TABLE webauthn_ceremonies (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('register', 'sign_in', 'second_factor')),
    account_id TEXT REFERENCES accounts (id),
    state TEXT NOT NULL,
    next_path TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL
);

CREATE INDEX webauthn_ceremonies_by_expiry ON webauthn_ceremonies (expires_at);

-- TOTP recovery codes: each a SHA-256 under the account's id (see
-- domain/recovery.rs), usable once. New codes replace all of an account's.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- What one's list of sessions shows: when each was last used (to five
-- minutes), and the browser and address that last used it.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
