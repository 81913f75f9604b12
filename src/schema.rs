// @generated automatically by Diesel CLI.

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        at -> Timestamptz,
        actor_kind -> Text,
        actor_id -> Nullable<Uuid>,
        actor_role -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        centre_id -> Nullable<Uuid>,
        outcome -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    centre_memberships (user_id, centre_id) {
        user_id -> Uuid,
        centre_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    centres (id) {
        id -> Uuid,
        name -> Text,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    integration_clients (id) {
        id -> Uuid,
        name -> Text,
        secret_hash -> Bytea,
        scopes -> Array<Nullable<Text>>,
        organisation_id -> Nullable<Uuid>,
        centre_id -> Nullable<Uuid>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        secret_rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Int8,
        email_key -> Text,
        client_addr -> Text,
        succeeded -> Bool,
        at -> Timestamptz,
    }
}

diesel::table! {
    notifications_outbox (id) {
        id -> Uuid,
        recipient -> Text,
        template -> Text,
        payload -> Jsonb,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    organisations (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        email_domain -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        role -> Text,
        status -> Text,
        password_hash -> Nullable<Text>,
        referrer_type -> Nullable<Text>,
        organisation_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(centre_memberships -> centres (centre_id));
diesel::joinable!(centre_memberships -> users (user_id));
diesel::joinable!(integration_clients -> centres (centre_id));
diesel::joinable!(integration_clients -> organisations (organisation_id));
diesel::joinable!(integration_clients -> users (created_by));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> organisations (organisation_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_events,
    centre_memberships,
    centres,
    integration_clients,
    login_attempts,
    notifications_outbox,
    one_time_tokens,
    organisations,
    refresh_tokens,
    users,
);
