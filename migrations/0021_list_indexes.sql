-- The admin lists read a page at a time, newest first, by (instant, id):
-- these indexes let each page be read off an index instead of sorting the
-- whole table (reports and advisories have theirs since 0008).

CREATE INDEX jobs_by_created ON jobs (created_at, id);
CREATE INDEX members_by_joined ON members (joined_at, id);
CREATE INDEX applications_by_created ON applications (created_at, id);
CREATE INDEX leaks_by_created ON leaks (created_at, id);
