-- Calendar feeds (issue #23): each person may subscribe their calendar app to a secret
-- address listing their bookings, offers and requests. The address's token is kept as its
-- SHA-256 (`token_hash`, what a request is looked up by) and sealed (`token_sealed`, so
-- the account page can show the address again). A new address replaces the row; turning
-- the feed off deletes it.
CREATE TABLE calendar_feeds (
    person_id    BIGINT PRIMARY KEY REFERENCES people (id),
    token_hash   TEXT NOT NULL UNIQUE,
    token_sealed TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
