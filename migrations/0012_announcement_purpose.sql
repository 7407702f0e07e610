-- What an announcement is: the advisory itself, or a follow-up to everyone
-- who got it when its embargo moves or lifts (issue 8).
ALTER TABLE announcements ADD COLUMN purpose TEXT NOT NULL DEFAULT 'advisory'
    CHECK (purpose IN ('advisory', 'embargo_changed', 'embargo_lifted'));
