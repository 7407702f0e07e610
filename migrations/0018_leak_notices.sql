-- Telling the list of a leak (issue 9): an announcement of purpose
-- 'leak_notice' goes to everyone an advisory was announced to. The purpose
-- CHECK gains the value: PostgreSQL changes the constraint in place;
-- SQLite cannot, so the table is rebuilt with foreign keys off (see
-- REBUILDS in src/db/migrate.rs), its rows and ids unchanged.
/*postgres*/ ALTER TABLE announcements DROP CONSTRAINT announcements_purpose_check;
/*postgres*/ ALTER TABLE announcements ADD CONSTRAINT announcements_purpose_check
    CHECK (purpose IN ('advisory', 'embargo_changed', 'embargo_lifted', 'leak_notice'));
/*sqlite*/ CREATE TABLE announcements_rebuilt (
    id TEXT PRIMARY KEY,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    recipients BIGINT NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'advisory'
        CHECK (purpose IN ('advisory', 'embargo_changed', 'embargo_lifted', 'leak_notice'))
);
/*sqlite*/ INSERT INTO announcements_rebuilt (id, advisory_id, note, created_by, created_at, recipients, purpose)
    SELECT id, advisory_id, note, created_by, created_at, recipients, purpose FROM announcements;
/*sqlite*/ DROP TABLE announcements;
/*sqlite*/ ALTER TABLE announcements_rebuilt RENAME TO announcements;
/*sqlite*/ CREATE INDEX announcements_by_advisory ON announcements (advisory_id, created_at);
