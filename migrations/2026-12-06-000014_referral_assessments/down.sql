DROP TABLE referral_assessments;
ALTER TABLE centres DROP COLUMN stagger_minutes;
