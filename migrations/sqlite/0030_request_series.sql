-- Series of appointments (issue #23): « Répétition : chaque semaine, 8 fois ». Each
-- occurrence is a request of its own, with its own number, status, interpreter and service
-- record; `series_id` links it to the series, whose `repetition` keeps what was asked
-- (`domain::request::repetition`, e.g. `7d8x`). Cancelling "this one and the ones
-- after" reads the series' requests from a start on.
CREATE TABLE request_series (
    id           INTEGER PRIMARY KEY,
    requested_by BIGINT NOT NULL REFERENCES people (id),
    repetition   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

ALTER TABLE requests ADD COLUMN series_id BIGINT REFERENCES request_series (id);
CREATE INDEX requests_series_idx ON requests (series_id, starts_at);
