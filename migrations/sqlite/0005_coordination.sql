-- Coordination: scheduled work records each slot it ran (one run per slot across every
-- process), offers remember their reminder, and requests the reminders sent about them.

CREATE TABLE scheduled_runs (
    job     TEXT NOT NULL,
    slot    TEXT NOT NULL,
    ran_at  TEXT NOT NULL,
    PRIMARY KEY (job, slot)
);

ALTER TABLE offers ADD COLUMN reminded_at TEXT;
CREATE INDEX offers_pending_created_idx ON offers (status, created_at);

ALTER TABLE requests ADD COLUMN interpreter_reminded_at TEXT;
-- The request version at which its requester was told nobody can take it (told again
-- only if the request changes and still nobody can).
ALTER TABLE requests ADD COLUMN no_interpreter_version BIGINT;
ALTER TABLE requests ADD COLUMN record_asked_at TEXT;
CREATE INDEX requests_contested_idx ON requests (status, service_contested_at);
CREATE INDEX outbox_dead_idx ON outbox (status, created_at);
CREATE INDEX mail_bounces_at_idx ON mail_bounces (at);
