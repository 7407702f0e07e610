-- An embargoed advisory's audience (DESIGN rule 3, need-to-know): the
-- member organisations chosen in its announcements. Only their cleared
-- contacts read it; follow-ups (embargo moved or lifted) add nobody. One
-- row per member: the announcement that first chose it, and when.
CREATE TABLE audience_members (
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    announcement_id TEXT NOT NULL REFERENCES announcements (id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (advisory_id, member_id)
);
-- A member's list of what it may read starts from the member.
CREATE INDEX audience_members_by_member ON audience_members (member_id, advisory_id);
-- Announcements made before the audience was recorded: the members their
-- deliveries went to, each from the first announcement that reached it.
-- (A member chosen then without a cleared contact left no trace.)
INSERT INTO audience_members (advisory_id, member_id, announcement_id, added_at)
SELECT DISTINCT an.advisory_id, d.member_id, an.id, an.created_at
FROM announcements an
JOIN deliveries d ON d.announcement_id = an.id
WHERE an.purpose = 'advisory'
AND NOT EXISTS (
    SELECT 1 FROM announcements e
    JOIN deliveries f ON f.announcement_id = e.id
    WHERE e.advisory_id = an.advisory_id AND f.member_id = d.member_id AND e.purpose = 'advisory'
    AND (e.created_at < an.created_at OR (e.created_at = an.created_at AND e.id < an.id))
);
