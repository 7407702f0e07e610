-- Contributing back (issue 9): members' test reports on embargoed
-- advisories, with their attachments (a patch, a log), and tasks with a
-- primary and a backup member.
CREATE TABLE test_reports (
    id TEXT PRIMARY KEY,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    author TEXT NOT NULL REFERENCES accounts (id),
    result TEXT NOT NULL CHECK (result IN ('works', 'problems', 'not_applicable')),
    tested TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL CHECK (visibility IN ('admins', 'members')),
    created_at BIGINT NOT NULL
);
CREATE INDEX test_reports_by_advisory ON test_reports (advisory_id, created_at);
CREATE INDEX test_reports_by_member ON test_reports (member_id, created_at);

-- Numbered from 0 in the order sent; the download path names the number.
CREATE TABLE test_report_attachments (
    test_report_id TEXT NOT NULL REFERENCES test_reports (id),
    position BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (test_report_id, position)
);

-- `missed_at` is set when the due instant passed with the task not done
-- (it counts against the primary); `done_member` is the member credited.
CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    kind TEXT NOT NULL CHECK (kind IN ('review_patch', 'test_platform', 'draft_disclosure_mail', 'draft_release_notes', 'other')),
    title TEXT NOT NULL,
    primary_member TEXT NOT NULL REFERENCES members (id),
    backup_member TEXT NOT NULL REFERENCES members (id),
    due_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'handed_over', 'done')),
    created_by TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    missed_at BIGINT,
    done_by TEXT REFERENCES accounts (id),
    done_member TEXT REFERENCES members (id),
    done_at BIGINT,
    notes TEXT NOT NULL DEFAULT '',
    draft TEXT NOT NULL DEFAULT '',
    draft_at BIGINT,
    draft_applied_at BIGINT,
    draft_applied_revision BIGINT
);
CREATE INDEX tasks_by_advisory ON tasks (advisory_id, created_at);
CREATE INDEX tasks_by_primary ON tasks (primary_member);
CREATE INDEX tasks_by_backup ON tasks (backup_member);
CREATE INDEX tasks_by_done_member ON tasks (done_member);
