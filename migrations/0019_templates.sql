-- Mail templates as the team edits them (issue 10): every version of every
-- template and language kept. The newest row per (name, lang) is current;
-- a row without subject and text means "the built-in text" (a reset, or a
-- revert to one). Versions count from 1 per (name, lang).
CREATE TABLE template_versions (
    name TEXT NOT NULL,
    lang TEXT NOT NULL,
    version BIGINT NOT NULL,
    subject TEXT,
    body_text TEXT,
    body_html TEXT,
    action TEXT NOT NULL CHECK (action IN ('edit', 'revert', 'reset')),
    reverted_to BIGINT,
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (name, lang, version)
);

-- The language mail to a person is written in; NULL: the organisation's.
ALTER TABLE accounts ADD COLUMN language TEXT;
ALTER TABLE reports ADD COLUMN language TEXT;
-- The custom template versions current when the announcement was made
-- (JSON: {name: {lang: version}}), so every copy uses the text of that
-- moment; and each delivery's language.
ALTER TABLE announcements ADD COLUMN templates TEXT;
ALTER TABLE deliveries ADD COLUMN lang TEXT;
