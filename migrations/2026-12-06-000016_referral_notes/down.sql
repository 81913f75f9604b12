DROP TABLE referral_notes;
