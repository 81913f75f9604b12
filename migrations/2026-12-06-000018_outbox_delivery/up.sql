-- Delivering the notifications outbox (notifications::delivery): every
-- instance takes due messages with SKIP LOCKED, sends each once, and retries
-- a failure with a growing delay. A sent message keeps no one-time token.
ALTER TABLE notifications_outbox
    ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN last_error TEXT,
    -- Given up: a permanent refusal, or the last try.
    ADD COLUMN abandoned_at TIMESTAMPTZ;
CREATE INDEX notifications_outbox_due ON notifications_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND abandoned_at IS NULL;
-- Messages from before delivery was the service's own were read from the
-- outbox by whatever ran then: switching a mailer on must not send stale
-- invitations and notices, so those older than a link lives are given up.
UPDATE notifications_outbox SET abandoned_at = now(), payload = payload - 'token'
    WHERE sent_at IS NULL AND created_at < now() - interval '3 days';
