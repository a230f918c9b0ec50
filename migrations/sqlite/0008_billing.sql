-- Billing (src/billing/, src/store/billing.rs): an invoice reads one establishment's
-- requests by appointment date, a pay statement one interpreter's.
-- The PostgreSQL twin is migrations/postgres/0008_billing.sql; keep them in step.

-- 0007_exports (the export branch) creates the same index: IF NOT EXISTS keeps this one
-- harmless after it. A database that runs this before 0007 needs IF NOT EXISTS there too.
CREATE INDEX IF NOT EXISTS requests_establishment_date_idx ON requests (establishment_id, service_date);
CREATE INDEX requests_interpreter_date_idx ON requests (assigned_interpreter_id, service_date);
