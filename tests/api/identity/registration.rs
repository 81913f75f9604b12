//! Referrers who register themselves into their organisation.

use super::*;

#[tokio::test]
async fn a_referrer_registers_into_their_organisation_and_is_active_only_after_confirming() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = json(
        app.post_json(
            Some(&admin),
            "/api/v1/organisations",
            &json!({"name": "Smith & Jones Family Law", "kind": "law_firm", "email_domain": "smithjones-law.co.uk"}),
        )
        .await,
    )
    .await;
    let org_id = org["id"].as_str().unwrap();
    let register = |email: &str| json!({"email": email, "name": "Jo Bloggs", "referrer_type": "solicitor", "organisation_id": org_id});

    // An email off the organisation's domain cannot join it.
    let off_domain = app
        .post_json(None, "/api/v1/auth/register", &register("jo@gmail.com"))
        .await;
    assert_eq!(off_domain.status(), 422);
    assert_eq!(json(off_domain).await["errors"][0]["field"], "email");

    let accepted = app
        .post_json(
            None,
            "/api/v1/auth/register",
            &register("jo@smithjones-law.co.uk"),
        )
        .await;
    assert_eq!(accepted.status(), 202);
    // No password exists until the link is used: nobody can log in.
    let early = app
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": "jo@smithjones-law.co.uk", "password": PASSWORD}),
        )
        .await;
    assert_eq!(early.status(), 401);

    // Registering again before confirming sends a fresh link to the same address.
    let first_link = app
        .outbox_token("jo@smithjones-law.co.uk", "confirm_email")
        .await;
    let again = app
        .post_json(
            None,
            "/api/v1/auth/register",
            &register("jo@smithjones-law.co.uk"),
        )
        .await;
    assert_eq!(again.status(), 202);
    let token = app
        .outbox_token("jo@smithjones-law.co.uk", "confirm_email")
        .await;
    assert_ne!(first_link, token);

    // The password is chosen with the link, under the password policy.
    let weak = app
        .post_json(
            None,
            "/api/v1/auth/confirm-email",
            &json!({"token": token, "password": "password1234"}),
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert_eq!(json(weak).await["errors"][0]["code"], "too_common");
    let confirmed = app
        .post_json(
            None,
            "/api/v1/auth/confirm-email",
            &json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(confirmed.status(), 204);
    // A one-time token works once.
    let replay = app
        .post_json(
            None,
            "/api/v1/auth/confirm-email",
            &json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(replay.status(), 422);

    // Once active, registering again tells the owner and changes nothing.
    let exists = app
        .post_json(
            None,
            "/api/v1/auth/register",
            &register("jo@smithjones-law.co.uk"),
        )
        .await;
    assert_eq!(exists.status(), 202);
    app.outbox_payload("jo@smithjones-law.co.uk", "account_exists")
        .await;

    let login = app.login("jo@smithjones-law.co.uk", PASSWORD).await;
    let me = json(
        app.get_as(login["access_token"].as_str().unwrap(), "/api/v1/me")
            .await,
    )
    .await;
    assert_eq!(me["role"], "referrer");
    assert_eq!(me["referrer_type"], "solicitor");
    assert_eq!(me["organisation_id"], org_id);
    assert!(audit_actions(&app)
        .await
        .contains(&"confirm_email:user:success".to_owned()));
}

/// Someone registers a solicitor's address as a parent's and never confirms,
/// and registers it again after the solicitor did: the solicitor's own link
/// makes the account the solicitor asked for, and ends the others.
#[tokio::test]
async fn an_unconfirmed_registration_does_not_squat_the_owners_address() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = json(
        app.post_json(
            Some(&admin),
            "/api/v1/organisations",
            &json!({"name": "Family Law LLP", "kind": "law_firm", "email_domain": "familylaw.example"}),
        )
        .await,
    )
    .await;
    let email = "sam@familylaw.example";
    let squat = || async {
        let body = json!({"email": email, "name": "Squatter"});
        let r = app
            .post_json(None, "/api/v1/auth/register-parent", &body)
            .await;
        assert_eq!(r.status(), 202);
        app.outbox_token(email, "confirm_email").await
    };
    let first_squat = squat().await;
    let real = app
        .post_json(
            None,
            "/api/v1/auth/register",
            &json!({"email": email, "name": "Sam Patel", "referrer_type": "solicitor", "organisation_id": org["id"]}),
        )
        .await;
    assert_eq!(real.status(), 202);
    let owners = app.outbox_payload(email, "confirm_email").await;
    assert_eq!(
        (owners["role"].as_str(), &owners["organisation_id"]),
        (Some("referrer"), &org["id"])
    );
    let owners_link = owners["token"].as_str().unwrap().to_owned();
    let second_squat = squat().await;
    let app = &app;
    let confirm = |token: String| async move {
        let body = json!({"token": token, "password": PASSWORD});
        app.post_json(None, "/api/v1/auth/confirm-email", &body)
            .await
    };
    assert_eq!(confirm(owners_link).await.status(), 204);
    for squatters_link in [first_squat, second_squat] {
        assert_eq!(confirm(squatters_link).await.status(), 422);
    }
    let token = app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = json(app.get_as(&token, "/api/v1/me").await).await;
    assert_eq!(me["role"], "referrer");
    assert_eq!(me["name"], "Sam Patel");
    assert_eq!(me["organisation_id"], org["id"]);
}

/// Nor does an unconfirmed registration block a staff invitation: the
/// invitation takes the address over, as staff of the coordinator's centre.
#[tokio::test]
async fn an_unconfirmed_registration_gives_way_to_a_staff_invitation() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Penrith Contact Centre").await;
    let (_, coordinator) = app
        .invite_and_login(&admin, "coord@penrith.example", "coordinator", &[&centre])
        .await;
    let email = "new.staff@penrith.example";
    let squat = app
        .post_json(
            None,
            "/api/v1/auth/register-parent",
            &json!({"email": email, "name": "Squatter"}),
        )
        .await;
    assert_eq!(squat.status(), 202);
    let squatters_link = app.outbox_token(email, "confirm_email").await;
    let invited = app
        .post_json(
            Some(&coordinator),
            "/api/v1/users",
            &json!({"email": email, "name": "Pat Lee", "role": "staff", "centre_ids": [centre]}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let invited = json(invited).await;
    assert_eq!(invited["role"], "staff");
    let used = app
        .post_json(
            None,
            "/api/v1/auth/confirm-email",
            &json!({"token": squatters_link, "password": PASSWORD}),
        )
        .await;
    assert_eq!(used.status(), 422, "the squatter's link ended");
    let token = app.outbox_token(email, "invitation").await;
    let accepted = app
        .post_json(
            None,
            "/api/v1/auth/accept-invitation",
            &json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(accepted.status(), 204);
    let login = app.login(email, PASSWORD).await;
    let me = json(
        app.get_as(login["access_token"].as_str().unwrap(), "/api/v1/me")
            .await,
    )
    .await;
    assert_eq!(
        (me["role"].as_str(), me["id"].as_str()),
        (Some("staff"), invited["id"].as_str())
    );
    // The account stays a registration no longer: registering again only
    // tells the owner the address has an account.
    let again = app
        .post_json(
            None,
            "/api/v1/auth/register-parent",
            &json!({"email": email, "name": "Squatter"}),
        )
        .await;
    assert_eq!(again.status(), 202);
    let me = json(
        app.get_as(login["access_token"].as_str().unwrap(), "/api/v1/me")
            .await,
    )
    .await;
    assert_eq!(me["role"], "staff");
    app.outbox_payload(email, "account_exists").await;
}

/// Inviting an address that has a parent's account answers as any invitation
/// does; the message goes to the address, the parent's account is untouched.
#[tokio::test]
async fn inviting_a_parents_address_does_not_say_it_has_an_account() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Penrith Contact Centre").await;
    let (_, coordinator) = app
        .invite_and_login(&admin, "coord@penrith.example", "coordinator", &[&centre])
        .await;
    crate::builders::registered_parent(&app, "jo@example.org").await;
    let invite = |email: &'static str| {
        let (app, coordinator, centre) = (&app, &coordinator, &centre);
        async move {
            let body = json!({"email": email, "name": "Jo Smith", "role": "staff", "centre_ids": [centre]});
            app.post_json(Some(coordinator), "/api/v1/users", &body)
                .await
        }
    };
    let parent = invite("jo@example.org").await;
    let fresh = invite("pat@example.org").await;
    assert_eq!(
        (parent.status().as_u16(), fresh.status().as_u16()),
        (201, 201)
    );
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let (parent, fresh) = (json(parent).await, json(fresh).await);
    assert_eq!(keys(&parent), keys(&fresh));
    // Nor the form of a value: timestamps are the database's, to the microsecond.
    let fraction = |v: &Value| {
        let at = v["created_at"].as_str().unwrap().to_owned();
        at.split_once('.')
            .map_or(0, |(_, f)| f.trim_end_matches('Z').len())
    };
    assert!(
        fraction(&parent) <= 6 && fraction(&fresh) <= 6,
        "{parent} {fresh}"
    );
    assert_eq!(
        (parent["role"].as_str(), parent["status"].as_str()),
        (Some("staff"), Some("invited"))
    );
    app.outbox_payload("jo@example.org", "account_exists").await;
    let role = app
        .query_texts(
            "SELECT role || ' ' || status AS value FROM users WHERE email = 'jo@example.org'",
        )
        .await;
    assert_eq!(role, ["parent active"]);
    // Another staff account's address is still a plain conflict: a
    // professional's account is no family's secret.
    assert_eq!(invite("pat@example.org").await.status(), 409);
}

/// Messages anyone can cause without signing in (confirmations, "this
/// address has an account", reset links) are limited per address and hour,
/// silently: the answer stays 202. Both answers do the same work, whether or
/// not the address has an account.
#[tokio::test]
async fn unsolicited_mail_to_one_address_is_limited_and_answers_say_nothing() {
    let app = spawn_app().await;
    for _ in 0..8 {
        let reset = app
            .post_json(
                None,
                "/api/v1/auth/password-reset",
                &json!({"email": ADMIN_EMAIL}),
            )
            .await;
        assert_eq!(reset.status(), 202);
        let register = app
            .post_json(
                None,
                "/api/v1/auth/register-parent",
                &json!({"email": ADMIN_EMAIL, "name": "Flood"}),
            )
            .await;
        assert_eq!(register.status(), 202);
    }
    let sent = app
        .query_texts(&format!(
            "SELECT count(*)::text AS value FROM notifications_outbox WHERE recipient = '{ADMIN_EMAIL}'"
        ))
        .await;
    // Five of each kind: the flood of registrations did not use up the
    // owner's reset links.
    assert_eq!(sent, ["10"]);
    let resets = app
        .query_texts(&format!(
            "SELECT count(*)::text AS value FROM notifications_outbox WHERE recipient = '{ADMIN_EMAIL}' AND template = 'password_reset'"
        ))
        .await;
    assert_eq!(resets, ["5"]);
    // Another address is not affected.
    let other = app
        .post_json(
            None,
            "/api/v1/auth/register-parent",
            &json!({"email": "jo@example.org", "name": "Jo"}),
        )
        .await;
    assert_eq!(other.status(), 202);
    app.outbox_payload("jo@example.org", "confirm_email").await;
    // A reset for an address with no account answers the same and is
    // audited the same way, as the real one was.
    let nobody = app
        .post_json(
            None,
            "/api/v1/auth/password-reset",
            &json!({"email": "nobody@nowhere.org"}),
        )
        .await;
    assert_eq!(nobody.status(), 202);
    let body = json(nobody).await;
    let real = json(
        app.post_json(
            None,
            "/api/v1/auth/password-reset",
            &json!({"email": "jo@example.org"}),
        )
        .await,
    )
    .await;
    assert_eq!(body, real);
    let asked = app
        .query_texts("SELECT count(*)::text AS value FROM audit_events WHERE action = 'request_password_reset'")
        .await;
    assert!(asked[0].parse::<i32>().unwrap() >= 2, "{asked:?}");
}
