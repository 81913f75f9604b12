-- The waiting list (referrals::waiting_list): a centre's waitlisted
-- referrals per service, first come (`waitlisted_at`) unless a recorded
-- reason prioritises one; and the offers of a place, each held until it
-- expires (the centre's `offer_days`, default 7). A place refused or lapsed
-- passes to the next family in line that has not had it (`place_id` follows
-- the place from offer to offer).
ALTER TABLE centres
    ADD COLUMN offer_days integer NOT NULL DEFAULT 7 CHECK (offer_days BETWEEN 1 AND 60);
ALTER TABLE referrals
    ADD COLUMN waitlisted_at TIMESTAMPTZ,
    ADD COLUMN priority_reason TEXT CHECK (length(priority_reason) BETWEEN 1 AND 2000);

CREATE TABLE referral_offers (
    id UUID PRIMARY KEY,
    place_id UUID NOT NULL,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    centre_id UUID NOT NULL REFERENCES centres (id),
    service TEXT NOT NULL,
    offered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    outcome TEXT CHECK (outcome IN ('taken', 'refused', 'lapsed')),
    decided_at TIMESTAMPTZ,
    passed_on BOOLEAN NOT NULL DEFAULT false,
    CHECK ((outcome IS NULL) = (decided_at IS NULL)),
    CHECK (expires_at > offered_at)
);
-- One open offer per referral at a time.
CREATE UNIQUE INDEX referral_offers_one_open ON referral_offers (referral_id) WHERE outcome IS NULL;
CREATE INDEX referral_offers_by_referral ON referral_offers (referral_id, offered_at);
CREATE INDEX referral_offers_by_place ON referral_offers (place_id);
CREATE INDEX referral_offers_open_by_centre ON referral_offers (centre_id, expires_at) WHERE outcome IS NULL;
CREATE INDEX referral_offers_to_pass ON referral_offers (centre_id) WHERE outcome IN ('refused', 'lapsed') AND NOT passed_on;
CREATE INDEX referrals_waiting ON referrals (centre_id, service, waitlisted_at) WHERE status = 'waitlisted';

CREATE TRIGGER referral_offers_version AFTER INSERT OR UPDATE OR DELETE ON referral_offers
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
