ALTER TABLE referral_history DROP COLUMN visibility;
