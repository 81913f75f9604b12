DROP TABLE referral_quotes;
ALTER TABLE referral_adults DROP CONSTRAINT referral_adults_paper_part,
    DROP COLUMN part_paper_signed_on, DROP COLUMN part_recorded_by;
