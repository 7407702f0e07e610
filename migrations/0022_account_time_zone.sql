-- The time zone an account reads instants in on pages (an IANA name);
-- NULL: the organisation's.

ALTER TABLE accounts ADD COLUMN time_zone TEXT;
