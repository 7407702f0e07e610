-- Contacts' OpenPGP certificates: one current per account, older ones kept.

CREATE TABLE contact_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    fingerprint TEXT NOT NULL,
    encryption_subkey TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    armored TEXT NOT NULL,
    expires_at BIGINT,
    uploaded_at BIGINT NOT NULL,
    replaced_at BIGINT
);
CREATE INDEX contact_keys_by_account ON contact_keys (account_id, replaced_at);
