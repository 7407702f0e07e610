-- The distribution list: criteria, applications, vouches, members, their
-- contacts, and the list policy with its acceptances.

CREATE TABLE criteria_versions (
    version BIGINT PRIMARY KEY,
    items TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    organization TEXT NOT NULL,
    website TEXT NOT NULL,
    security_alias TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'removed')),
    application_id TEXT,
    joined_at BIGINT NOT NULL,
    removed_at BIGINT,
    removal_reason TEXT NOT NULL DEFAULT ''
);

-- A member's contact people are accounts with role 'member'.
CREATE TABLE member_contacts (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    name TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE INDEX member_contacts_by_member ON member_contacts (member_id);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    organization TEXT NOT NULL,
    website TEXT NOT NULL,
    security_alias TEXT NOT NULL,
    criteria_version BIGINT NOT NULL,
    answers TEXT NOT NULL,
    contacts TEXT NOT NULL,
    voucher_member_id TEXT NOT NULL REFERENCES members (id),
    status TEXT NOT NULL CHECK (status IN ('awaiting_confirmation', 'in_review', 'approved', 'rejected', 'expired')),
    status_hash TEXT NOT NULL UNIQUE,
    confirm_hash TEXT NOT NULL UNIQUE,
    confirmed_at BIGINT,
    expires_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    decision_reason TEXT NOT NULL DEFAULT '',
    member_id TEXT REFERENCES members (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX applications_by_status ON applications (status, created_at);

CREATE TABLE vouches (
    application_id TEXT NOT NULL REFERENCES applications (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    vouched BIGINT NOT NULL,
    statement TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (application_id, account_id)
);

CREATE TABLE policy_versions (
    version BIGINT PRIMARY KEY,
    text TEXT NOT NULL,
    actor TEXT NOT NULL,
    published_at BIGINT NOT NULL
);

CREATE TABLE policy_acceptances (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    version BIGINT NOT NULL REFERENCES policy_versions (version),
    accepted_at BIGINT NOT NULL,
    -- 'accepted' in embargo, or 'attested' by an admin for an imported contact.
    how TEXT NOT NULL,
    PRIMARY KEY (account_id, version)
);
