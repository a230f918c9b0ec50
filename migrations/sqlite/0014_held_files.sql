-- Files of a web form that came back with errors, held for the person's next sending so
-- they need not attach them again. Found by the hash of a random token the form carries
-- (never the token itself), only for the person who sent them; forgotten after a day.
CREATE TABLE held_files (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    person_id     BIGINT NOT NULL REFERENCES people (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    content       BLOB NOT NULL,
    held_at       TEXT NOT NULL
);
CREATE INDEX held_files_held_at_idx ON held_files (held_at);
