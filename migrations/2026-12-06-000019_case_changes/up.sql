-- Case changes the centre records (issue "referrals, part 2", item 9).

-- A party's part from a signed paper form, entered by a coordinator: the date
-- the form was signed, and who entered it.
ALTER TABLE referral_adults
    ADD COLUMN part_paper_signed_on DATE,
    ADD COLUMN part_recorded_by UUID REFERENCES users (id),
    ADD CONSTRAINT referral_adults_paper_part CHECK ((part_paper_signed_on IS NULL) = (part_recorded_by IS NULL));

-- A charging centre's quote, recorded when it accepts the family: what is
-- charged, how much, and who pays.
CREATE TABLE referral_quotes (
    referral_id UUID PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    what TEXT NOT NULL CHECK (length(what) BETWEEN 1 AND 500),
    amount_pence INTEGER NOT NULL CHECK (amount_pence BETWEEN 0 AND 10000000),
    payer TEXT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TRIGGER referral_quotes_version AFTER INSERT OR UPDATE OR DELETE ON referral_quotes
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
