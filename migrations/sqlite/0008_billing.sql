-- Billing (src/billing/, src/store/billing.rs): an invoice reads one establishment's
-- requests by appointment date, a pay statement one interpreter's.
-- The PostgreSQL twin is migrations/postgres/0008_billing.sql; keep them in step.

-- By establishment and date: requests_establishment_date_idx (0007).
CREATE INDEX requests_interpreter_date_idx ON requests (assigned_interpreter_id, service_date);
