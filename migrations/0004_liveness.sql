-- Liveness of members' security aliases, and periodic member reviews.

-- A ping to a member's security alias. Its confirm link is a capability:
-- only the hash is kept. A ping not answered by due_at is overdue.
CREATE TABLE alias_pings (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    -- 1, 2, 3, ... per member: of two sweeps racing, one inserts the ping.
    seq BIGINT NOT NULL,
    -- The address pinged.
    alias TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    sent_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    answered_at BIGINT,
    UNIQUE (member_id, seq)
);

-- An admin's periodic review of a member and its outcome.
CREATE TABLE member_reviews (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('keep', 'remove')),
    notes TEXT NOT NULL
);
CREATE INDEX member_reviews_by_member ON member_reviews (member_id, at);

-- Admins were told that a member's review is due: once per due instant.
CREATE TABLE review_notices (
    member_id TEXT NOT NULL REFERENCES members (id),
    due_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, due_at)
);
