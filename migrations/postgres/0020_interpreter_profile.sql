-- Contexte / domaine: what an interpreter is known to work in ("DPJ", "santé mentale"),
-- kept by the coordinators on the interpreter's page and read from an import file. Each
-- is a short text as typed, one row each; matching does not read them (yet), so no
-- trigger touches `matching_stamp`.
CREATE TABLE interpreter_contexts (
    person_id  BIGINT NOT NULL REFERENCES people (id),
    context    TEXT NOT NULL,
    PRIMARY KEY (person_id, context)
);
