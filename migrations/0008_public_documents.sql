-- Public documents rendered once, when an advisory is published, corrected
-- or withdrawn, and served as stored (issue 7: reads at scale).
-- kind: 'html' (the page's article, wrapped in the layout per request),
-- 'osv' or 'csaf'. path: for 'csaf', the directory path YEAR/FILE.json of
-- section 7.1.11; NULL otherwise. title: the HTML page's title.
CREATE TABLE public_documents (
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    kind TEXT NOT NULL CHECK (kind IN ('html', 'osv', 'csaf')),
    path TEXT,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (advisory_id, kind)
);
CREATE UNIQUE INDEX public_documents_by_path ON public_documents (path);

-- Bounded, newest-first pages: keyset on (created_at, id) and
-- (published_at, id).
CREATE INDEX reports_by_created ON reports (created_at, id);
CREATE INDEX advisories_by_created ON advisories (created_at, id);
CREATE INDEX advisories_by_published ON advisories (published_at, id);
