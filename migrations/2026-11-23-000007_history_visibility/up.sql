-- A history entry's note may speak of the other party (a decision's reasons):
-- `centre` entries are for the centre alone, `shared` ones for everyone who
-- sees the referral. Entries written so far carry only status words.
ALTER TABLE referral_history
    ADD COLUMN visibility text NOT NULL DEFAULT 'shared'
        CHECK (visibility IN ('centre', 'shared'));
ALTER TABLE referral_history ALTER COLUMN visibility DROP DEFAULT;
