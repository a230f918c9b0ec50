-- Relais foundation: organisations, people, interpreter profiles, requests, offers,
-- service records, history (append-only), outbox, sequences.
-- The PostgreSQL twin is migrations/postgres/0001_foundation.sql; keep them in step.
-- SQLite stores timestamps, dates and times as ISO 8601 text, booleans as 0/1, JSON as text.

CREATE TABLE establishments (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    request_prefix  TEXT,
    created_at      TEXT NOT NULL,
    CONSTRAINT establishments_code_key UNIQUE (code),
    CONSTRAINT establishments_prefix_check CHECK (request_prefix IS NULL OR (length(request_prefix) = 2 AND request_prefix GLOB '[A-Z][A-Z]'))
);

CREATE TABLE installations (
    id                INTEGER PRIMARY KEY,
    establishment_id  BIGINT NOT NULL REFERENCES establishments (id),
    name              TEXT NOT NULL,
    address           TEXT,
    postal_code       TEXT,
    CONSTRAINT installations_name_key UNIQUE (establishment_id, name)
);

CREATE TABLE cost_centres (
    id                INTEGER PRIMARY KEY,
    establishment_id  BIGINT NOT NULL REFERENCES establishments (id),
    code              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    CONSTRAINT cost_centres_code_key UNIQUE (establishment_id, code)
);

CREATE TABLE billing_codes (
    id                INTEGER PRIMARY KEY,
    establishment_id  BIGINT NOT NULL REFERENCES establishments (id),
    code              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    CONSTRAINT billing_codes_code_key UNIQUE (establishment_id, code)
);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    user_code     TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    email         TEXT NOT NULL,
    mobile        TEXT,
    phone         TEXT,
    locale        TEXT NOT NULL DEFAULT 'fr',
    notify_email  BOOLEAN NOT NULL DEFAULT TRUE,
    notify_sms    BOOLEAN NOT NULL DEFAULT TRUE,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CONSTRAINT people_user_code_key UNIQUE (user_code),
    CONSTRAINT people_email_key UNIQUE (email),
    CONSTRAINT people_locale_check CHECK (locale IN ('fr', 'en'))
);
CREATE INDEX people_mobile_idx ON people (mobile);

CREATE TABLE person_roles (
    person_id  BIGINT NOT NULL REFERENCES people (id),
    role       TEXT NOT NULL,
    PRIMARY KEY (person_id, role),
    CONSTRAINT person_roles_role_check CHECK (role IN ('requester', 'interpreter', 'coordinator'))
);
CREATE INDEX person_roles_role_idx ON person_roles (role, person_id);

CREATE TABLE requester_profiles (
    person_id         BIGINT PRIMARY KEY REFERENCES people (id),
    establishment_id  BIGINT NOT NULL REFERENCES establishments (id),
    cost_centre_id    BIGINT REFERENCES cost_centres (id)
);

CREATE TABLE requester_installations (
    person_id        BIGINT NOT NULL REFERENCES people (id),
    installation_id  BIGINT NOT NULL REFERENCES installations (id),
    PRIMARY KEY (person_id, installation_id)
);
CREATE INDEX requester_installations_installation_idx ON requester_installations (installation_id);

CREATE TABLE interpreter_profiles (
    person_id         BIGINT PRIMARY KEY REFERENCES people (id),
    main_region       TEXT,
    work_postal_code  TEXT,
    address           TEXT,
    postal_code       TEXT,
    gender            TEXT,
    always_available  BOOLEAN NOT NULL DEFAULT TRUE,
    legal_name        TEXT,
    supplier_number   TEXT,
    tax_registration  TEXT NOT NULL DEFAULT 'not_registered',
    gst_number        TEXT,
    gst_from          TEXT,
    gst_until         TEXT,
    qst_number        TEXT,
    qst_from          TEXT,
    qst_until         TEXT,
    CONSTRAINT interpreter_profiles_gender_check CHECK (gender IS NULL OR gender IN ('female', 'male', 'non_binary')),
    CONSTRAINT interpreter_profiles_tax_check CHECK (tax_registration IN ('not_registered', 'inclusive', 'added'))
);

CREATE TABLE interpreter_languages (
    person_id        BIGINT NOT NULL REFERENCES people (id),
    source_language  TEXT NOT NULL,
    target_language  TEXT NOT NULL,
    origin_country   TEXT,
    PRIMARY KEY (person_id, source_language, target_language)
);
CREATE INDEX interpreter_languages_pair_idx ON interpreter_languages (source_language, target_language, person_id);

CREATE TABLE interpreter_request_types (
    person_id     BIGINT NOT NULL REFERENCES people (id),
    request_type  TEXT NOT NULL,
    PRIMARY KEY (person_id, request_type)
);

CREATE TABLE interpreter_weekly_hours (
    id         INTEGER PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id),
    weekday    BIGINT NOT NULL,
    starts     TEXT NOT NULL,
    ends       TEXT NOT NULL,
    CONSTRAINT interpreter_weekly_hours_weekday_check CHECK (weekday BETWEEN 1 AND 7),
    CONSTRAINT interpreter_weekly_hours_order_check CHECK (starts < ends)
);
CREATE INDEX interpreter_weekly_hours_person_idx ON interpreter_weekly_hours (person_id);

