DROP TABLE family_attendees;
DROP TABLE referral_letters;
DROP TABLE ground_rule_agreements;
DROP TABLE ground_rules;
DROP TRIGGER referrals_end_pre_visits ON referrals;
DROP FUNCTION pre_visits_end_with_referral();
DROP TABLE pre_visits;
DROP FUNCTION pre_visit_instants();
