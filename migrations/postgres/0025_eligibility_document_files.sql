-- An eligibility document's file (the scan of a permit, of a membership card): one of the
-- interpreter's files (`interpreter_files`), attached to this document. The page shows it
-- beside the document rather than among the other files; removing the document removes
-- the file. The column travels with the document when the profile is written again.
ALTER TABLE interpreter_documents ADD COLUMN file_id BIGINT REFERENCES interpreter_files (id);