CREATE TABLE interpreter_inactivity (
    id         INTEGER PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id),
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    reason     TEXT,
    CONSTRAINT interpreter_inactivity_order_check CHECK (starts_at < ends_at)
);
CREATE INDEX interpreter_inactivity_person_idx ON interpreter_inactivity (person_id, ends_at);

CREATE TABLE interpreter_documents (
    id                   INTEGER PRIMARY KEY,
    person_id            BIGINT NOT NULL REFERENCES people (id),
    name                 TEXT NOT NULL,
    description          TEXT,
    valid_until          TEXT,
    inactive_if_invalid  BOOLEAN NOT NULL DEFAULT FALSE,
    comments             TEXT
);
CREATE INDEX interpreter_documents_person_idx ON interpreter_documents (person_id);

CREATE TABLE interpreter_blocks (
    person_id         BIGINT NOT NULL REFERENCES people (id),
    establishment_id  BIGINT NOT NULL REFERENCES establishments (id),
    PRIMARY KEY (person_id, establishment_id)
);

-- Named counters: request numbers per prefix and day ("request:HC-24240"), user codes per stem.
CREATE TABLE sequences (
    name   TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);

CREATE TABLE requests (
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
    CONSTRAINT requests_number_key UNIQUE (number),
    -- Drafts get their number when they are sent, as in the seeds.
    CONSTRAINT requests_number_check CHECK (number IS NOT NULL OR submitted_at IS NULL),
    CONSTRAINT requests_status_check CHECK (status IN ('draft', 'new', 'offered', 'booked', 'modified',
        'cancelled', 'service_rendered', 'validated', 'closed')),
    CONSTRAINT requests_type_check CHECK (request_type IN ('in_person', 'phone', 'video',
        'message_transmission', 'translation', 'permanence')),
    CONSTRAINT requests_duration_check CHECK (duration_minutes >= 0)
);
CREATE INDEX requests_status_starts_idx ON requests (status, starts_at);
CREATE INDEX requests_installation_starts_idx ON requests (installation_id, starts_at);
CREATE INDEX requests_requested_by_idx ON requests (requested_by, starts_at);
CREATE INDEX requests_interpreter_starts_idx ON requests (assigned_interpreter_id, starts_at);
CREATE INDEX requests_status_recorded_idx ON requests (status, service_recorded_at);
CREATE INDEX requests_retention_idx ON requests (status, patient_erased_at, closed_at, cancelled_at);

CREATE TABLE request_attachments (
    id            INTEGER PRIMARY KEY,
    request_id    BIGINT NOT NULL REFERENCES requests (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL,
    uploaded_by   BIGINT REFERENCES people (id),
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX request_attachments_request_idx ON request_attachments (request_id);

CREATE TABLE offers (
    id              INTEGER PRIMARY KEY,
    request_id      BIGINT NOT NULL REFERENCES requests (id),
    interpreter_id  BIGINT NOT NULL REFERENCES people (id),
    status          TEXT NOT NULL DEFAULT 'pending',
    created_at      TEXT NOT NULL,
    expires_at      TEXT,
    responded_at    TEXT,
    CONSTRAINT offers_status_check CHECK (status IN ('pending', 'accepted', 'declined', 'lapsed', 'withdrawn'))
);
CREATE INDEX offers_request_idx ON offers (request_id, status);
CREATE INDEX offers_interpreter_idx ON offers (interpreter_id, status);
CREATE UNIQUE INDEX offers_one_pending_key ON offers (request_id, interpreter_id) WHERE status = 'pending';

CREATE TABLE service_records (
    request_id           BIGINT PRIMARY KEY REFERENCES requests (id),
    completed            BOOLEAN NOT NULL,
    interpreter_present  BOOLEAN NOT NULL,
    actual_start         TEXT,
    actual_end           TEXT,
    comments             TEXT,
    recorded_by          BIGINT REFERENCES people (id),
    recorded_at          TEXT NOT NULL
);

-- Who changed what, when, through which channel. Append-only: a trigger refuses the rest.
CREATE TABLE history (
    id          INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    at          TEXT NOT NULL,
    actor_id    BIGINT REFERENCES people (id),
    actor_kind  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    action      TEXT NOT NULL,
    changes     TEXT NOT NULL,
    CONSTRAINT history_entity_check CHECK (entity IN ('request', 'person', 'establishment'))
);
CREATE INDEX history_entity_idx ON history (entity, entity_id, id);

CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

-- Notifications, written in the transaction of the change that caused them.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    created_at       TEXT NOT NULL,
    channel          TEXT NOT NULL,
    recipient_id     BIGINT NOT NULL REFERENCES people (id),
    kind             TEXT NOT NULL,
    request_id       BIGINT REFERENCES requests (id),
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending',
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    sent_at          TEXT,
    last_error       TEXT,
    CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'sms')),
    CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'dead'))
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_request_idx ON outbox (request_id);
