DROP INDEX notifications_outbox_due;
ALTER TABLE notifications_outbox DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN abandoned_at;
