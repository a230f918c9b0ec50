-- SMS in: offers get a four-digit code an interpreter can text back ("OUI 4821"), and
-- every inbound SMS is stored with what it did and the answer given, de-duplicated on the
-- gateway's own message id (gateways retry).

ALTER TABLE offers ADD COLUMN short_code TEXT;
CREATE INDEX offers_interpreter_code_idx ON offers (interpreter_id, short_code);

CREATE TABLE inbound_sms (
    id           BIGSERIAL PRIMARY KEY,
    gateway      TEXT NOT NULL,
    gateway_id   TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    from_number  TEXT NOT NULL,
    to_number    TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    person_id    BIGINT REFERENCES people (id),
    request_id   BIGINT REFERENCES requests (id),
    outcome      TEXT NOT NULL,
    reply        TEXT NOT NULL DEFAULT '',
    CONSTRAINT inbound_sms_gateway_key UNIQUE (gateway, gateway_id)
);
CREATE INDEX inbound_sms_received_idx ON inbound_sms (received_at);
