DROP TABLE domain_events;
DROP TABLE referral_history;
DROP TABLE referral_risks;
DROP TABLE referral_court_orders;
DROP TABLE referral_relations;
DROP TABLE referral_adults;
DROP TABLE referral_children;
DROP TABLE referrals;
