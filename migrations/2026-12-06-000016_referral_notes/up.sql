-- The centre's case notes on a referral (referrals::notes): written and read
-- by its coordinators alone; never shown to staff, the referrer's side or
-- the parties.
CREATE TABLE referral_notes (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    written_by UUID NOT NULL REFERENCES users (id),
    written_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 4000)
);
CREATE INDEX referral_notes_by_referral ON referral_notes (referral_id, written_at, id);

CREATE TRIGGER referral_notes_version AFTER INSERT OR UPDATE OR DELETE ON referral_notes
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
