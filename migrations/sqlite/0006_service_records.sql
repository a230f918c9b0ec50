-- The whole service record (réalisation) of the seeds' "Détails après la demande" tab, and
-- files attached to requests and records. Amounts and distances are exact decimal strings:
-- money never passes through floating point.

ALTER TABLE service_records ADD COLUMN arrival_time TEXT;
ALTER TABLE service_records ADD COLUMN actual_minutes INTEGER;
ALTER TABLE service_records ADD COLUMN overtime_reason TEXT;
ALTER TABLE service_records ADD COLUMN general_reason TEXT;
ALTER TABLE service_records ADD COLUMN cancellation_reason TEXT;
ALTER TABLE service_records ADD COLUMN cancelled_on TEXT;
ALTER TABLE service_records ADD COLUMN cancelled_time TEXT;
ALTER TABLE service_records ADD COLUMN waiting_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_records ADD COLUMN distance_km TEXT NOT NULL DEFAULT '0';
ALTER TABLE service_records ADD COLUMN travel_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_records ADD COLUMN phone_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_records ADD COLUMN words INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_records ADD COLUMN other_fees TEXT NOT NULL DEFAULT '0';
ALTER TABLE service_records ADD COLUMN services_given INTEGER;
-- The requester's words when they contest the record, for the coordinators.
ALTER TABLE service_records ADD COLUMN contest_note TEXT;

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    request_id    BIGINT NOT NULL REFERENCES requests (id),
    -- 'request' (joined to the request form) or 'service_record'.
    purpose       TEXT NOT NULL CHECK (purpose IN ('request', 'service_record')),
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL,
    uploaded_by   BIGINT REFERENCES people (id),
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX attachments_request_idx ON attachments (request_id, purpose);
