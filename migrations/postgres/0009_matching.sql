-- Matching (src/store/matching.rs) keeps what it reads of the interpreters' profiles in
-- memory between requests, one copy per database. Every change to what it reads replaces
-- `matching_stamp.stamp` with a fresh random value, in the same transaction, so each
-- process sees at its next matching, from the database itself, that its copy is out of
-- date. A column that matching starts to read must join the triggers below.
-- The SQLite twin is migrations/sqlite/0009_matching.sql; keep them in step.
--
-- The triggers update one row: a transaction that changes an interpreter's profile holds
-- its lock until it commits, so such transactions take turns (they are short and rare).

CREATE TABLE matching_stamp (
    id           INTEGER PRIMARY KEY,
    -- Tells databases apart in one process, which may open several (the tests do).
    database_id  BIGINT NOT NULL,
    stamp        BIGINT NOT NULL,
    CONSTRAINT matching_stamp_one_row_check CHECK (id = 1)
);
INSERT INTO matching_stamp (id, database_id, stamp)
    VALUES (1, floor(random() * 9.2e18)::BIGINT, floor(random() * 9.2e18)::BIGINT);

CREATE FUNCTION matching_stamp_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE matching_stamp SET stamp = floor(random() * 9.2e18)::BIGINT WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER matching_people_update AFTER UPDATE OF first_name, last_name, active ON people FOR EACH ROW
    WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
        OR OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_people_delete AFTER DELETE ON people FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_roles_insert AFTER INSERT ON person_roles FOR EACH ROW WHEN (NEW.role = 'interpreter')
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_roles_update AFTER UPDATE ON person_roles FOR EACH ROW
    WHEN (OLD.role = 'interpreter' OR NEW.role = 'interpreter')
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_roles_delete AFTER DELETE ON person_roles FOR EACH ROW WHEN (OLD.role = 'interpreter')
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_profiles_insert AFTER INSERT ON interpreter_profiles FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_profiles_update AFTER UPDATE ON interpreter_profiles FOR EACH ROW
    WHEN (OLD.person_id IS DISTINCT FROM NEW.person_id OR OLD.gender IS DISTINCT FROM NEW.gender
        OR OLD.postal_code IS DISTINCT FROM NEW.postal_code OR OLD.work_postal_code IS DISTINCT FROM NEW.work_postal_code
        OR OLD.always_available IS DISTINCT FROM NEW.always_available)
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_profiles_delete AFTER DELETE ON interpreter_profiles FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_languages AFTER INSERT OR UPDATE OR DELETE ON interpreter_languages FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_request_types AFTER INSERT OR UPDATE OR DELETE ON interpreter_request_types FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_weekly_hours AFTER INSERT OR UPDATE OR DELETE ON interpreter_weekly_hours FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_inactivity AFTER INSERT OR UPDATE OR DELETE ON interpreter_inactivity FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_documents AFTER INSERT OR UPDATE OR DELETE ON interpreter_documents FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();
CREATE TRIGGER matching_blocks AFTER INSERT OR UPDATE OR DELETE ON interpreter_blocks FOR EACH ROW
    EXECUTE FUNCTION matching_stamp_renew();

-- Recent work (bookings within 30 days of now) counts per interpreter over a range of
-- start times, read from the index alone.
CREATE INDEX requests_starts_interpreter_idx ON requests (starts_at, assigned_interpreter_id, status);
