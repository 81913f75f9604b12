-- Referrals, part 1: intake by a professional, a parent or an integration
-- client; each adult party's own part; the referral's history; and the domain
-- events outbox that a later change delivers as webhooks.

CREATE TABLE referrals (
    id                     uuid PRIMARY KEY,
    centre_id              uuid NOT NULL REFERENCES centres (id),
    service                text NOT NULL CHECK (is_service_list(ARRAY[service])),
    status                 text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'awaiting_parties',
                               'submitted', 'under_review', 'info_requested', 'accepted', 'declined',
                               'waitlisted', 'pre_visits', 'active', 'closed')),
    -- A professional (a referrer), a parent (self-referral), or an integration
    -- client on behalf of its organisation.
    source                 text NOT NULL CHECK (source IN ('professional', 'self_referral', 'integration')),
    created_by_user        uuid REFERENCES users (id),
    created_by_client      uuid REFERENCES integration_clients (id),
    -- The referring organisation, whose referrers see the referral.
    organisation_id        uuid REFERENCES organisations (id),
    referrer_name          text NOT NULL CHECK (length(btrim(referrer_name)) BETWEEN 1 AND 200),
    referrer_email         text NOT NULL CHECK (length(referrer_email) BETWEEN 3 AND 254),
    referrer_phone         text CHECK (length(referrer_phone) <= 40),
    communication_level    text NOT NULL CHECK (communication_level IN ('direct', 'via_third_party', 'none', 'prohibited')),
    parties_must_not_meet  boolean NOT NULL DEFAULT false,
    court_name             text CHECK (length(court_name) <= 200),
    court_case_number      text CHECK (length(court_case_number) <= 100),
    next_hearing_on        date,
    -- ISO weekdays, 1 = Monday.
    preferred_days         smallint[] NOT NULL DEFAULT '{}',
    frequency              text CHECK (frequency IN ('weekly', 'fortnightly', 'monthly', 'other')),
    submitted_at           timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((created_by_user IS NULL) <> (created_by_client IS NULL)),
    CHECK (source <> 'self_referral' OR communication_level IN ('direct', 'via_third_party'))
);
CREATE INDEX referrals_centre_idx ON referrals (centre_id, created_at, id);
CREATE INDEX referrals_organisation_idx ON referrals (organisation_id, created_at, id);
CREATE INDEX referrals_created_by_idx ON referrals (created_by_user);
SELECT diesel_manage_updated_at('referrals');

CREATE TABLE referral_children (
    id             uuid PRIMARY KEY,
    referral_id    uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- Matching key for "the same child": folded name and date of birth.
    name_key       text NOT NULL,
    date_of_birth  date NOT NULL,
    needs          text NOT NULL DEFAULT '' CHECK (length(needs) <= 2000),
    position       smallint NOT NULL
);
CREATE INDEX referral_children_key_idx ON referral_children (name_key, date_of_birth);
CREATE INDEX referral_children_referral_idx ON referral_children (referral_id);

-- The adults of a referral, each with a party role and their own part to give.
CREATE TABLE referral_adults (
    id                uuid PRIMARY KEY,
    referral_id       uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    name              text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    party             text NOT NULL CHECK (party IN ('resident_parent', 'non_resident_parent',
                          'grandparent', 'other_relative', 'carer')),
    -- Contact details, each shared with the other party only with consent.
    email             text CHECK (length(email) <= 254),
    phone             text CHECK (length(phone) <= 40),
    address           text CHECK (length(address) <= 500),
    share_email       boolean NOT NULL DEFAULT false,
    share_phone       boolean NOT NULL DEFAULT false,
    share_address     boolean NOT NULL DEFAULT false,
    -- Named to attend contact.
    may_attend        boolean NOT NULL DEFAULT false,
    -- The parent account of this adult, once there is one.
    user_id           uuid REFERENCES users (id),
    -- This adult's own part: not asked for, awaited (until part_due_at),
    -- given, or not given in time.
    part_status       text NOT NULL DEFAULT 'not_required' CHECK (part_status IN ('not_required',
                          'awaited', 'given', 'expired')),
    part_due_at       timestamptz,
    part_given_at     timestamptz,
    consents_to_contact boolean,
    availability      text CHECK (length(availability) <= 1000),
    position          smallint NOT NULL
);
CREATE INDEX referral_adults_referral_idx ON referral_adults (referral_id);
CREATE INDEX referral_adults_user_idx ON referral_adults (user_id);

-- Which adult is what to which child.
CREATE TABLE referral_relations (
    adult_id     uuid NOT NULL REFERENCES referral_adults (id) ON DELETE CASCADE,
    child_id     uuid NOT NULL REFERENCES referral_children (id) ON DELETE CASCADE,
    relation     text NOT NULL CHECK (relation IN ('mother', 'father', 'grandmother', 'grandfather',
                     'step_parent', 'sibling', 'aunt', 'uncle', 'carer', 'other')),
    lives_with   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (adult_id, child_id)
);

CREATE TABLE referral_court_orders (
    id           uuid PRIMARY KEY,
    referral_id  uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('child_arrangements', 'prohibited_steps',
                     'non_molestation', 'occupation', 'other')),
    made_on      date,
    expires_on   date,
    conditions   text NOT NULL DEFAULT '' CHECK (length(conditions) <= 4000),
    position     smallint NOT NULL,
    CHECK (expires_on >= made_on)
);
CREATE INDEX referral_court_orders_referral_idx ON referral_court_orders (referral_id);

-- Risk information, from the referrer or from one adult's own part. The
-- other party never sees an adult's statements; staff see one only when the
-- coordinator marks it for staff.
CREATE TABLE referral_risks (
    id                uuid PRIMARY KEY,
    referral_id       uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('domestic_abuse', 'abduction_risk',
                          'substance_misuse', 'mental_health', 'other')),
    details           text NOT NULL CHECK (length(btrim(details)) BETWEEN 1 AND 4000),
    -- NULL: the referrer's statement; else the adult whose part it is.
    stated_by_adult   uuid REFERENCES referral_adults (id) ON DELETE CASCADE,
    visible_to_staff  boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_risks_referral_idx ON referral_risks (referral_id);

-- Every status change: who, when, why.
CREATE TABLE referral_history (
    id            uuid PRIMARY KEY,
    referral_id   uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_user    uuid REFERENCES users (id),
    actor_client  uuid REFERENCES integration_clients (id),
    from_status   text,
    to_status     text NOT NULL,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000)
);
CREATE INDEX referral_history_referral_idx ON referral_history (referral_id, at);

-- Domain events, written in the transaction of the change they describe and
-- delivered later (webhooks). Payloads carry ids and words, never personal data.
CREATE TABLE domain_events (
    id             uuid PRIMARY KEY,
    event_type     text NOT NULL,
    resource_type  text NOT NULL,
    resource_id    uuid NOT NULL,
    centre_id      uuid,
    organisation_id uuid,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    payload        jsonb NOT NULL DEFAULT '{}',
    delivered_at   timestamptz
);
CREATE INDEX domain_events_undelivered_idx ON domain_events (occurred_at) WHERE delivered_at IS NULL;

-- A family: the children and adults of one referral, from when the referral
-- reaches the centre. Its people are the referral's children and adults.
CREATE TABLE families (
    id           uuid PRIMARY KEY,
    referral_id  uuid NOT NULL UNIQUE REFERENCES referrals (id),
    centre_id    uuid NOT NULL REFERENCES centres (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX families_centre_idx ON families (centre_id);
