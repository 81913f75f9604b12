//! The identity walk a newcomer takes through the API alone, and its refusals.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, ADMIN_EMAIL, PASSWORD};

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.query_texts("SELECT action || ':' || resource_type || ':' || outcome AS value FROM audit_events ORDER BY at, id")
        .await
}

#[tokio::test]
async fn admin_creates_a_coordinator_who_creates_staff_and_each_can_log_in() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = json(app.get_as(&admin, "/api/v1/me").await).await;
    assert_eq!(me["role"], "network_admin");
    assert_eq!(me["email"], ADMIN_EMAIL);

    let carlisle = app
        .create_centre(&admin, "Carlisle Child Contact Centre")
        .await;
    let penrith = app
        .create_centre(&admin, "Penrith Child Contact Centre")
        .await;
    let (coordinator_id, coordinator) = app
        .invite_and_login(
            &admin,
            "Sam.Coord@Carlisle-CCC.org.uk",
            "coordinator",
            &[&carlisle],
        )
        .await;
    let me = json(app.get_as(&coordinator, "/api/v1/me").await).await;
    assert_eq!(me["id"], coordinator_id.as_str());
    // Emails are stored lower-cased: the same person whatever the case.
    assert_eq!(me["email"], "sam.coord@carlisle-ccc.org.uk");
    assert_eq!(me["status"], "active");
    assert_eq!(me["centre_ids"], json!([carlisle]));

    let (_, staff) = app
        .invite_and_login(
            &coordinator,
            "alex.staff@carlisle-ccc.org.uk",
            "staff",
            &[&carlisle],
        )
        .await;
    assert_eq!(
        json(app.get_as(&staff, "/api/v1/me").await).await["role"],
        "staff"
    );

    // A coordinator cannot invite into a centre they do not run, nor a coordinator.
    let elsewhere = app
        .post_json(
            Some(&coordinator),
            "/api/v1/users",
            &json!({"email": "x@p.org", "name": "X", "role": "staff", "centre_ids": [penrith]}),
        )
        .await;
    assert_eq!(elsewhere.status(), 403);
    let peer = app
        .post_json(
            Some(&coordinator),
            "/api/v1/users",
            &json!({"email": "y@p.org", "name": "Y", "role": "coordinator", "centre_ids": [carlisle]}),
        )
        .await;
    assert_eq!(peer.status(), 403);
    // Staff invite nobody.
    let by_staff = app
        .post_json(
            Some(&staff),
            "/api/v1/users",
            &json!({"email": "z@p.org", "name": "Z", "role": "staff", "centre_ids": [carlisle]}),
        )
        .await;
    assert_eq!(by_staff.status(), 403);
    // The same email twice is a conflict, whatever its case.
    let twice = app
        .post_json(
            Some(&coordinator),
            "/api/v1/users",
            &json!({"email": "ALEX.staff@carlisle-ccc.org.uk", "name": "A", "role": "staff", "centre_ids": [carlisle]}),
        )
        .await;
    assert_eq!(twice.status(), 409);

    // The coordinator lists the people of their centre only.
    let listed = json(app.get_as(&coordinator, "/api/v1/users").await).await;
    let emails: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        vec![
            "alex.staff@carlisle-ccc.org.uk",
            "sam.coord@carlisle-ccc.org.uk"
        ]
    );

    let actions = audit_actions(&app).await;
    for expected in [
        "bootstrap_admin:user:success",
        "login:session:success",
        "create:centre:success",
        "invite:user:success",
        "accept_invitation:user:success",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
}

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

