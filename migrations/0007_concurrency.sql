-- Constraints that keep racing requests honest on both engines.

-- One current key per contact. Older races may have left several current:
-- the newest stays current, the others count as replaced when it came.
UPDATE contact_keys SET replaced_at = (
    SELECT MAX(k2.uploaded_at) FROM contact_keys k2
    WHERE k2.account_id = contact_keys.account_id AND k2.replaced_at IS NULL
)
WHERE replaced_at IS NULL AND EXISTS (
    SELECT 1 FROM contact_keys k2
    WHERE k2.account_id = contact_keys.account_id AND k2.replaced_at IS NULL
    AND (k2.uploaded_at > contact_keys.uploaded_at
         OR (k2.uploaded_at = contact_keys.uploaded_at AND k2.id > contact_keys.id))
);
CREATE UNIQUE INDEX contact_keys_one_current ON contact_keys (account_id) WHERE replaced_at IS NULL;

-- One stored message per inbound Message-ID. A duplicate stored before this
-- index keeps its text but loses the id; the first one keeps it.
UPDATE messages SET mail_message_id = NULL
WHERE mail_message_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM messages m2
    WHERE m2.mail_message_id = messages.mail_message_id
    AND (m2.created_at < messages.created_at
         OR (m2.created_at = messages.created_at AND m2.id < messages.id))
);
CREATE UNIQUE INDEX messages_one_per_mail ON messages (mail_message_id) WHERE mail_message_id IS NOT NULL;

-- Numbers handed out one at a time: taking one is an UPDATE of its row,
-- which queues concurrent takers on both engines where MAX() + 1 let two
-- take the same number and one of them fail on the primary key.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) SELECT 'criteria_versions', COALESCE(MAX(version), 0) FROM criteria_versions;
INSERT INTO counters (name, value) SELECT 'policy_versions', COALESCE(MAX(version), 0) FROM policy_versions;
