-- Contexte / domaine: what an interpreter is known to work in ("DPJ", "santé mentale"),
-- kept by the coordinators on the interpreter's page and read from an import file. Each
-- is a short text as typed, one row each; matching does not read them (yet), so no
-- trigger touches `matching_stamp`.
CREATE TABLE interpreter_contexts (
    person_id  BIGINT NOT NULL REFERENCES people (id),
    context    TEXT NOT NULL,
    PRIMARY KEY (person_id, context)
);

-- Fichiers: an interpreter's files (a cheque specimen, a training certificate, the scan of
-- a permit), kept by the coordinators on the interpreter's page, like the requests'
-- attachments: checked by their bytes, at most 10 MB each.
CREATE TABLE interpreter_files (
    id            INTEGER PRIMARY KEY,
    person_id     BIGINT NOT NULL REFERENCES people (id),
    description   TEXT,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL,
    uploaded_by   BIGINT REFERENCES people (id),
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX interpreter_files_person_idx ON interpreter_files (person_id);

-- Rôle par défaut: where signing in lands a person who holds several roles; NULL for the
-- usual order (coordinator, then requester or interpreter). Kept by the coordinators.
ALTER TABLE people ADD COLUMN default_role TEXT;
