-- `/metrics` counts jobs and deliveries by state at scrape time: with
-- these, each count reads a narrow index instead of every row (a finished
-- job's payload included).

CREATE INDEX jobs_by_lane_state_kind ON jobs (lane, state, kind);
CREATE INDEX deliveries_by_state ON deliveries (state);
