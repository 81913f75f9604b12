-- Contact sessions (issue "contact sessions").

-- Staff and double-booking are held by an exclusion constraint over a uuid
-- and a range, which needs the btree_gist operators for the uuid.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Each venue's named entrances (centres). A venue with separate entrances
-- has two, so that parties who must not meet come and go by different doors.
ALTER TABLE venues ADD COLUMN entrances TEXT[] NOT NULL DEFAULT '{"Main entrance"}';
UPDATE venues SET entrances = '{"Front entrance","Side entrance"}' WHERE separate_entrances;
ALTER TABLE venues ADD CONSTRAINT venues_entrances CHECK (cardinality(entrances) BETWEEN 1 AND 10);

-- Staff vetting (identity): the criminal-record check of a staff member or
-- coordinator (DBS in England and Wales, AccessNI in Northern Ireland) and
-- their training. Only a check whose renewal is not yet due lets a person be
-- assigned to a session.
CREATE TABLE staff_vetting (
    user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    scheme TEXT NOT NULL CHECK (scheme IN ('dbs', 'access_ni')),
    certificate_number TEXT NOT NULL CHECK (length(certificate_number) BETWEEN 1 AND 40),
    issued_on DATE NOT NULL,
    renewal_due_on DATE NOT NULL CHECK (renewal_due_on > issued_on),
    training TEXT[] NOT NULL DEFAULT '{}',
    recorded_by UUID NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A staff member's weekly availability (identity): when they can be assigned.
CREATE TABLE staff_availability (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    weekday SMALLINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts TIME NOT NULL,
    ends TIME NOT NULL CHECK (ends > starts),
    PRIMARY KEY (user_id, weekday, starts)
);

-- A family's regular arrangement (sessions), set when contact starts: the
-- opening session, how often, from when and until when.
CREATE TABLE contact_arrangements (
    referral_id UUID PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    opening_session_id UUID NOT NULL REFERENCES opening_sessions (id),
    service TEXT NOT NULL,
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'fortnightly')),
    first_on DATE NOT NULL,
    until_on DATE CHECK (until_on >= first_on),
    staff_id UUID REFERENCES users (id),
    set_by UUID NOT NULL REFERENCES users (id),
    set_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Contact sessions (sessions): a family's booking in an opening session on a
-- date. Times are the centre's local ones; the instants are derived on every
-- write. A handover's pick-up may be days after its drop-off (`ends_on`).
CREATE TABLE contact_sessions (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    family_id UUID NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    centre_id UUID NOT NULL REFERENCES centres (id),
    venue_id UUID NOT NULL REFERENCES venues (id),
    opening_session_id UUID NOT NULL REFERENCES opening_sessions (id),
    -- The sessions booked by one request (a repeat) share it.
    series_id UUID NOT NULL,
    service TEXT NOT NULL,
    on_date DATE NOT NULL,
    starts TIME NOT NULL,
    ends_on DATE NOT NULL CHECK (ends_on >= on_date),
    ends TIME NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    -- Supported contact takes one of the opening session's places.
    takes_place BOOLEAN NOT NULL,
    staff_id UUID REFERENCES users (id),
    meeting_link TEXT CHECK (length(meeting_link) <= 500),
    place TEXT CHECK (length(place) <= 500),
    keep_apart BOOLEAN NOT NULL,
    status TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'cancelled', 'completed', 'terminated', 'no_show')),
    cancelled_by UUID REFERENCES users (id),
    cancelled_by_side TEXT CHECK (cancelled_by_side IN ('centre', 'referrer', 'party')),
    cancelled_by_adult UUID REFERENCES referral_adults (id),
    cancelled_at TIMESTAMPTZ,
    cancel_reason TEXT CHECK (length(cancel_reason) <= 2000),
    notice_hours INTEGER,
    late BOOLEAN,
    booked_by UUID NOT NULL REFERENCES users (id),
    booked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (ends_on > on_date OR ends > starts),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    -- A staff member is with one family at a time: enforced here, so two
    -- coordinators assigning them at once cannot both succeed.
    CONSTRAINT contact_sessions_staff_free EXCLUDE USING gist (
        staff_id WITH =, tstzrange(starts_at, ends_at) WITH &&
    ) WHERE (status = 'scheduled' AND staff_id IS NOT NULL)
);
-- A family is booked into an opening session on a date once (a cancelled
-- one may be booked again).
CREATE UNIQUE INDEX contact_sessions_once ON contact_sessions (family_id, opening_session_id, on_date)
    WHERE status <> 'cancelled';
CREATE INDEX contact_sessions_by_family ON contact_sessions (family_id, starts_at, id);
CREATE INDEX contact_sessions_by_day ON contact_sessions (centre_id, on_date, starts_at, id);
CREATE INDEX contact_sessions_by_staff ON contact_sessions (staff_id, on_date) WHERE staff_id IS NOT NULL;

CREATE FUNCTION contact_session_instants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.starts_at := (NEW.on_date + NEW.starts) AT TIME ZONE 'Europe/London';
    NEW.ends_at := (NEW.ends_on + NEW.ends) AT TIME ZONE 'Europe/London';
    RETURN NEW;
