DROP TRIGGER IF EXISTS referral_assessments_supersede_proposals ON referral_assessments;
DROP FUNCTION IF EXISTS assessment_supersedes_proposals();
DROP TRIGGER IF EXISTS referrals_end_proposals ON referrals;
DROP FUNCTION IF EXISTS referral_ends_proposals();
DROP FUNCTION IF EXISTS supersede_pending_proposals(UUID);
-- Cancelled sessions' windows go, as before this migration.
DELETE FROM session_windows w USING contact_sessions s
    WHERE s.id = w.contact_session_id AND s.status = 'cancelled';
CREATE OR REPLACE FUNCTION contact_session_frees_windows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM session_windows WHERE contact_session_id = NEW.id;
    RETURN NEW;
END;
$$;
DROP TABLE IF EXISTS arrangement_proposals;
DROP TRIGGER IF EXISTS referrals_change_conditions ON referrals;
DROP FUNCTION IF EXISTS referral_conditions_changed();
DROP TRIGGER IF EXISTS referral_assessments_change_conditions ON referral_assessments;
DROP FUNCTION IF EXISTS conditions_changed();
DROP TRIGGER IF EXISTS contact_sessions_release_observers ON contact_sessions;
DROP FUNCTION IF EXISTS contact_session_releases_observers();
DROP TRIGGER IF EXISTS venues_keep_entrances_in_use ON venues;
DROP FUNCTION IF EXISTS venue_keeps_entrances_in_use();
DROP TABLE IF EXISTS calendar_feeds;
DROP TRIGGER IF EXISTS opening_sessions_keep_bookings ON opening_sessions;
DROP FUNCTION IF EXISTS opening_session_keeps_bookings();
DROP TRIGGER IF EXISTS centres_change_schedule ON centres;
DROP TRIGGER IF EXISTS opening_sessions_change_schedule ON opening_sessions;
DROP TRIGGER IF EXISTS closures_change_schedule ON closures;
DROP FUNCTION IF EXISTS schedule_changed();
DROP TABLE IF EXISTS schedule_changes;
DROP INDEX IF EXISTS contact_sessions_to_remind;
ALTER TABLE contact_sessions DROP COLUMN IF EXISTS reminded_at;
DROP TABLE IF EXISTS session_outcomes;
DROP TABLE IF EXISTS observation_requests;
ALTER TABLE centres DROP COLUMN IF EXISTS allows_observations;
