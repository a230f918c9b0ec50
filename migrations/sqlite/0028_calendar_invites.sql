-- Calendar invites (issue #23): the last invite each person was sent for a request, with
-- its SEQUENCE and the state it showed. A calendar client's reply (*Accept*, *Decline*)
-- carries the SEQUENCE of the invite it answers: one older than the last sent answers an
-- invite that was replaced, and is answered without being applied. A cancellation goes to
-- whoever holds the event in their calendar.
CREATE TABLE calendar_invites (
    request_id BIGINT NOT NULL REFERENCES requests (id),
    person_id  BIGINT NOT NULL REFERENCES people (id),
    sequence   BIGINT NOT NULL,
    status     TEXT NOT NULL,
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (request_id, person_id),
    CONSTRAINT calendar_invites_status_check CHECK (status IN ('tentative', 'confirmed', 'cancelled'))
);
