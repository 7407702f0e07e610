-- Need-to-know shares (issue 8): a cleared member contact lets one
-- colleague, a delegate account, read one embargoed advisory.
CREATE TABLE shares (
    id TEXT PRIMARY KEY,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    shared_by TEXT NOT NULL REFERENCES accounts (id),
    delegate_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at BIGINT,
    revoked_by TEXT
);
CREATE INDEX shares_by_delegate ON shares (delegate_id, revoked_at);
CREATE INDEX shares_by_advisory ON shares (advisory_id, created_at);
