-- The GitHub mirror (issue 13): an advisory linked to a repository, and
-- what embargo last sent there. `generation` grows with every change that
-- asks for a sync, so only the newest sync job acts; `busy_until` lets one
-- sync at a time talk to GitHub for an advisory (so a draft is made once).
CREATE TABLE github_mirrors (
    advisory_id TEXT PRIMARY KEY REFERENCES advisories (id),
    repository TEXT NOT NULL,
    ghsa_id TEXT,
    html_url TEXT,
    generation BIGINT NOT NULL DEFAULT 0,
    busy_until BIGINT,
    synced_digest TEXT,
    synced_state TEXT,
    synced_at BIGINT,
    last_error TEXT,
    failing_since BIGINT,
    cve_requested_at BIGINT,
    cve_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
