-- The row `/healthz` writes to: a database that answers but refuses writes
-- (full disk, read-only) is reported as not ready.
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at BIGINT NOT NULL
);
INSERT INTO health_probe (id, at) VALUES (1, 0);