#[tokio::test]
async fn a_password_reset_sets_a_new_password_and_revokes_refresh_tokens() {
    let app = spawn_app().await;
    let first = app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let asked = app
        .post_json(
            None,
            "/api/v1/auth/password-reset",
            &json!({"email": ADMIN_EMAIL}),
        )
        .await;
    assert_eq!(asked.status(), 202);
    // Unknown emails get the same answer.
    let unknown = app
        .post_json(
            None,
            "/api/v1/auth/password-reset",
            &json!({"email": "nobody@x.org"}),
        )
        .await;
    assert_eq!(unknown.status(), 202);
    let earlier = app.outbox_token(ADMIN_EMAIL, "password_reset").await;
    app.post_json(
        None,
        "/api/v1/auth/password-reset",
        &json!({"email": ADMIN_EMAIL}),
    )
    .await;
    let token = app.outbox_token(ADMIN_EMAIL, "password_reset").await;
    let short = app
        .post_json(
            None,
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(short.status(), 422);
    let done = app
        .post_json(
            None,
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(done.status(), 204);
    let refreshed = app
        .post_json(
            None,
            "/api/v1/auth/refresh",
            &json!({"refresh_token": first["refresh_token"]}),
        )
        .await;
    assert_eq!(
        refreshed.status(),
        401,
        "refresh tokens from before the reset are revoked"
    );
    // The other reset link died with the new password.
    let stale = app
        .post_json(
            None,
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": earlier, "password": "yet another pass phrase"}),
        )
        .await;
    assert_eq!(stale.status(), 422);
    // Token answers are never cached.
    let login = app
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": ADMIN_EMAIL, "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), 200);
    assert_eq!(login.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_revokes_refresh_tokens() {
    let app = spawn_app().await;
    let session = app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let access = session["access_token"].as_str().unwrap();
    let wrong = app
        .post_json(
            Some(access),
            "/api/v1/auth/password",
            &json!({"current_password": "not it at all", "new_password": PASSWORD}),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let changed = app
        .post_json(
            Some(access),
            "/api/v1/auth/password",
            &json!({"current_password": crate::helpers::ADMIN_PASSWORD, "new_password": PASSWORD}),
        )
        .await;
    assert_eq!(changed.status(), 204);
    let refreshed = app
        .post_json(
            None,
            "/api/v1/auth/refresh",
            &json!({"refresh_token": session["refresh_token"]}),
        )
        .await;
    assert_eq!(refreshed.status(), 401);
    app.login(ADMIN_EMAIL, PASSWORD).await;
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family_and_logout_revokes() {
    let app = spawn_app().await;
    let first = app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    let second = app
        .post_json(None, "/api/v1/auth/refresh", &json!({"refresh_token": r1}))
        .await;
    assert_eq!(second.status(), 200);
    let second = json(second).await;
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(
        app.get_as(second["access_token"].as_str().unwrap(), "/api/v1/me")
            .await
            .status(),
        200
    );

    // r1 shown again: theft. The family (r2 too) is revoked.
    let reuse = app
        .post_json(None, "/api/v1/auth/refresh", &json!({"refresh_token": r1}))
        .await;
    assert_eq!(reuse.status(), 401);
    let after = app
        .post_json(None, "/api/v1/auth/refresh", &json!({"refresh_token": r2}))
        .await;
    assert_eq!(after.status(), 401);
    assert!(audit_actions(&app)
        .await
        .contains(&"refresh_token_reuse:session:denied".to_owned()));

    // Logout ends a fresh login's family.
    let other = app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let out = app
        .post_json(
            None,
            "/api/v1/auth/logout",
            &json!({"refresh_token": other["refresh_token"]}),
        )
        .await;
    assert_eq!(out.status(), 204);
    let dead = app
        .post_json(
            None,
            "/api/v1/auth/refresh",
            &json!({"refresh_token": other["refresh_token"]}),
        )
        .await;
    assert_eq!(dead.status(), 401);
}

#[tokio::test]
async fn a_disabled_account_cannot_use_its_tokens_or_log_in() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Centre").await;
    let (coordinator_id, coordinator) = app
        .invite_and_login(&admin, "c@centre.org", "coordinator", &[&centre])
        .await;
    let (staff_id, staff) = app
        .invite_and_login(&coordinator, "s@centre.org", "staff", &[&centre])
        .await;
    // A coordinator may disable their staff, not the admin, not themselves.
    assert_eq!(
        app.post_json(
            Some(&coordinator),
            &format!("/api/v1/users/{coordinator_id}/disable"),
            &json!({})
        )
        .await
        .status(),
        403
    );
    let disabled = app
        .post_json(
            Some(&coordinator),
            &format!("/api/v1/users/{staff_id}/disable"),
            &json!({}),
        )
        .await;
    assert_eq!(disabled.status(), 200);
    assert_eq!(json(disabled).await["status"], "disabled");
    let refused = app.get_as(&staff, "/api/v1/me").await;
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().contains_key("www-authenticate"));
    let login = app
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": "s@centre.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), 401);
}

