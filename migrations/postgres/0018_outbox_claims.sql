-- A claim on an outbox row names the process that holds it (`workers.instance`, or
-- host:port), so a process that restarts releases its own claims at once instead of
-- waiting for them to expire, and a lease renewal can tell whether the claim is still its
-- own (docs/outbound.md).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
