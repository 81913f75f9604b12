ALTER TABLE referrals
    DROP CONSTRAINT referrals_outcome_when_closed,
    DROP CONSTRAINT referrals_reason_when_declined,
    DROP COLUMN received_at,
    DROP COLUMN outcome,
    DROP COLUMN decline_reason,
    DROP COLUMN decline_rationale;
