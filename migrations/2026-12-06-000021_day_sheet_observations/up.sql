-- The day's running of contact (issue "contact sessions", continued):
-- observers, outcomes recorded on the day, and reminders the day before.

-- Whether a centre lets a children's court officer observe a session
-- (centres). Off until its coordinators say so.
ALTER TABLE centres ADD COLUMN allows_observations BOOLEAN NOT NULL DEFAULT false;

-- A children's court officer's request to observe a family's session
-- (sessions). The officer names the day and the clients; where their
-- organisation did not refer the family, the coordinators match it to a
-- session, and nothing links the request to a family until they approve.
-- The observer's name and organisation are kept as asked, for day sheets.
CREATE TABLE observation_requests (
    id UUID PRIMARY KEY,
    centre_id UUID NOT NULL REFERENCES centres (id),
    requested_by UUID NOT NULL REFERENCES users (id),
    organisation_id UUID REFERENCES organisations (id),
    observer_name TEXT NOT NULL,
    organisation_name TEXT NOT NULL,
    on_date DATE NOT NULL,
    clients TEXT[] NOT NULL CHECK (cardinality(clients) BETWEEN 1 AND 10),
    note TEXT,
    family_id UUID REFERENCES families (id),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'declined', 'withdrawn')),
    contact_session_id UUID REFERENCES contact_sessions (id),
    decided_by UUID REFERENCES users (id),
    decided_at TIMESTAMPTZ,
    decline_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- An approved request names its session; no other does.
    CONSTRAINT observation_requests_session
        CHECK ((status = 'approved') = (contact_session_id IS NOT NULL))
);
CREATE INDEX observation_requests_by_centre ON observation_requests (centre_id, created_at, id);
CREATE INDEX observation_requests_by_requester ON observation_requests (requested_by, created_at, id);
CREATE INDEX observation_requests_by_session ON observation_requests (contact_session_id)
    WHERE contact_session_id IS NOT NULL;

-- What happened on the day (sessions), recorded by the centre's people:
-- the session's status says completed, terminated or no_show; this says who
-- recorded it, a note, and for a no-show which parties did not come
-- (counted per party).
CREATE TABLE session_outcomes (
    contact_session_id UUID PRIMARY KEY REFERENCES contact_sessions (id) ON DELETE CASCADE,
    recorded_by UUID NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    note TEXT CHECK (length(note) <= 2000),
    absent_adults UUID[] NOT NULL DEFAULT '{}'
);
CREATE INDEX session_outcomes_absent ON session_outcomes USING gin (absent_adults);

-- When the reminder of the day before went out (once per session).
ALTER TABLE contact_sessions ADD COLUMN reminded_at TIMESTAMPTZ;
CREATE INDEX contact_sessions_to_remind ON contact_sessions (on_date)
    WHERE status = 'scheduled' AND reminded_at IS NULL;

