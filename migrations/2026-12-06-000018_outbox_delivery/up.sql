-- Delivering the notifications outbox (notifications::delivery): every
-- instance takes due messages with SKIP LOCKED, sends each once, and retries
-- a failure with a growing delay. A sent message keeps no one-time token.
ALTER TABLE notifications_outbox
    ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN last_error TEXT;
CREATE INDEX notifications_outbox_due ON notifications_outbox (next_attempt_at) WHERE sent_at IS NULL;
