-- Each index of `jobs` costs every new job a B-tree write, and intake
-- queues two mail jobs a report inside its write turn. Lease expiry and
-- pruning only look at running and finished jobs, so their indexes now
-- hold only those; a queued job enters them when it changes state, outside
-- intake. Due jobs are found per lane through `jobs_claim`.

DROP INDEX jobs_due;
DROP INDEX jobs_lease;
DROP INDEX jobs_finished;
CREATE INDEX jobs_lease ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state = 'done';
