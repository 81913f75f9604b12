DELETE FROM referral_letters WHERE kind = 'acceptance';
ALTER TABLE referral_letters DROP CONSTRAINT referral_letters_kind_check;
ALTER TABLE referral_letters ADD CONSTRAINT referral_letters_kind_check
    CHECK (kind IN ('decline', 'offer', 'pre_visit', 'closing'));
ALTER TABLE referral_letters DROP COLUMN IF EXISTS pdf;
DROP TRIGGER IF EXISTS referrals_end_contact_sessions ON referrals;
DROP FUNCTION IF EXISTS contact_sessions_end_with_referral();
DROP TABLE IF EXISTS session_windows;
DROP FUNCTION IF EXISTS session_window_instants();
DROP TABLE IF EXISTS slot_places;
DROP TABLE IF EXISTS contact_sessions;
DROP FUNCTION IF EXISTS contact_session_frees_windows();
DROP FUNCTION IF EXISTS contact_session_places();
DROP FUNCTION IF EXISTS contact_session_instants();
DROP TABLE IF EXISTS contact_arrangements;
DROP TABLE IF EXISTS staff_availability;
DROP TABLE IF EXISTS staff_vetting;
ALTER TABLE venues DROP CONSTRAINT IF EXISTS venues_entrances;
ALTER TABLE venues DROP COLUMN IF EXISTS entrances;
