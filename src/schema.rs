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
        description -> Text,
        accrediting_body -> Nullable<Text>,
        accreditation_status -> Text,
        accredited_on -> Nullable<Date>,
        accreditation_expires_on -> Nullable<Date>,
        services -> Array<Nullable<Text>>,
        accepts_self_referrals -> Bool,
        fee_kind -> Text,
        fee_description -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        website -> Nullable<Text>,
        min_referral_notice_days -> Int4,
        stagger_minutes -> Int4,
        offer_days -> Int4,
        status_reason -> Nullable<Text>,
        demo -> Bool,        allows_observations -> Bool,
    }
}

diesel::table! {
    closures (id) {
        id -> Uuid,
        centre_id -> Uuid,
        venue_id -> Nullable<Uuid>,
        starts_on -> Date,
        ends_on -> Date,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    directory_version (id) {
        id -> Bool,
        version -> Int8,
    }
}

diesel::table! {
    domain_events (id) {
        id -> Uuid,
        event_type -> Text,
        resource_type -> Text,
        resource_id -> Uuid,
        centre_id -> Nullable<Uuid>,
        organisation_id -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
        payload -> Jsonb,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    families (id) {
        id -> Uuid,
        referral_id -> Uuid,
        centre_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    family_attendees (id) {
        id -> Uuid,
        family_id -> Uuid,
        referral_id -> Uuid,
        accompanies -> Uuid,
        name -> Text,
        relation -> Text,
        why -> Text,
        requested_by_user -> Nullable<Uuid>,
        requested_by_client -> Nullable<Uuid>,
        requested_at -> Timestamptz,
        status -> Text,
        confirmation_on -> Nullable<Date>,
        decision_reason -> Nullable<Text>,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    ground_rule_agreements (id) {
        id -> Uuid,
        referral_id -> Uuid,
        adult_id -> Uuid,
        centre_id -> Uuid,
        version -> Int4,
        how -> Text,
        signed_on -> Nullable<Date>,
        recorded_by -> Uuid,
        agreed_at -> Timestamptz,
    }
}

diesel::table! {
    ground_rules (centre_id, version) {
        centre_id -> Uuid,
        version -> Int4,
        text -> Text,
        published_by -> Nullable<Uuid>,
        published_at -> Timestamptz,
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
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        abandoned_at -> Nullable<Timestamptz>,
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
        account -> Nullable<Jsonb>,
    }
}

diesel::table! {
    opening_sessions (id) {
        id -> Uuid,
        centre_id -> Uuid,
        venue_id -> Uuid,
        weekday -> Int2,
        starts_at -> Time,
        ends_at -> Time,
        room -> Text,
        capacity -> Int4,
        services -> Array<Nullable<Text>>,
        effective_from -> Date,
        effective_to -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
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
    postcode_districts (outward) {
        outward -> Text,
        easting -> Int4,
        northing -> Int4,
        latitude -> Float8,
        longitude -> Float8,
        postcodes -> Int4,
    }
}

diesel::table! {
    postcode_imports (id) {
        id -> Uuid,
        source -> Text,
        postcodes -> Int4,
        without_coordinates -> Int4,
        districts -> Int4,
        imported_at -> Timestamptz,
    }
}

diesel::table! {
    postcodes (postcode) {
        postcode -> Text,
        outward -> Text,
        positional_quality -> Int2,
        easting -> Nullable<Int4>,
        northing -> Nullable<Int4>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
    }
}

diesel::table! {
    pre_visits (id) {
        id -> Uuid,
        referral_id -> Uuid,
        centre_id -> Uuid,
        adult_id -> Uuid,
        venue_id -> Uuid,
        with_children -> Bool,
        keep_apart -> Bool,
        on_date -> Date,
        starts -> Time,
        ends -> Time,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        status -> Text,
        identity_checked -> Bool,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Nullable<Timestamptz>,
        booked_by -> Uuid,
        booked_at -> Timestamptz,
    }
}

diesel::table! {
    referral_adults (id) {
        id -> Uuid,
        referral_id -> Uuid,
        name -> Text,
        party -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        address -> Nullable<Text>,
        share_email -> Bool,
        share_phone -> Bool,
        share_address -> Bool,
        may_attend -> Bool,
        user_id -> Nullable<Uuid>,
        part_status -> Text,
        part_due_at -> Nullable<Timestamptz>,
        part_given_at -> Nullable<Timestamptz>,
        consents_to_contact -> Nullable<Bool>,
        availability -> Nullable<Text>,
        position -> Int2,
        part_paper_signed_on -> Nullable<Date>,
        part_recorded_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    referral_assessments (id) {
        id -> Uuid,
        referral_id -> Uuid,
        version -> Int4,
        assessed_by -> Uuid,
        assessed_at -> Timestamptz,
        factors -> Array<Nullable<Text>>,
        checks_made -> Array<Nullable<Text>>,
        level -> Text,
        rationale -> Text,
        service -> Text,
        parties_must_not_meet -> Bool,
        stagger_minutes -> Int4,
        may_attend -> Array<Nullable<Uuid>>,
        court_orders -> Jsonb,
    }
}

diesel::table! {
    referral_attachments (id) {
        id -> Uuid,
        referral_id -> Uuid,
        content_type -> Text,
        size_bytes -> Int4,
        sha256 -> Bytea,
        filename -> Text,
        data -> Bytea,
        uploaded_by_user -> Nullable<Uuid>,
        uploaded_by_client -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    referral_children (id) {
        id -> Uuid,
        referral_id -> Uuid,
        name -> Text,
        name_key -> Text,
        date_of_birth -> Date,
        needs -> Text,
        position -> Int2,
    }
}

diesel::table! {
    referral_court_orders (id) {
        id -> Uuid,
        referral_id -> Uuid,
        kind -> Text,
        made_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        conditions -> Text,
        position -> Int2,
    }
}

diesel::table! {
    referral_history (id) {
        id -> Uuid,
        referral_id -> Uuid,
        at -> Timestamptz,
        actor_user -> Nullable<Uuid>,
        actor_client -> Nullable<Uuid>,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Text,
        visibility -> Text,
    }
}

diesel::table! {
    referral_letters (id) {
        id -> Uuid,
        referral_id -> Uuid,
        kind -> Text,
        adult_id -> Nullable<Uuid>,
        recipient_name -> Text,
        subject -> Text,
        body -> Text,
        sent_at -> Timestamptz,
        pdf -> Nullable<Bytea>,
    }
}

diesel::table! {
    referral_notes (id) {
        id -> Uuid,
        referral_id -> Uuid,
        written_by -> Uuid,
        written_at -> Timestamptz,
        text -> Text,
    }
}

diesel::table! {
    referral_offers (id) {
        id -> Uuid,
        place_id -> Uuid,
        referral_id -> Uuid,
        centre_id -> Uuid,
        service -> Text,
        offered_at -> Timestamptz,
        expires_at -> Timestamptz,
        outcome -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        passed_on -> Bool,
    }
}

diesel::table! {
    referral_quotes (referral_id) {
        referral_id -> Uuid,
        what -> Text,
        amount_pence -> Int4,
        payer -> Text,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    referral_questions (id) {
        id -> Uuid,
        referral_id -> Uuid,
        to_adult_id -> Nullable<Uuid>,
        question -> Text,
        asked_by -> Uuid,
        asked_at -> Timestamptz,
        answer -> Nullable<Text>,
        answered_by_user -> Nullable<Uuid>,
        answered_by_client -> Nullable<Uuid>,
        answered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    referral_relations (adult_id, child_id) {
        adult_id -> Uuid,
        child_id -> Uuid,
        relation -> Text,
        lives_with -> Bool,
    }
}

diesel::table! {
    referral_risks (id) {
        id -> Uuid,
        referral_id -> Uuid,
        kind -> Text,
        details -> Text,
        stated_by_adult -> Nullable<Uuid>,
        visible_to_staff -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    referrals (id) {
        id -> Uuid,
        centre_id -> Uuid,
        service -> Text,
        status -> Text,
        source -> Text,
        created_by_user -> Nullable<Uuid>,
        created_by_client -> Nullable<Uuid>,
        organisation_id -> Nullable<Uuid>,
        referrer_name -> Text,
        referrer_email -> Text,
        referrer_phone -> Nullable<Text>,
        communication_level -> Text,
        parties_must_not_meet -> Bool,
        court_name -> Nullable<Text>,
        court_case_number -> Nullable<Text>,
        next_hearing_on -> Nullable<Date>,
        preferred_days -> Array<Nullable<Int2>>,
        frequency -> Nullable<Text>,
        submitted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        received_at -> Nullable<Timestamptz>,
        outcome -> Nullable<Text>,
        decline_reason -> Nullable<Text>,
        decline_rationale -> Nullable<Text>,
        version -> Int8,
        waitlisted_at -> Nullable<Timestamptz>,
        priority_reason -> Nullable<Text>,
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
    refused_token_marks (client_addr, kind, minute) {
        client_addr -> Text,
        kind -> Text,
        minute -> Timestamptz,
    }
}

diesel::table! {
    unsolicited_requests (id) {
        id -> Int8,
        client_addr -> Text,
        at -> Timestamptz,
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

diesel::table! {
    venues (id) {
        id -> Uuid,
        centre_id -> Uuid,
        name -> Text,
        address_line1 -> Text,
        address_line2 -> Nullable<Text>,
        town -> Text,
        postcode -> Nullable<Text>,
        latitude -> Float8,
        longitude -> Float8,
        location_source -> Text,
        rooms -> Array<Nullable<Text>>,
        separate_entrances -> Bool,
        accessibility -> Text,
        parking -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        entrances -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    contact_arrangements (referral_id) {
        referral_id -> Uuid,
        opening_session_id -> Uuid,
        service -> Text,
        frequency -> Text,
        first_on -> Date,
        until_on -> Nullable<Date>,
        staff_id -> Nullable<Uuid>,
        set_by -> Uuid,
        set_at -> Timestamptz,
    }
}

diesel::table! {
    contact_sessions (id) {
        id -> Uuid,
        referral_id -> Uuid,
        family_id -> Uuid,
        centre_id -> Uuid,
        venue_id -> Uuid,
        opening_session_id -> Uuid,
        series_id -> Uuid,
        service -> Text,
        on_date -> Date,
        starts -> Time,
        ends_on -> Date,
        ends -> Time,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        takes_place -> Bool,
        staff_id -> Nullable<Uuid>,
        meeting_link -> Nullable<Text>,
        place -> Nullable<Text>,
        keep_apart -> Bool,
        status -> Text,
        cancelled_by -> Nullable<Uuid>,
        cancelled_by_side -> Nullable<Text>,
        cancelled_by_adult -> Nullable<Uuid>,
        cancelled_at -> Nullable<Timestamptz>,
        cancel_reason -> Nullable<Text>,
        notice_hours -> Nullable<Int4>,
        late -> Nullable<Bool>,
        booked_by -> Uuid,
        booked_at -> Timestamptz,
        reminded_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    arrangement_proposals (id) {
        id -> Uuid,
        referral_id -> Uuid,
        opening_session_id -> Uuid,
        frequency -> Text,
        first_on -> Date,
        until_on -> Date,
        staff_id -> Nullable<Uuid>,
        proposed_by -> Uuid,
        proposed_at -> Timestamptz,
        needs -> Array<Uuid>,
        agreed -> Array<Uuid>,
        status -> Text,
        settled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    calendar_feeds (id) {
        id -> Uuid,
        family_id -> Uuid,
        adult_id -> Uuid,
        token_hash -> Bytea,
        created_by -> Uuid,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    schedule_changes (centre_id) {
        centre_id -> Uuid,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    session_outcomes (contact_session_id) {
        contact_session_id -> Uuid,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
        note -> Nullable<Text>,
        absent_adults -> Array<Uuid>,
    }
}

diesel::table! {
    observation_requests (id) {
        id -> Uuid,
        centre_id -> Uuid,
        requested_by -> Uuid,
        organisation_id -> Nullable<Uuid>,
        observer_name -> Text,
        organisation_name -> Text,
        on_date -> Date,
        clients -> Array<Text>,
        note -> Nullable<Text>,
        family_id -> Nullable<Uuid>,
        status -> Text,
        contact_session_id -> Nullable<Uuid>,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        decline_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        released_from -> Nullable<Uuid>,
    }
}

diesel::table! {
    session_windows (contact_session_id, adult_id, kind) {
        contact_session_id -> Uuid,
        adult_id -> Uuid,
        kind -> Text,
        venue_id -> Uuid,
        entrance -> Text,
        on_date -> Date,
        starts -> Time,
        ends -> Time,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        keep_apart -> Bool,
    }
}

diesel::table! {
    slot_places (opening_session_id, on_date) {
        opening_session_id -> Uuid,
        on_date -> Date,
        capacity -> Int4,
        taken -> Int4,
    }
}

diesel::table! {
    staff_availability (user_id, weekday, starts) {
        user_id -> Uuid,
        weekday -> Int2,
        starts -> Time,
        ends -> Time,
    }
}

diesel::table! {
    staff_vetting (user_id) {
        user_id -> Uuid,
        scheme -> Text,
        certificate_number -> Text,
        issued_on -> Date,
        renewal_due_on -> Date,
        training -> Array<Nullable<Text>>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::joinable!(centre_memberships -> centres (centre_id));
diesel::joinable!(centre_memberships -> users (user_id));
diesel::joinable!(closures -> centres (centre_id));
diesel::joinable!(families -> centres (centre_id));
diesel::joinable!(families -> referrals (referral_id));
diesel::joinable!(integration_clients -> centres (centre_id));
diesel::joinable!(integration_clients -> organisations (organisation_id));
diesel::joinable!(integration_clients -> users (created_by));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(referral_adults -> referrals (referral_id));
diesel::joinable!(referral_adults -> users (user_id));
diesel::joinable!(referral_attachments -> integration_clients (uploaded_by_client));
diesel::joinable!(referral_attachments -> referrals (referral_id));
diesel::joinable!(referral_attachments -> users (uploaded_by_user));
diesel::joinable!(referral_children -> referrals (referral_id));
diesel::joinable!(referral_court_orders -> referrals (referral_id));
diesel::joinable!(referral_history -> integration_clients (actor_client));
diesel::joinable!(referral_history -> referrals (referral_id));
diesel::joinable!(referral_history -> users (actor_user));
diesel::joinable!(referral_relations -> referral_adults (adult_id));
diesel::joinable!(referral_relations -> referral_children (child_id));
diesel::joinable!(referral_risks -> referral_adults (stated_by_adult));
diesel::joinable!(referral_risks -> referrals (referral_id));
diesel::joinable!(referrals -> centres (centre_id));
diesel::joinable!(referrals -> integration_clients (created_by_client));
diesel::joinable!(referrals -> organisations (organisation_id));
diesel::joinable!(referrals -> users (created_by_user));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(venues -> centres (centre_id));

diesel::allow_tables_to_appear_in_same_query!(
    arrangement_proposals,
    audit_events,
    calendar_feeds,
    centre_memberships,
    centres,
    closures,
    contact_arrangements,
    contact_sessions,
    directory_version,
    domain_events,
    families,
    family_attendees,
    ground_rule_agreements,
    ground_rules,
    integration_clients,
    login_attempts,
    notifications_outbox,
    one_time_tokens,
    observation_requests,
    opening_sessions,
    organisations,
    postcode_districts,
    postcode_imports,
    postcodes,
    pre_visits,
    referral_adults,
    referral_assessments,
    referral_attachments,
    referral_children,
    referral_court_orders,
    referral_history,
    referral_letters,
    referral_notes,
    referral_offers,
    referral_questions,
    referral_quotes,
    referral_relations,
    referral_risks,
    referrals,
    refresh_tokens,
    refused_token_marks,
    schedule_changes,
    session_outcomes,
    session_windows,
    slot_places,
    staff_availability,
    staff_vetting,
    unsolicited_requests,
    users,
    venues,
);
