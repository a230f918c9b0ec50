-- Exports of requests (src/reports/, src/store/reports.rs) select by appointment date,
-- optionally within one establishment, and sort by date, start time and number.
-- The PostgreSQL twin is migrations/postgres/0007_exports.sql; keep them in step.

CREATE INDEX requests_service_date_idx ON requests (service_date, start_time, number);
CREATE INDEX requests_establishment_date_idx ON requests (establishment_id, service_date);
