-- Preparing an accepted family for contact (issue "referrals, part 2").

-- Pre-visits (sessions): the child with the resident parent or carer, and
-- each other party, each at their own time at a venue of the centre. Times
-- are the centre's local times (Europe/London); the instants are derived
-- from them on every write, so a reader never converts.
CREATE TABLE pre_visits (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    centre_id UUID NOT NULL REFERENCES centres (id),
    adult_id UUID NOT NULL REFERENCES referral_adults (id) ON DELETE CASCADE,
    venue_id UUID NOT NULL REFERENCES venues (id),
    with_children BOOLEAN NOT NULL,
    -- The family's parties must not meet: its visits keep apart from other
    -- such families' at the venue too.
    keep_apart BOOLEAN NOT NULL DEFAULT false,
    on_date DATE NOT NULL,
    starts TIME NOT NULL,
    ends TIME NOT NULL CHECK (ends > starts),
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'done', 'missed', 'cancelled')),
    identity_checked BOOLEAN NOT NULL DEFAULT false,
    recorded_by UUID REFERENCES users (id),
    recorded_at TIMESTAMPTZ,
    booked_by UUID NOT NULL REFERENCES users (id),
    booked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A done pre-visit is one at which the party's identity was checked;
    -- no other has it checked.
    CHECK ((status = 'done') = identity_checked),
    CHECK ((status = 'booked') = (recorded_at IS NULL))
);
-- One booked pre-visit per party at a time: a missed one may be booked again.
CREATE UNIQUE INDEX pre_visits_one_booked ON pre_visits (adult_id) WHERE status = 'booked';
CREATE INDEX pre_visits_by_referral ON pre_visits (referral_id, starts_at, id);
CREATE INDEX pre_visits_kept_apart ON pre_visits (venue_id, starts_at) WHERE keep_apart AND status = 'booked';

CREATE FUNCTION pre_visit_instants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.starts_at := (NEW.on_date + NEW.starts) AT TIME ZONE 'Europe/London';
    NEW.ends_at := (NEW.on_date + NEW.ends) AT TIME ZONE 'Europe/London';
    RETURN NEW;
END;
$$;
CREATE TRIGGER pre_visits_instants BEFORE INSERT OR UPDATE ON pre_visits
    FOR EACH ROW EXECUTE FUNCTION pre_visit_instants();
CREATE TRIGGER pre_visits_version AFTER INSERT OR UPDATE OR DELETE ON pre_visits
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();

-- A referral that ends (declined, closed) cancels its pre-visits still to
-- come, in the same transaction: nobody is expected at the centre for a
-- family it no longer takes.
CREATE FUNCTION pre_visits_end_with_referral() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE pre_visits SET status = 'cancelled', recorded_at = now()
        WHERE referral_id = NEW.id AND status = 'booked';
    RETURN NEW;
END;
$$;
CREATE TRIGGER referrals_end_pre_visits AFTER UPDATE OF status ON referrals
    FOR EACH ROW WHEN (NEW.status IN ('declined', 'closed') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION pre_visits_end_with_referral();

-- Ground rules (centres): each centre's rules, versioned; a published
-- version is never changed, a new one is published instead.
CREATE TABLE ground_rules (
    centre_id UUID NOT NULL REFERENCES centres (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 20000),
    published_by UUID REFERENCES users (id),
    published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (centre_id, version)
);

-- Each party's agreement to a version of their centre's ground rules
-- (referrals), in the app or from a signed paper form.
CREATE TABLE ground_rule_agreements (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    adult_id UUID NOT NULL REFERENCES referral_adults (id) ON DELETE CASCADE,
    centre_id UUID NOT NULL,
    version INTEGER NOT NULL,
    how TEXT NOT NULL CHECK (how IN ('app', 'paper')),
    signed_on DATE,
    recorded_by UUID NOT NULL REFERENCES users (id),
    agreed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (centre_id, version) REFERENCES ground_rules (centre_id, version),
    -- A paper form carries the date it was signed; the app is its own record.
    CHECK ((how = 'paper') = (signed_on IS NOT NULL)),
    UNIQUE (adult_id, centre_id, version)
);
CREATE INDEX ground_rule_agreements_by_referral ON ground_rule_agreements (referral_id);
CREATE TRIGGER ground_rule_agreements_version AFTER INSERT OR UPDATE OR DELETE ON ground_rule_agreements
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();

-- Letters (referrals): each kept as sent, for its one recipient: a party, or
-- the referrer's side.
CREATE TABLE referral_letters (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('decline', 'offer', 'pre_visit', 'closing')),
    adult_id UUID REFERENCES referral_adults (id) ON DELETE CASCADE,
    recipient_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX referral_letters_by_referral ON referral_letters (referral_id, sent_at, id);

-- Other people who attend with a party (families): asked for by a party or
-- the referrer's side, approved by a coordinator on the date of the written
-- confirmation; a new partner only with a recorded reason.
CREATE TABLE family_attendees (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    accompanies UUID NOT NULL REFERENCES referral_adults (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    relation TEXT NOT NULL,
    why TEXT NOT NULL CHECK (length(why) BETWEEN 1 AND 2000),
    requested_by_user UUID REFERENCES users (id),
    requested_by_client UUID REFERENCES integration_clients (id),
    requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'refused')),
    confirmation_on DATE,
    decision_reason TEXT CHECK (length(decision_reason) BETWEEN 1 AND 2000),
    decided_by UUID REFERENCES users (id),
    decided_at TIMESTAMPTZ,
    CHECK ((requested_by_user IS NULL) <> (requested_by_client IS NULL)),
    CHECK ((status = 'requested') = (decided_at IS NULL)),
    CHECK (status <> 'approved' OR confirmation_on IS NOT NULL),
    -- A new partner attends only with the coordinator's recorded reason.
    CHECK (status <> 'approved' OR relation <> 'new_partner' OR decision_reason IS NOT NULL)
);
CREATE INDEX family_attendees_by_family ON family_attendees (family_id, requested_at, id);
CREATE TRIGGER family_attendees_version AFTER INSERT OR UPDATE OR DELETE ON family_attendees
    FOR EACH ROW EXECUTE FUNCTION referral_part_changed();
