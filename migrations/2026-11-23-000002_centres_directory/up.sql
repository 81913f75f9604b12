-- The centres directory: what a centre offers, where (venues), when (weekly
-- opening sessions and closures), and the postcode tables that place venues and
-- searches on the map.

-- Overlapping opening sessions in one room are refused by an exclusion
-- constraint, which needs equality on uuid/text inside a GiST index.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The service words of DOMAIN.md (`service_type`).
CREATE FUNCTION is_service_list(services text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_position(services, NULL) IS NULL
       AND services <@ ARRAY['supported', 'supervised', 'handover', 'virtual_supported',
                             'virtual_supervised', 'indirect', 'community', 'life_story',
                             'preparatory', 'supervised_assessment']::text[]
$$;

ALTER TABLE centres
    ADD COLUMN description               text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    ADD COLUMN accrediting_body          text CHECK (length(btrim(accrediting_body)) BETWEEN 1 AND 200),
    ADD COLUMN accreditation_status      text NOT NULL DEFAULT 'not_accredited'
        CHECK (accreditation_status IN ('accredited', 'provisional', 'suspended', 'expired', 'not_accredited')),
    ADD COLUMN accredited_on             date,
    ADD COLUMN accreditation_expires_on  date,
    ADD COLUMN services                  text[] NOT NULL DEFAULT '{}' CHECK (is_service_list(services)),
    ADD COLUMN accepts_self_referrals    boolean NOT NULL DEFAULT false,
    ADD COLUMN fee_kind                  text NOT NULL DEFAULT 'free' CHECK (fee_kind IN ('free', 'charged')),
    ADD COLUMN fee_description           text CHECK (length(btrim(fee_description)) BETWEEN 1 AND 1000),
    ADD COLUMN contact_email             text CHECK (length(contact_email) <= 254),
    ADD COLUMN contact_phone             text CHECK (length(contact_phone) <= 40),
    ADD COLUMN website                   text CHECK (length(website) <= 500),
    -- A referral takes at least two weeks from receipt to first contact.
    ADD COLUMN min_referral_notice_days  integer NOT NULL DEFAULT 14 CHECK (min_referral_notice_days BETWEEN 0 AND 365),
    -- Why a network admin suspended or closed the centre.
    ADD COLUMN status_reason             text CHECK (length(btrim(status_reason)) BETWEEN 1 AND 500),
    -- Rows loaded by `ccc seed-demo`, never real centres.
    ADD COLUMN demo                      boolean NOT NULL DEFAULT false,
    -- A charge is described; a free centre has no charge to describe.
    ADD CONSTRAINT centres_fee_described CHECK ((fee_kind = 'charged') = (fee_description IS NOT NULL)),
    ADD CONSTRAINT centres_accreditation_dates CHECK (accreditation_expires_on > accredited_on),
    -- Accredited means by someone, until a date.
    ADD CONSTRAINT centres_accreditation_complete CHECK (
        accreditation_status = 'not_accredited'
        OR (accrediting_body IS NOT NULL AND accreditation_expires_on IS NOT NULL));
CREATE INDEX centres_name_idx ON centres (lower(name), id);

-- Where a centre runs its sessions (the NI network has 16 centres in 23 locations).
CREATE TABLE venues (
    id                  uuid PRIMARY KEY,
    centre_id           uuid NOT NULL REFERENCES centres (id),
    name                text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    address_line1       text NOT NULL CHECK (length(btrim(address_line1)) BETWEEN 1 AND 200),
    address_line2       text CHECK (length(address_line2) <= 200),
    town                text NOT NULL CHECK (length(btrim(town)) BETWEEN 1 AND 100),
    postcode            text CHECK (postcode ~ '^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$'),
    -- WGS84, inside the British Isles.
    latitude            double precision NOT NULL CHECK (latitude BETWEEN 49.0 AND 61.0),
    longitude           double precision NOT NULL CHECK (longitude BETWEEN -11.0 AND 2.0),
    -- Where the coordinates came from: the postcode itself, its district's
    -- centroid (the full postcode table was not loaded), or the coordinator.
    location_source     text NOT NULL CHECK (location_source IN ('postcode', 'postcode_district', 'given')),
    rooms               text[] NOT NULL CHECK (cardinality(rooms) BETWEEN 1 AND 50
                                               AND array_position(rooms, NULL) IS NULL),
    -- Handovers where parents must not meet need a second way in.
    separate_entrances  boolean NOT NULL DEFAULT false,
    accessibility       text NOT NULL DEFAULT '' CHECK (length(accessibility) <= 1000),
    parking             text NOT NULL DEFAULT '' CHECK (length(parking) <= 1000),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, centre_id)
);
CREATE INDEX venues_centre_idx ON venues (centre_id);
SELECT diesel_manage_updated_at('venues');