#[tokio::test]
async fn integration_clients_get_scoped_tokens_and_lose_them_on_rotation_and_revocation() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Centre").await;
    let (_, coordinator) = app
        .invite_and_login(&admin, "c@centre.org", "coordinator", &[&centre])
        .await;

    let created = app
        .post_json(
            Some(&coordinator),
            "/api/v1/integration-clients",
            &json!({"name": "Centre app", "scopes": ["centres:read", "sessions:read"], "centre_id": centre}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created = json(created).await;
    let client_id = created["client"]["id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    // A coordinator cannot bind a client to an organisation or another centre.
    let other_centre = app.create_centre(&admin, "Other").await;
    let refused = app
        .post_json(
            Some(&coordinator),
            "/api/v1/integration-clients",
            &json!({"name": "X", "scopes": ["centres:read"], "centre_id": other_centre}),
        )
        .await;
    assert_eq!(refused.status(), 403);

    let token_request = |id: &str, secret: &str, scope: Option<&str>| {
        let mut form = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", id.to_owned()),
            ("client_secret", secret.to_owned()),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope.to_owned()));
        }
        app.client
            .post(app.url("/api/v1/auth/token"))
            .form(&form)
            .send()
    };
    let full = json(token_request(&client_id, &secret, None).await.unwrap()).await;
    assert_eq!(full["scope"], "centres:read sessions:read");
    assert!(full.get("refresh_token").is_none());
    let narrow = json(
        token_request(&client_id, &secret, Some("centres:read"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(narrow["scope"], "centres:read");
    let beyond = token_request(&client_id, &secret, Some("referrals:write"))
        .await
        .unwrap();
    assert_eq!(beyond.status(), 422);
    let basic = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);

    // The token works within its scopes only: a client has no account.
    let access = full["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get_as(&access, &format!("/api/v1/centres/{centre}"))
            .await
            .status(),
        200
    );
    assert_eq!(app.get_as(&access, "/api/v1/me").await.status(), 403);
    let sessions_only = json(
        token_request(&client_id, &secret, Some("sessions:read"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        app.get_as(
            sessions_only["access_token"].as_str().unwrap(),
            &format!("/api/v1/centres/{centre}")
        )
        .await
        .status(),
        403
    );

    // Rotation: the old secret stops working.
    let rotated = app
        .post_json(
            Some(&coordinator),
            &format!("/api/v1/integration-clients/{client_id}/rotate-secret"),
            &json!({}),
        )
        .await;
    assert_eq!(rotated.status(), 200);
    let new_secret = json(rotated).await["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        token_request(&client_id, &secret, None)
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        token_request(&client_id, &new_secret, None)
            .await
            .unwrap()
            .status(),
        200
    );

    // Revocation: tokens already issued stop working, and no new ones are issued.
    let revoked = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/integration-clients/{client_id}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(revoked.status(), 204);
    assert_eq!(
        app.get_as(&access, &format!("/api/v1/centres/{centre}"))
            .await
            .status(),
        401
    );
    assert_eq!(
        token_request(&client_id, &new_secret, None)
            .await
            .unwrap()
            .status(),
        401
    );

    let listed = json(
        app.get_as(&coordinator, "/api/v1/integration-clients")
            .await,
    )
    .await;
    assert_eq!(listed["items"][0]["revoked"], true);
    assert!(listed.to_string().find("client_secret").is_none());
    let actions = audit_actions(&app).await;
    for expected in [
        "create:integration_client:success",
        "token:integration_client:success",
        "rotate_secret:integration_client:success",
        "revoke:integration_client:success",
        "token:integration_client:denied",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn secrets_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let session = app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let refresh = session["refresh_token"].as_str().unwrap();
    let stored = app
        .query_texts("SELECT encode(token_hash, 'escape') AS value FROM refresh_tokens")
        .await;
    assert!(stored.iter().all(|s| !s.contains(refresh)));
    let hashes = app
        .query_texts("SELECT coalesce(password_hash, '') AS value FROM users")
        .await;
    assert!(
        hashes.iter().all(|h| h.starts_with("$argon2id$")),
        "{hashes:?}"
    );
}
