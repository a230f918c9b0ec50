-- Sign-in limits that strangers cannot turn against an account's owner (docs/accounts.md,
-- "Limits"), and dead links that mail a new one instead of handing it out (docs/links.md).

-- Where each person has signed in from lately, as a keyed hash of the person and the
-- address (an IPv6 address by its /64): never the address itself. The per-account limit
-- does not apply from these addresses.
CREATE TABLE account_usual_addresses (
    person_id          BIGINT NOT NULL REFERENCES people (id),
    address_hash       TEXT NOT NULL,
    last_signed_in_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, address_hash)
);
CREATE INDEX account_usual_addresses_at_idx ON account_usual_addresses (last_signed_in_at);

-- When the owner was last mailed about failed sign-ins: at most one notice per period.
ALTER TABLE accounts ADD COLUMN failures_noticed_at TEXT;

-- Wrong passwords and codes typed on the forms of a signed-in session (changing the
-- password or the second factor). They count toward the sign-in limits, but only they
-- close those forms: failures from strangers at the sign-in page do not.
ALTER TABLE login_attempts ADD COLUMN in_session BOOLEAN NOT NULL DEFAULT FALSE;

-- "Mail me a new link" pressed on a dead link's page: the mail goes to the recipient's
-- address on file; these rows rate-limit it per recipient and per client address.
CREATE TABLE link_renewals (
    id            INTEGER PRIMARY KEY,
    person_id     BIGINT NOT NULL REFERENCES people (id),
    request_id    BIGINT NOT NULL REFERENCES requests (id),
    client        TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX link_renewals_person_idx ON link_renewals (person_id, at);
CREATE INDEX link_renewals_client_idx ON link_renewals (client, at);