-- A weekly slot at a venue. Weekdays are ISO 8601 (1 = Monday .. 7 = Sunday).
CREATE TABLE opening_sessions (
    id              uuid PRIMARY KEY,
    centre_id       uuid NOT NULL,
    venue_id        uuid NOT NULL,
    weekday         smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts_at       time NOT NULL,
    ends_at         time NOT NULL,
    room            text NOT NULL CHECK (length(btrim(room)) BETWEEN 1 AND 100),
    -- Families at once.
    capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    services        text[] NOT NULL CHECK (cardinality(services) >= 1 AND is_service_list(services)),
    effective_from  date NOT NULL,
    effective_to    date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (venue_id, centre_id) REFERENCES venues (id, centre_id) ON DELETE CASCADE,
    CONSTRAINT opening_sessions_times CHECK (ends_at > starts_at),
    CONSTRAINT opening_sessions_dates CHECK (effective_to >= effective_from),
    -- One room holds one opening session at a time.
    CONSTRAINT opening_sessions_no_overlap EXCLUDE USING gist (
        venue_id WITH =,
        room WITH =,
        weekday WITH =,
        numrange(extract(epoch FROM starts_at), extract(epoch FROM ends_at)) WITH &&,
        daterange(effective_from, effective_to, '[]') WITH &&
    )
);
CREATE INDEX opening_sessions_centre_idx ON opening_sessions (centre_id, weekday);
SELECT diesel_manage_updated_at('opening_sessions');

-- Days a venue (or, with no venue, the whole centre) does not open: bank
-- holidays, ad hoc closures.
CREATE TABLE closures (
    id          uuid PRIMARY KEY,
    centre_id   uuid NOT NULL REFERENCES centres (id),
    venue_id    uuid,
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    reason      text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (venue_id, centre_id) REFERENCES venues (id, centre_id) ON DELETE CASCADE,
    CONSTRAINT closures_dates CHECK (ends_on >= starts_on)
);
CREATE INDEX closures_centre_idx ON closures (centre_id, starts_on);

-- A number that changes with every change to what search reads (centres,
-- venues, opening sessions). Each instance keeps a copy of the directory in
-- memory and checks this number on every search, so that all instances answer
-- from the same data without sharing memory.
CREATE TABLE directory_version (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    version  bigint NOT NULL
);
INSERT INTO directory_version (version) VALUES (1);

CREATE FUNCTION bump_directory_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_version SET version = version + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER centres_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON centres
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER venues_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON venues
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER opening_sessions_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opening_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();

-- OS Code-Point Open, loaded by `ccc import-postcodes`. Coordinates are WGS84,
-- converted from the OSGB36 grid on import; NULL where Code-Point has none
-- (positional quality 90).
CREATE TABLE postcodes (
    postcode            text PRIMARY KEY CHECK (postcode ~ '^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$'),
    outward             text NOT NULL,
    positional_quality  smallint NOT NULL,
    easting             integer,
    northing            integer,
    latitude            double precision,
    longitude           double precision
);

-- One centroid per postcode district (outward code), so that a search by
-- `CA1` works even before the full table is imported.
CREATE TABLE postcode_districts (
    outward    text PRIMARY KEY CHECK (outward ~ '^[A-Z]{1,2}[0-9][0-9A-Z]?$'),
    easting    integer NOT NULL,
    northing   integer NOT NULL,
    latitude   double precision NOT NULL,
    longitude  double precision NOT NULL,
    postcodes  integer NOT NULL CHECK (postcodes > 0)
);

-- Each completed import of Code-Point Open.
CREATE TABLE postcode_imports (
    id           uuid PRIMARY KEY,
    source       text NOT NULL,
    postcodes    integer NOT NULL,
    without_coordinates integer NOT NULL,
    districts    integer NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now()
);
