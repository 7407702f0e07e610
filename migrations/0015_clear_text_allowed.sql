-- Clear text for a member contact (issue 8): an admin may allow a contact
-- without a usable OpenPGP key to receive embargoed advisories unencrypted
-- (signed by the list key). Allowed when clear_text_at is set; who allowed
-- it (an audit actor), when, and why (required) are kept with it. Allowing
-- and withdrawing are audit events, so the history is in the audit log;
-- a withdrawal clears the three columns.
ALTER TABLE member_contacts ADD COLUMN clear_text_by TEXT;
ALTER TABLE member_contacts ADD COLUMN clear_text_at BIGINT;
ALTER TABLE member_contacts ADD COLUMN clear_text_reason TEXT NOT NULL DEFAULT '';

-- Deliveries of kind 'clear' (the advisory signed, not encrypted), with the
-- allowance as it stood when the announcement was made, so the record
-- says why even after the allowance is withdrawn. SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt (the same way on
-- both engines); nothing references deliveries.
CREATE TABLE deliveries_new (
    id TEXT PRIMARY KEY,
    announcement_id TEXT NOT NULL REFERENCES announcements (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    email TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('encrypted', 'notice', 'clear')),
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'bounced', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    answer TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    clear_text_by TEXT,
    clear_text_at BIGINT,
    clear_text_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (announcement_id, account_id)
);
INSERT INTO deliveries_new (id, announcement_id, account_id, member_id, email, kind, state, attempts, answer, message_id, updated_at)
    SELECT id, announcement_id, account_id, member_id, email, kind, state, attempts, answer, message_id, updated_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_by_account ON deliveries (account_id);
