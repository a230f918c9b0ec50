-- no-transaction
-- The request form sets every field of the seeds (issue 19): the type of interpreter
-- (BI du RSSS or external provider), the person who receives the interpreter on site,
-- « Demande supplémentaire », and the « Service professionnel » request type. Phones keep
-- their extension in the same column (`+15145550100;ext=123`). The duplicate check reads
-- (requested_by, starts_at), which requests_requested_by_idx already covers.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt the way SQLite's
-- documentation says (foreign keys off, new table, copy, drop, rename, indexes),
-- in one transaction of its own. The other tables' references to `requests` then name the
-- new table.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE requests_new (
    id                            INTEGER PRIMARY KEY,
    number                        TEXT,
    status                        TEXT NOT NULL,
    version                       BIGINT NOT NULL DEFAULT 1,
    establishment_id              BIGINT NOT NULL REFERENCES establishments (id),
    installation_id               BIGINT NOT NULL REFERENCES installations (id),
    location                      TEXT NOT NULL,
    address                       TEXT,
    request_type                  TEXT NOT NULL,
    service_date                  TEXT NOT NULL,
    start_time                    TEXT NOT NULL,
    flexible_until                TEXT,
    duration_minutes              BIGINT NOT NULL,
    starts_at                     TEXT NOT NULL,
    source_language               TEXT NOT NULL,
    target_language               TEXT NOT NULL,
    alternative_language          TEXT,
    alternative_date              TEXT,
    professional_name             TEXT,
    professional_function         TEXT,
    professional_phone            TEXT,
    professional_email            TEXT,
    preferred_interpreter_id      BIGINT REFERENCES people (id),
    interpreter_gender            TEXT,
    interpreter_must_notify_user  BOOLEAN NOT NULL DEFAULT FALSE,
    context                       TEXT,
    reason                        TEXT,
    message_to_interpreter        TEXT,
    coordinator_note              TEXT,
    patient_name                  TEXT,
    patient_phone                 TEXT,
    patient_details               TEXT,
    video_platform                TEXT,
    video_link                    TEXT,
    video_passcode                TEXT,
    cost_centre_id                BIGINT REFERENCES cost_centres (id),
    billing_code_id               BIGINT REFERENCES billing_codes (id),
    requested_by                  BIGINT NOT NULL REFERENCES people (id),
    assigned_interpreter_id       BIGINT REFERENCES people (id),
    created_at                    TEXT NOT NULL,
    updated_at                    TEXT NOT NULL,
    submitted_at                  TEXT,
    booked_at                     TEXT,
    service_recorded_at           TEXT,
    closed_at                     TEXT,
    cancellation_reason           TEXT,
    cancellation_detail           TEXT,
    cancelled_at                  TEXT,
    cancelled_late                BOOLEAN NOT NULL DEFAULT FALSE,
    patient_erased_at             TEXT,
    service_contested_at          TEXT,
    interpreter_reminded_at       TEXT,
    no_interpreter_version        BIGINT,
    record_asked_at               TEXT,
    interpreter_type              TEXT,
    on_site_name                  TEXT,
    on_site_phone                 TEXT,
    supplementary                 BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT requests_number_key UNIQUE (number),
    -- Drafts get their number when they are sent, as in the seeds.
    CONSTRAINT requests_number_check CHECK (number IS NOT NULL OR submitted_at IS NULL),
    CONSTRAINT requests_status_check CHECK (status IN ('draft', 'new', 'offered', 'booked', 'modified',
        'cancelled', 'service_rendered', 'validated', 'closed')),
    CONSTRAINT requests_type_check CHECK (request_type IN ('in_person', 'phone', 'video',
        'message_transmission', 'translation', 'permanence', 'professional_service')),
    CONSTRAINT requests_duration_check CHECK (duration_minutes >= 0)
);
INSERT INTO requests_new (id, number, status, version, establishment_id, installation_id, location, address, request_type, service_date,
    start_time, flexible_until, duration_minutes, starts_at, source_language, target_language, alternative_language,
    alternative_date, professional_name, professional_function, professional_phone, professional_email,
    preferred_interpreter_id, interpreter_gender, interpreter_must_notify_user, context, reason,
    message_to_interpreter, coordinator_note, patient_name, patient_phone, patient_details, video_platform,
    video_link, video_passcode, cost_centre_id, billing_code_id, requested_by, assigned_interpreter_id, created_at,
    updated_at, submitted_at, booked_at, service_recorded_at, closed_at, cancellation_reason, cancellation_detail,
    cancelled_at, cancelled_late, patient_erased_at, service_contested_at, interpreter_reminded_at,
    no_interpreter_version, record_asked_at)
SELECT id, number, status, version, establishment_id, installation_id, location, address, request_type, service_date,
    start_time, flexible_until, duration_minutes, starts_at, source_language, target_language, alternative_language,
    alternative_date, professional_name, professional_function, professional_phone, professional_email,
    preferred_interpreter_id, interpreter_gender, interpreter_must_notify_user, context, reason,
    message_to_interpreter, coordinator_note, patient_name, patient_phone, patient_details, video_platform,
    video_link, video_passcode, cost_centre_id, billing_code_id, requested_by, assigned_interpreter_id, created_at,
    updated_at, submitted_at, booked_at, service_recorded_at, closed_at, cancellation_reason, cancellation_detail,
    cancelled_at, cancelled_late, patient_erased_at, service_contested_at, interpreter_reminded_at,
    no_interpreter_version, record_asked_at
FROM requests;
DROP TABLE requests;
ALTER TABLE requests_new RENAME TO requests;
CREATE INDEX requests_status_starts_idx ON requests (status, starts_at);
CREATE INDEX requests_installation_starts_idx ON requests (installation_id, starts_at);
CREATE INDEX requests_requested_by_idx ON requests (requested_by, starts_at);
CREATE INDEX requests_interpreter_starts_idx ON requests (assigned_interpreter_id, starts_at);
CREATE INDEX requests_status_recorded_idx ON requests (status, service_recorded_at);
CREATE INDEX requests_retention_idx ON requests (status, patient_erased_at, closed_at, cancelled_at);
CREATE INDEX requests_contested_idx ON requests (status, service_contested_at);
CREATE INDEX requests_service_date_idx ON requests (service_date, start_time, number);
CREATE INDEX requests_establishment_date_idx ON requests (establishment_id, service_date);
CREATE INDEX requests_interpreter_date_idx ON requests (assigned_interpreter_id, service_date);
CREATE INDEX requests_starts_interpreter_idx ON requests (starts_at, assigned_interpreter_id, status);
COMMIT;
PRAGMA foreign_keys = ON;
