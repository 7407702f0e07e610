-- The advisories made from a report: its admin page lists them and the
-- reporter's tracking page shows the one they are told about.

CREATE INDEX advisories_by_report ON advisories (report_id, created_at);