-- A centre's schedule changed after sessions were booked (sessions): a
-- closure entered, an opening session changed, a service withdrawn, the
-- centre closed. The centres module knows nothing of contact sessions; these
-- triggers note the centre here, in the same transaction as the change, and
-- the jobs cancel the sessions that no longer fit, telling those who attend.
CREATE TABLE schedule_changes (
    centre_id UUID PRIMARY KEY REFERENCES centres (id) ON DELETE CASCADE,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE FUNCTION schedule_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    centre UUID;
BEGIN
    -- A centre's row is its own id; a closure's or slot's names it.
    IF TG_TABLE_NAME = 'centres' THEN
        centre := NEW.id;
    ELSE
        centre := NEW.centre_id;
    END IF;
    INSERT INTO schedule_changes (centre_id) VALUES (centre)
    ON CONFLICT (centre_id) DO UPDATE SET changed_at = now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER closures_change_schedule AFTER INSERT OR UPDATE ON closures
    FOR EACH ROW EXECUTE FUNCTION schedule_changed();
CREATE TRIGGER opening_sessions_change_schedule AFTER UPDATE ON opening_sessions
    FOR EACH ROW EXECUTE FUNCTION schedule_changed();
CREATE TRIGGER centres_change_schedule AFTER UPDATE OF services, status ON centres
    FOR EACH ROW WHEN (OLD.services IS DISTINCT FROM NEW.services OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION schedule_changed();

-- An opening session with contact sessions booked in it is never removed:
-- its history stays, and its future sessions are ended by setting its
-- `effective_to`. The refusal lists the dates still to come.
CREATE FUNCTION opening_session_keeps_bookings() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    booked TEXT;
BEGIN
    IF EXISTS (SELECT 1 FROM contact_sessions WHERE opening_session_id = OLD.id) THEN
        SELECT string_agg(d::text, ', ' ORDER BY d) INTO booked FROM (
            SELECT DISTINCT on_date AS d FROM contact_sessions
            WHERE opening_session_id = OLD.id AND status = 'scheduled' AND starts_at > now()
            ORDER BY d LIMIT 20) dates;
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = 'contact sessions are booked in this opening session'
                || COALESCE(' (still to come: ' || booked || ')', ' (past ones are kept)')
                || '; set its effective_to to end it, and those after that day are cancelled with notice';
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER opening_sessions_keep_bookings BEFORE DELETE ON opening_sessions
    FOR EACH ROW EXECUTE FUNCTION opening_session_keeps_bookings();

-- A party's calendar feed (sessions): an .ics of their own sessions at a
-- secret URL, kept as the SHA-256 of its token; revoked, it answers nothing.
CREATE TABLE calendar_feeds (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL REFERENCES families (id),
    adult_id UUID NOT NULL REFERENCES referral_adults (id),
    token_hash BYTEA NOT NULL UNIQUE,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
CREATE INDEX calendar_feeds_of_adult ON calendar_feeds (family_id, adult_id);

-- A venue keeps the entrances named by windows still to come (sessions): the
-- windows of families kept apart are held apart by entrance name, so a
-- renamed or removed entrance would let new windows clash with them.
CREATE FUNCTION venue_keeps_entrances_in_use() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    in_use TEXT;
BEGIN
    SELECT string_agg(DISTINCT w.entrance, ', ') INTO in_use
    FROM session_windows w JOIN contact_sessions s ON s.id = w.contact_session_id
    WHERE w.venue_id = NEW.id AND s.status = 'scheduled' AND s.ends_at > now()
      AND NOT (w.entrance = ANY (NEW.entrances));
    IF in_use IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = 'entrances named by contact sessions still to come cannot be renamed or removed: '
                || in_use || '; keep them until those sessions are over';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER venues_keep_entrances_in_use BEFORE UPDATE OF entrances ON venues
    FOR EACH ROW WHEN (OLD.entrances IS DISTINCT FROM NEW.entrances)
    EXECUTE FUNCTION venue_keeps_entrances_in_use();

-- An approved observation follows its session: cancelled (or moved, which
-- cancels it), the request is pending again for the coordinators to match
-- to another session or decline.
CREATE FUNCTION contact_session_releases_observers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE observation_requests
        SET status = 'pending', contact_session_id = NULL, decided_by = NULL, decided_at = NULL
        WHERE contact_session_id = NEW.id AND status = 'approved';
    RETURN NEW;
END;
$$;
CREATE TRIGGER contact_sessions_release_observers AFTER UPDATE OF status ON contact_sessions
    FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status = 'scheduled')
    EXECUTE FUNCTION contact_session_releases_observers();

-- A family's conditions changed after booking (a new assessment, or the
-- parties asking never to meet): the centre is noted, and the jobs cancel,
-- with notice, the sessions booked under the earlier conditions (someone
-- who may no longer attend has windows, or the parties are no longer kept
-- apart).
CREATE FUNCTION conditions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO schedule_changes (centre_id)
        SELECT centre_id FROM referrals WHERE id = NEW.referral_id
    ON CONFLICT (centre_id) DO UPDATE SET changed_at = now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER referral_assessments_change_conditions AFTER INSERT ON referral_assessments
    FOR EACH ROW EXECUTE FUNCTION conditions_changed();
CREATE FUNCTION referral_conditions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO schedule_changes (centre_id) VALUES (NEW.centre_id)
    ON CONFLICT (centre_id) DO UPDATE SET changed_at = now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER referrals_change_conditions AFTER UPDATE OF parties_must_not_meet ON referrals
    FOR EACH ROW WHEN (NEW.parties_must_not_meet AND NOT OLD.parties_must_not_meet)
    EXECUTE FUNCTION referral_conditions_changed();

-- A new regular arrangement the centre proposes once contact runs
-- (sessions): it takes effect only when every party who attends agreed.
CREATE TABLE arrangement_proposals (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals (id),
    opening_session_id UUID NOT NULL REFERENCES opening_sessions (id),
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'fortnightly')),
    first_on DATE NOT NULL,
    until_on DATE NOT NULL CHECK (until_on >= first_on),
    staff_id UUID REFERENCES users (id),
    proposed_by UUID NOT NULL REFERENCES users (id),
    proposed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The parties whose agreement it needs, and those who gave it.
    needs UUID[] NOT NULL,
    agreed UUID[] NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_force', 'superseded', 'lapsed')),
    settled_at TIMESTAMPTZ
);
-- At most one proposal waits for agreement per family.
CREATE UNIQUE INDEX arrangement_proposals_one_pending ON arrangement_proposals (referral_id)
    WHERE status = 'pending';

-- A cancelled session keeps its windows, no longer held apart: they still
-- say who attended it (who may see it), and free the entrance for others.
CREATE OR REPLACE FUNCTION contact_session_frees_windows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE session_windows SET keep_apart = false WHERE contact_session_id = NEW.id;
    RETURN NEW;
END;
$$;

-- A proposal waiting for agreement ends with the case, and gives way to a
-- new assessment (whose conditions may change who must agree).
CREATE FUNCTION supersede_pending_proposals(referral UUID) RETURNS void
LANGUAGE sql AS $$
    UPDATE arrangement_proposals SET status = 'superseded', settled_at = now()
        WHERE referral_id = referral AND status = 'pending';
$$;
CREATE FUNCTION referral_ends_proposals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM supersede_pending_proposals(NEW.id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER referrals_end_proposals AFTER UPDATE OF status ON referrals
    FOR EACH ROW WHEN (NEW.status IN ('declined', 'closed') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION referral_ends_proposals();
CREATE FUNCTION assessment_supersedes_proposals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM supersede_pending_proposals(NEW.referral_id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER referral_assessments_supersede_proposals AFTER INSERT ON referral_assessments
    FOR EACH ROW EXECUTE FUNCTION assessment_supersedes_proposals();
