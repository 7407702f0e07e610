-- The key of a certificate that mail is encrypted to, as its own OpenPGP
-- packet, written when the certificate is stored: a fan-out reads it
-- instead of parsing every recipient's whole certificate. Certificates
-- stored before have none and are parsed as before.

ALTER TABLE contact_keys ADD COLUMN encryption_key BLOB;
