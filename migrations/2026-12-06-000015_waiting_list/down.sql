DROP TABLE referral_offers;
DROP INDEX referrals_waiting;
ALTER TABLE referrals DROP COLUMN waitlisted_at, DROP COLUMN priority_reason;
ALTER TABLE centres DROP COLUMN offer_days;
