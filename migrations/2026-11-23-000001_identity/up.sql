-- Identity, access and audit: people, their centres and organisations, one-time
-- tokens, refresh tokens, integration clients, login attempts, the notifications
-- outbox and the append-only audit trail.

-- A centre as a minimal record; the centres directory fills it out.
CREATE TABLE centres (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
SELECT diesel_manage_updated_at('centres');

-- A referrer's organisation. A referrer may register into it only with an email
-- on its domain, which confirming the email then proves.
CREATE TABLE organisations (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind          text NOT NULL CHECK (kind IN ('law_firm', 'cafcass_region', 'local_authority',
                                                'mediation_service', 'other')),
    email_domain  text NOT NULL CHECK (email_domain = lower(email_domain) AND email_domain ~ '^[a-z0-9.-]+\.[a-z]{2,}$'),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));

CREATE TABLE users (
    id               uuid PRIMARY KEY,
    -- Stored trimmed and lower-cased, so uniqueness is case-insensitive.
    email            text NOT NULL UNIQUE CHECK (email = lower(btrim(email)) AND position('@' in email) > 1),
    name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role             text NOT NULL CHECK (role IN ('network_admin', 'coordinator', 'staff', 'referrer', 'parent')),
    status           text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash    text,
    referrer_type    text CHECK (referrer_type IN ('solicitor', 'mediator', 'cafcass_officer',
                                                   'childrens_court_officer', 'social_worker', 'other')),
    organisation_id  uuid REFERENCES organisations (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- A referrer belongs to an organisation and says what kind of referrer they are.
    CHECK ((role = 'referrer') = (referrer_type IS NOT NULL AND organisation_id IS NOT NULL)),
    -- Nobody is active without a password.
    CHECK (status <> 'active' OR password_hash IS NOT NULL)
);
CREATE INDEX users_organisation_idx ON users (organisation_id);
SELECT diesel_manage_updated_at('users');

-- Coordinators and staff belong to one or more centres.
CREATE TABLE centre_memberships (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    centre_id   uuid NOT NULL REFERENCES centres (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, centre_id)
);
CREATE INDEX centre_memberships_centre_idx ON centre_memberships (centre_id);

-- One-time tokens (email confirmation, invitation, password reset), stored as
-- SHA-256 hashes only.
CREATE TABLE one_time_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('confirm_email', 'invitation', 'password_reset')),
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX one_time_tokens_user_idx ON one_time_tokens (user_id, purpose);

-- Refresh tokens, stored as hashes. Each login starts a family; each refresh
-- uses one token and issues the next in the same family. A used token shown
-- again means it was stolen: the whole family is revoked.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Case-management systems, portals and app backends: bound to an organisation or
-- a centre, limited to their scopes. The secret is stored as a hash only.
CREATE TABLE integration_clients (
    id               uuid PRIMARY KEY,
    name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    secret_hash      bytea NOT NULL,
    scopes           text[] NOT NULL CHECK (cardinality(scopes) >= 1 AND array_position(scopes, NULL) IS NULL),
    organisation_id  uuid REFERENCES organisations (id),
    centre_id        uuid REFERENCES centres (id),
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    secret_rotated_at timestamptz,
    revoked_at       timestamptz,
    CHECK ((organisation_id IS NULL) <> (centre_id IS NULL))
);
CREATE INDEX integration_clients_centre_idx ON integration_clients (centre_id);

-- Failed and successful logins, for the brute-force limit shared by every instance.
CREATE TABLE login_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_key    text NOT NULL,
    client_addr  text NOT NULL,
    succeeded    boolean NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email_key, at) WHERE NOT succeeded;
CREATE INDEX login_attempts_addr_idx ON login_attempts (client_addr, at) WHERE NOT succeeded;

-- Messages to people, written in the transaction that causes them and delivered
-- by a separate worker (there is no mail server in the service itself).
CREATE TABLE notifications_outbox (
    id          uuid PRIMARY KEY,
    recipient   text NOT NULL,
    template    text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX notifications_outbox_pending_idx ON notifications_outbox (created_at) WHERE sent_at IS NULL;

-- Who did or saw what: never the personal data itself.
CREATE TABLE audit_events (
    id             uuid PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_kind     text NOT NULL CHECK (actor_kind IN ('user', 'client', 'anonymous', 'system')),
    actor_id       uuid,
    actor_role     text,
    action         text NOT NULL,
    resource_type  text NOT NULL,
    resource_id    text,
    centre_id      uuid,
    outcome        text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    request_id     text
);
CREATE INDEX audit_events_at_idx ON audit_events (at, id);
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, at);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at);
CREATE INDEX audit_events_centre_idx ON audit_events (centre_id, at, id);

-- The audit trail is append-only: the database itself refuses to change it.
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
