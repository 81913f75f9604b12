DROP TRIGGER referral_questions_version ON referral_questions;
DROP TRIGGER referral_court_orders_version ON referral_court_orders;
DROP TRIGGER referral_risks_version ON referral_risks;
DROP TRIGGER referral_children_version ON referral_children;
DROP TRIGGER referral_adults_version ON referral_adults;
DROP FUNCTION referral_part_changed();
DROP TRIGGER referrals_version ON referrals;
DROP FUNCTION referral_version_next();
ALTER TABLE referrals DROP COLUMN version;
