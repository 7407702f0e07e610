-- Portable SQL run on SQLite and PostgreSQL alike. Instants are microseconds
-- since the Unix epoch; booleans are 0/1; BLOB becomes BYTEA on PostgreSQL.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'delegate')),
    password_hash TEXT,
    totp_secret TEXT,
    -- The last TOTP time step accepted: a code is accepted once.
    totp_last_step BIGINT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE setup_links (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    affected_versions TEXT NOT NULL,
    unaffected_versions TEXT NOT NULL,
    reporter_name TEXT,
    reporter_email TEXT,
    github TEXT,
    credit_consent BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('new', 'triaging', 'accepted', 'duplicate', 'invalid', 'out-of-scope')),
    status_reason TEXT NOT NULL DEFAULT '',
    assignee_id TEXT REFERENCES accounts (id),
    source TEXT NOT NULL CHECK (source IN ('web', 'api', 'mail')),
    encrypted BIGINT NOT NULL DEFAULT 0,
    -- Message-ID of the mail that opened the report, for retries and threading.
    origin_message_id TEXT UNIQUE,
    tracking_hash TEXT NOT NULL UNIQUE,
    reply_tag TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    first_response_at BIGINT
);
CREATE INDEX reports_by_status ON reports (status, created_at);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    mail_message_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_by_report ON messages (report_id, created_at);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    message_id TEXT REFERENCES messages (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_by_report ON attachments (report_id);

-- Message-IDs of mail we sent about a report, so replies thread by In-Reply-To.
CREATE TABLE sent_mail (
    mail_message_id TEXT PRIMARY KEY,
    report_id TEXT REFERENCES reports (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    locked_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    ip TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- One row: the end of the chain. Appends update it first, which serialises
-- concurrent appenders on its row lock.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
