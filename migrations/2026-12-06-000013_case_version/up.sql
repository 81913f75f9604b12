-- A case's version (http::preconditions): every change to a referral or to
-- its people, children, risks, court orders or questions moves it by one.
-- Reads carry it as their ETag; case changes send it back in If-Match. Kept
-- by triggers, so no write path can forget it.
ALTER TABLE referrals ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE FUNCTION referral_version_next() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;
CREATE TRIGGER referrals_version BEFORE UPDATE ON referrals
    FOR EACH ROW EXECUTE FUNCTION referral_version_next();

-- A change to a row that belongs to a referral moves the referral's version
-- (through the trigger above).
CREATE FUNCTION referral_part_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE referrals SET version = version WHERE id = OLD.referral_id;
        RETURN OLD;
    END IF;
    UPDATE referrals SET version = version WHERE id = NEW.referral_id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER referral_adults_version AFTER INSERT OR UPDATE OR DELETE ON referral_adults
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
CREATE TRIGGER referral_children_version AFTER INSERT OR UPDATE OR DELETE ON referral_children
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
CREATE TRIGGER referral_risks_version AFTER INSERT OR UPDATE OR DELETE ON referral_risks
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
CREATE TRIGGER referral_court_orders_version AFTER INSERT OR UPDATE OR DELETE ON referral_court_orders
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
CREATE TRIGGER referral_questions_version AFTER INSERT OR UPDATE OR DELETE ON referral_questions
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
