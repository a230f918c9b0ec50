-- Matching (src/store/matching.rs) keeps what it reads of the interpreters' profiles in
-- memory between requests, one copy per database. Every change to what it reads replaces
-- `matching_stamp.stamp` with a fresh random value, in the same transaction, so each
-- process sees at its next matching, from the database itself, that its copy is out of
-- date. A column that matching starts to read must join the triggers below.
-- The PostgreSQL twin is migrations/postgres/0009_matching.sql; keep them in step.

CREATE TABLE matching_stamp (
    id           INTEGER PRIMARY KEY,
    -- Tells databases apart in one process, which may open several (the tests do).
    database_id  BIGINT NOT NULL,
    stamp        BIGINT NOT NULL,
    CONSTRAINT matching_stamp_one_row_check CHECK (id = 1)
);
INSERT INTO matching_stamp (id, database_id, stamp) VALUES (1, random(), random());

CREATE TRIGGER matching_people_update AFTER UPDATE OF first_name, last_name, active ON people
    WHEN OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name OR OLD.active IS NOT NEW.active
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_people_delete AFTER DELETE ON people
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_roles_insert AFTER INSERT ON person_roles WHEN NEW.role = 'interpreter'
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_roles_update AFTER UPDATE ON person_roles
    WHEN OLD.role = 'interpreter' OR NEW.role = 'interpreter'
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_roles_delete AFTER DELETE ON person_roles WHEN OLD.role = 'interpreter'
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_profiles_insert AFTER INSERT ON interpreter_profiles
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_profiles_update AFTER UPDATE ON interpreter_profiles
    WHEN OLD.person_id IS NOT NEW.person_id OR OLD.gender IS NOT NEW.gender
        OR OLD.postal_code IS NOT NEW.postal_code OR OLD.work_postal_code IS NOT NEW.work_postal_code
        OR OLD.always_available IS NOT NEW.always_available
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_profiles_delete AFTER DELETE ON interpreter_profiles
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_languages_insert AFTER INSERT ON interpreter_languages
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_languages_update AFTER UPDATE ON interpreter_languages
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_languages_delete AFTER DELETE ON interpreter_languages
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_request_types_insert AFTER INSERT ON interpreter_request_types
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_request_types_update AFTER UPDATE ON interpreter_request_types
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_request_types_delete AFTER DELETE ON interpreter_request_types
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_weekly_hours_insert AFTER INSERT ON interpreter_weekly_hours
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_weekly_hours_update AFTER UPDATE ON interpreter_weekly_hours
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_weekly_hours_delete AFTER DELETE ON interpreter_weekly_hours
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_inactivity_insert AFTER INSERT ON interpreter_inactivity
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_inactivity_update AFTER UPDATE ON interpreter_inactivity
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_inactivity_delete AFTER DELETE ON interpreter_inactivity
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_documents_insert AFTER INSERT ON interpreter_documents
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_documents_update AFTER UPDATE ON interpreter_documents
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_documents_delete AFTER DELETE ON interpreter_documents
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_blocks_insert AFTER INSERT ON interpreter_blocks
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_blocks_update AFTER UPDATE ON interpreter_blocks
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_blocks_delete AFTER DELETE ON interpreter_blocks
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;

-- Recent work (bookings within 30 days of now) counts per interpreter over a range of
-- start times, read from the index alone.
CREATE INDEX requests_starts_interpreter_idx ON requests (starts_at, assigned_interpreter_id, status);
