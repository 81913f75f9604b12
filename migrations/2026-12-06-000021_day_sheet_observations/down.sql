DROP INDEX IF EXISTS contact_sessions_to_remind;
ALTER TABLE contact_sessions DROP COLUMN IF EXISTS reminded_at;
DROP TABLE IF EXISTS session_outcomes;
DROP TABLE IF EXISTS observation_requests;
ALTER TABLE centres DROP COLUMN IF EXISTS allows_observations;
