-- The centre's decisions on a referral (referrals::decisions): when it
-- reached the centre (`submitted_at` is when it was sent; the other parties'
-- parts may come days later), how a closed one ended, and why a declined one
-- was declined (in a category, in words for the family kept in the history,
-- and in the centre's own rationale).
ALTER TABLE referrals
    ADD COLUMN received_at TIMESTAMPTZ,
    ADD COLUMN outcome TEXT CHECK (outcome IN ('withdrawn', 'terminated', 'court_decision',
        'progressed_handover', 'progressed_outside_centre')),
    ADD COLUMN decline_reason TEXT CHECK (decline_reason IN ('risk_too_high',
        'service_not_suitable', 'party_does_not_consent', 'no_response', 'other')),
    -- The centre's own reasoning for a decline: its coordinators alone read it.
    ADD COLUMN decline_rationale TEXT,
    ADD CONSTRAINT referrals_outcome_when_closed CHECK ((outcome IS NOT NULL) = (status = 'closed')),
    ADD CONSTRAINT referrals_reason_when_declined CHECK ((decline_reason IS NOT NULL) = (status = 'declined'));

UPDATE referrals r
SET received_at = (SELECT min(h.at) FROM referral_history h
                   WHERE h.referral_id = r.id AND h.to_status = 'submitted')
WHERE r.status NOT IN ('draft', 'awaiting_parties');
