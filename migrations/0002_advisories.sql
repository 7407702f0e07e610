-- Advisories, their edit history, the embargo's history and public versions.

CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'embargoed', 'published', 'withdrawn')),
    -- OSV-shaped JSON (domain::advisory::Content).
    content TEXT NOT NULL,
    report_id TEXT REFERENCES reports (id),
    embargo_until BIGINT,
    embargo_zone TEXT,
    first_distributed_at BIGINT,
    published_at BIGINT,
    withdrawn_at BIGINT,
    withdrawn_reason TEXT NOT NULL DEFAULT '',
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX advisories_by_state ON advisories (state, published_at);

-- The next advisory number per year.
CREATE TABLE advisory_counters (
    year BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

-- Every version of the content: who, when, why, what changed.
CREATE TABLE advisory_revisions (
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    revision BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (advisory_id, revision)
);

-- Every setting or move of the embargo.
CREATE TABLE embargo_changes (
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    until_at BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    reason TEXT NOT NULL,
    override_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX embargo_changes_by_advisory ON embargo_changes (advisory_id, at);

-- Public versions (CSAF revision history): publication, corrections, withdrawal.
CREATE TABLE publications (
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    number BIGINT NOT NULL,
    at BIGINT NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (advisory_id, number)
);

-- Patches attached to an advisory: private until it is published.
CREATE TABLE advisory_patches (
    id TEXT PRIMARY KEY,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    actor TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX advisory_patches_by_advisory ON advisory_patches (advisory_id);
