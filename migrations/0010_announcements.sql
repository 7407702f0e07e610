-- Announcements of embargoed advisories to the list, and one delivery per
-- recipient (issue 8). Deliveries are written in the announcement's
-- transaction together with one job each, so a crash loses nobody.
CREATE TABLE announcements (
    id TEXT PRIMARY KEY,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    recipients BIGINT NOT NULL
);
CREATE INDEX announcements_by_advisory ON announcements (advisory_id, created_at);

-- kind: 'encrypted' (to the contact's current key) or 'notice' (no usable
-- key: a clear-text notice with a link, nothing of the advisory).
-- message_id: stable per delivery, so a resend after a crash is the same
-- message. answer: the last SMTP answer or error.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    announcement_id TEXT NOT NULL REFERENCES announcements (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    email TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('encrypted', 'notice')),
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'bounced', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    answer TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (announcement_id, account_id)
);
CREATE INDEX deliveries_by_account ON deliveries (account_id);
