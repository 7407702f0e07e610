-- Leaks (issue 9): what leaked and to whom, as the policy asks; the
-- retrospective with its actions and comments; a withdrawn record (an
-- admin's decision, with a reason) does not count as a strike.
CREATE TABLE leaks (
    id TEXT PRIMARY KEY,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    reported_by TEXT NOT NULL REFERENCES accounts (id),
    what TEXT NOT NULL,
    to_whom TEXT NOT NULL,
    leaked_when TEXT NOT NULL DEFAULT '',
    how_found TEXT NOT NULL DEFAULT '',
    containment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'withdrawn')),
    decided_by TEXT,
    decided_at BIGINT,
    withdrawn_reason TEXT NOT NULL DEFAULT '',
    findings TEXT NOT NULL DEFAULT '',
    root_cause TEXT NOT NULL DEFAULT '',
    retrospective_at BIGINT
);
CREATE INDEX leaks_by_member ON leaks (member_id, created_at);
CREATE INDEX leaks_by_advisory ON leaks (advisory_id, created_at);

-- state: 'open', 'done', or 'dropped' (with a reason).
CREATE TABLE leak_actions (
    leak_id TEXT NOT NULL REFERENCES leaks (id),
    position BIGINT NOT NULL,
    what TEXT NOT NULL,
    owner TEXT NOT NULL,
    due TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('open', 'done', 'dropped')),
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (leak_id, position)
);

CREATE TABLE leak_comments (
    id TEXT PRIMARY KEY,
    leak_id TEXT NOT NULL REFERENCES leaks (id),
    author TEXT NOT NULL REFERENCES accounts (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX leak_comments_by_leak ON leak_comments (leak_id, created_at);

-- When the admins were last sent a removal proposal for a member, so a
-- third leak does not send the same proposal again.
CREATE TABLE leak_removal_proposals (
    member_id TEXT PRIMARY KEY REFERENCES members (id),
    proposed_at BIGINT NOT NULL,
    strikes BIGINT NOT NULL
);
