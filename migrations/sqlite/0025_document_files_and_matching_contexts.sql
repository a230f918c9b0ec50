-- Two leftovers of the interpreter profile (issue #19): an eligibility document's file, and
-- matching reading the interpreters' contexts.

-- An eligibility document's file (the scan of a permit, of a membership card): one of the
-- interpreter's files (`interpreter_files`), attached to this document. The page shows it
-- beside the document rather than among the other files; removing the document removes
-- the file. The column travels with the document when the profile is written again.
ALTER TABLE interpreter_documents ADD COLUMN file_id BIGINT REFERENCES interpreter_files (id);

-- Matching now reads the interpreters' contexts (an interpreter who knows the request's
-- context ranks before an otherwise equal one): a change to them renews `matching_stamp`,
-- as for every table matching reads (0009_matching). The PostgreSQL twin has one trigger.
CREATE TRIGGER matching_contexts_insert AFTER INSERT ON interpreter_contexts
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_contexts_update AFTER UPDATE ON interpreter_contexts
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
CREATE TRIGGER matching_contexts_delete AFTER DELETE ON interpreter_contexts
BEGIN
    UPDATE matching_stamp SET stamp = random() WHERE id = 1;
END;
