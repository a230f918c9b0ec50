-- Inbound mail: every message stored raw with what it did; bounces; IMAP positions;
-- contested service records (no automatic validation while contested).

CREATE TABLE inbound_messages (
    id              BIGSERIAL PRIMARY KEY,
    -- Message-ID, or "sha256:" and the content's hash when there is none.
    dedup_key       TEXT NOT NULL,
    message_id      TEXT,
    source          TEXT NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    from_address    TEXT,
    subject         TEXT NOT NULL DEFAULT '',
    raw             BYTEA NOT NULL,
    classification  TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    detail          TEXT,
    request_id      BIGINT REFERENCES requests (id),
    person_id       BIGINT REFERENCES people (id),
    raw_erased_at   TIMESTAMPTZ,
    CONSTRAINT inbound_messages_dedup_key UNIQUE (dedup_key)
);
CREATE INDEX inbound_messages_received_idx ON inbound_messages (received_at);
CREATE INDEX inbound_messages_request_idx ON inbound_messages (request_id);

CREATE TABLE mail_bounces (
    id                   BIGSERIAL PRIMARY KEY,
    address              TEXT NOT NULL,
    status               TEXT,
    hard                 BOOLEAN NOT NULL,
    at                   TIMESTAMPTZ NOT NULL,
    inbound_message_id   BIGINT REFERENCES inbound_messages (id)
);
CREATE INDEX mail_bounces_address_idx ON mail_bounces (address, at);

CREATE TABLE imap_state (
    mailbox       TEXT PRIMARY KEY,
    uid_validity  BIGINT NOT NULL,
    last_uid      BIGINT NOT NULL
);

ALTER TABLE requests ADD COLUMN service_contested_at TIMESTAMPTZ;

-- The outbox worker claims a message until locked_until, so two processes never send it
-- at once; a claim that outlives its process simply expires.
ALTER TABLE outbox ADD COLUMN locked_until TIMESTAMPTZ;
