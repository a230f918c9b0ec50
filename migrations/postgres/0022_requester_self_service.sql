-- Issue 19, requesters' self-service.

-- A requester may ask to be told when their request is offered to an interpreter (off
-- unless they turn it on, on their profile page).
ALTER TABLE requester_profiles ADD COLUMN notify_when_offered BOOLEAN NOT NULL DEFAULT FALSE;

-- A change of a person's own email address waits until the link mailed to the new address
-- is followed: one row per change asked. Like account_tokens, the secret itself is derived
-- from the signing key and the nonce when the mail is rendered; only its keyed hash is
-- kept. The old address is kept to tell it of the change.
CREATE TABLE email_changes (
    id           BIGSERIAL PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES people (id),
    old_email    TEXT NOT NULL,
    new_email    TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);
CREATE INDEX email_changes_hash_idx ON email_changes (secret_hash);
CREATE INDEX email_changes_person_idx ON email_changes (person_id, used_at);
