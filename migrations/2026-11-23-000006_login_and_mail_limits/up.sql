-- Login limits count failures per account and address pair, and let an
-- account's owner in from an address where they signed in before.
CREATE INDEX login_attempts_pair_idx ON login_attempts (email_key, client_addr, at);

-- Unsolicited messages (confirmations, "this address has an account", reset
-- links) are limited per address and hour, counted from the outbox.
CREATE INDEX notifications_outbox_recipient_idx ON notifications_outbox (recipient, created_at);
