-- Offers lapse at their own deadline (one that fits how soon the appointment is):
-- the sweep looks them up by it.
CREATE INDEX offers_pending_expires_idx ON offers (status, expires_at);