END;
$$;
CREATE TRIGGER contact_sessions_instants BEFORE INSERT OR UPDATE OF on_date, starts, ends_on, ends ON contact_sessions
    FOR EACH ROW EXECUTE FUNCTION contact_session_instants();

-- The places taken in each opening session on each date. The CHECK holds the
-- capacity: the row is locked by the update that takes a place, so bookings
-- at once queue on it and the one past capacity fails, never overbooks.
CREATE TABLE slot_places (
    opening_session_id UUID NOT NULL REFERENCES opening_sessions (id) ON DELETE CASCADE,
    on_date DATE NOT NULL,
    capacity INTEGER NOT NULL,
    taken INTEGER NOT NULL CHECK (taken >= 0),
    PRIMARY KEY (opening_session_id, on_date),
    CONSTRAINT slot_places_within_capacity CHECK (taken <= capacity)
);

CREATE FUNCTION contact_session_places() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    was BOOLEAN := TG_OP = 'UPDATE' AND OLD.takes_place AND OLD.status = 'scheduled';
    now_takes BOOLEAN := NEW.takes_place AND NEW.status = 'scheduled';
BEGIN
    IF now_takes AND NOT was THEN
        INSERT INTO slot_places AS p (opening_session_id, on_date, capacity, taken)
            SELECT NEW.opening_session_id, NEW.on_date, o.capacity, 1
            FROM opening_sessions o WHERE o.id = NEW.opening_session_id
        ON CONFLICT (opening_session_id, on_date)
            DO UPDATE SET taken = p.taken + 1, capacity = EXCLUDED.capacity;
    ELSIF was AND NOT now_takes THEN
        UPDATE slot_places SET taken = taken - 1
            WHERE opening_session_id = OLD.opening_session_id AND on_date = OLD.on_date;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER contact_sessions_places AFTER INSERT OR UPDATE OF status ON contact_sessions
    FOR EACH ROW EXECUTE FUNCTION contact_session_places();

-- Each party's arrival and leaving windows at a session, at an entrance. For
-- families whose parties must not meet, no two families' windows overlap at
-- an entrance of a venue: held by the exclusion constraint.
CREATE TABLE session_windows (
    contact_session_id UUID NOT NULL REFERENCES contact_sessions (id) ON DELETE CASCADE,
    adult_id UUID NOT NULL REFERENCES referral_adults (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('arrives', 'leaves')),
    venue_id UUID NOT NULL REFERENCES venues (id),
    entrance TEXT NOT NULL,
    on_date DATE NOT NULL,
    starts TIME NOT NULL,
    ends TIME NOT NULL CHECK (ends > starts),
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    keep_apart BOOLEAN NOT NULL,
    PRIMARY KEY (contact_session_id, adult_id, kind),
    -- (A family's own parties are kept apart by the stagger, not here: two
    -- visitors may share their window.)
    CONSTRAINT session_windows_apart EXCLUDE USING gist (
        venue_id WITH =, entrance WITH =, contact_session_id WITH <>,
        tstzrange(starts_at, ends_at) WITH &&
    ) WHERE (keep_apart)
);
CREATE INDEX session_windows_at_venue ON session_windows (venue_id, on_date) WHERE keep_apart;

CREATE FUNCTION session_window_instants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.starts_at := (NEW.on_date + NEW.starts) AT TIME ZONE 'Europe/London';
    NEW.ends_at := (NEW.on_date + NEW.ends) AT TIME ZONE 'Europe/London';
    RETURN NEW;
END;
$$;
CREATE TRIGGER session_windows_instants BEFORE INSERT OR UPDATE ON session_windows
    FOR EACH ROW EXECUTE FUNCTION session_window_instants();

-- A session no longer scheduled frees its windows (another family may use
-- the entrance then).
CREATE FUNCTION contact_session_frees_windows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM session_windows WHERE contact_session_id = NEW.id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER contact_sessions_free_windows AFTER UPDATE OF status ON contact_sessions
    FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status = 'scheduled')
    EXECUTE FUNCTION contact_session_frees_windows();

-- A referral that ends (declined, closed) cancels its sessions still to come.
CREATE FUNCTION contact_sessions_end_with_referral() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_sessions
        SET status = 'cancelled', cancelled_at = now(), cancelled_by_side = 'centre',
            cancel_reason = 'The referral was closed'
        WHERE referral_id = NEW.id AND status = 'scheduled' AND starts_at > now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER referrals_end_contact_sessions AFTER UPDATE OF status ON referrals
    FOR EACH ROW WHEN (NEW.status IN ('declined', 'closed') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION contact_sessions_end_with_referral();

-- A letter may be kept as the PDF sent (the acceptance letter): its bytes,
-- rendered once from the text when it was sent.
ALTER TABLE referral_letters ADD COLUMN pdf BYTEA;
ALTER TABLE referral_letters DROP CONSTRAINT referral_letters_kind_check;
ALTER TABLE referral_letters ADD CONSTRAINT referral_letters_kind_check
    CHECK (kind IN ('decline', 'offer', 'pre_visit', 'closing', 'acceptance'));
