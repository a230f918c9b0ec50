-- Messages whose processing failed for good are set aside instead of blocking the ones
-- behind them (docs/reliability.md). They keep their place in inbound_messages and
-- inbound_sms with the outcome 'set_aside' and the reason in `detail`; coordinators see
-- them on the board and in the digest and can try them again after a fix.
ALTER TABLE inbound_sms ADD COLUMN detail TEXT;
CREATE INDEX inbound_messages_set_aside_idx ON inbound_messages (received_at) WHERE outcome = 'set_aside';
CREATE INDEX inbound_sms_set_aside_idx ON inbound_sms (received_at) WHERE outcome = 'set_aside';
