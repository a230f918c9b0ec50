-- Establishment administration on the web: a cost centre or billing code can be retired
-- (no longer accepted on new requests or profile changes) while past requests and invoices
-- still name it; the list of establishments counts requesters by establishment.
ALTER TABLE cost_centres ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE billing_codes ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX requester_profiles_establishment_idx ON requester_profiles (establishment_id);
