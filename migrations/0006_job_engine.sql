-- The job engine: lanes with their own workers, and lease tokens so that a
-- runner whose lease ran out cannot undo another runner's result.
ALTER TABLE jobs ADD COLUMN lane TEXT NOT NULL DEFAULT 'mail' CHECK (lane IN ('critical', 'mail', 'background'));
ALTER TABLE jobs ADD COLUMN lease_token TEXT;
UPDATE jobs SET lane = 'critical' WHERE kind = 'lift_embargo';
UPDATE jobs SET lane = 'background' WHERE kind IN ('expire_application', 'liveness_sweep', 'key_expiry_reminder');
-- Claiming reads one lane's due jobs in run_at order straight off this index.
CREATE INDEX jobs_claim ON jobs (lane, state, run_at);
-- Finding runners' expired leases, and pruning finished jobs.
CREATE INDEX jobs_lease ON jobs (state, locked_until);
CREATE INDEX jobs_finished ON jobs (state, updated_at);
