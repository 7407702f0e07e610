-- Mail that arrived OpenPGP-encrypted (issue 8): the encrypted part as it
-- came, kept beside the plaintext stored in the report (message_id NULL:
-- the mail that opened it) or in one message of its thread.
-- kind: 'pgp_mime' (RFC 3156) or 'inline' (an armored block in the text).
-- fingerprint: the list key that decrypted it; NULL when it was not
-- decrypted, and then reason says why and the report or message holds
-- the mail's text as it came.
CREATE TABLE ciphertexts (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    message_id TEXT REFERENCES messages (id),
    kind TEXT NOT NULL CHECK (kind IN ('pgp_mime', 'inline')),
    fingerprint TEXT,
    reason TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ciphertexts_by_report ON ciphertexts (report_id);
