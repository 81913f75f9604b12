DROP TABLE family_attendees;
DROP TABLE referral_letters;
DROP TABLE ground_rule_agreements;
DROP TABLE ground_rules;
DROP TABLE pre_visits;
DROP FUNCTION pre_visit_instants();
