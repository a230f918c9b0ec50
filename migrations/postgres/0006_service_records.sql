-- The whole service record (réalisation) of the seeds' "Détails après la demande" tab, and
-- what files are attached to. Amounts and distances are exact decimal strings:
-- money never passes through floating point.

ALTER TABLE service_records ADD COLUMN arrival_time TIME;
ALTER TABLE service_records ADD COLUMN actual_minutes BIGINT;
ALTER TABLE service_records ADD COLUMN overtime_reason TEXT;
ALTER TABLE service_records ADD COLUMN general_reason TEXT;
ALTER TABLE service_records ADD COLUMN cancellation_reason TEXT;
ALTER TABLE service_records ADD COLUMN cancelled_on DATE;
ALTER TABLE service_records ADD COLUMN cancelled_time TIME;
ALTER TABLE service_records ADD COLUMN waiting_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_records ADD COLUMN distance_km TEXT NOT NULL DEFAULT '0';
ALTER TABLE service_records ADD COLUMN travel_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_records ADD COLUMN phone_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_records ADD COLUMN words BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_records ADD COLUMN other_fees TEXT NOT NULL DEFAULT '0';
ALTER TABLE service_records ADD COLUMN services_given BIGINT;
-- The requester's words when they contest the record, for the coordinators.
ALTER TABLE service_records ADD COLUMN contest_note TEXT;

-- Files joined to the request form (erased with the patient details) or to the service
-- record (receipts: kept for billing).
ALTER TABLE request_attachments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'request'
    CHECK (purpose IN ('request', 'service_record'));
CREATE INDEX request_attachments_purpose_idx ON request_attachments (request_id, purpose);
