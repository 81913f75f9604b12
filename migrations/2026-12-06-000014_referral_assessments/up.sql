-- The centre's risk assessment of a referral (referrals::assessment): every
-- version kept, the latest in force. Its conditions (the service, whether the
-- parties must not meet, the minutes between their arrivals and leavings,
-- who may attend, and what each court order enforces) are what contact
-- sessions are booked under. Staff read the conditions; the factors, checks,
-- level and rationale are for the centre's coordinators alone.
ALTER TABLE centres
    ADD COLUMN stagger_minutes integer NOT NULL DEFAULT 15 CHECK (stagger_minutes BETWEEN 0 AND 120);

CREATE TABLE referral_assessments (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    assessed_by UUID NOT NULL REFERENCES users (id),
    assessed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    factors TEXT[] NOT NULL,
    checks_made TEXT[] NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high')),
    rationale TEXT NOT NULL CHECK (length(rationale) BETWEEN 1 AND 4000),
    service TEXT NOT NULL,
    parties_must_not_meet BOOLEAN NOT NULL,
    stagger_minutes INTEGER NOT NULL CHECK (stagger_minutes BETWEEN 0 AND 120),
    may_attend UUID[] NOT NULL,
    court_orders JSONB NOT NULL DEFAULT '[]',
    UNIQUE (referral_id, version)
);

CREATE TRIGGER referral_assessments_version AFTER INSERT OR UPDATE OR DELETE ON referral_assessments
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
