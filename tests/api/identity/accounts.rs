//! Accounts: invited people, disabled accounts, and secrets kept only as hashes.

use super::*;

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
async fn secrets_are_stored_only_as_hashes() {
    use sha2::{Digest, Sha256};
    let app = spawn_app().await;
    let session = app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let admin = session["access_token"].as_str().unwrap().to_owned();
    let refresh = session["refresh_token"].as_str().unwrap().to_owned();
    let centre = app.create_centre(&admin, "Carlisle").await;
    // An integration client's secret, an open invitation link, a person's password.
    let client = crate::builders::integration_client(
        &app,
        &admin,
        json!({"centre_id": centre}),
        json!(["centres:read"]),
    )
    .await;
    let client_secret = client["client_secret"].as_str().unwrap().to_owned();
    app.post_json(
        Some(&admin),
        "/api/v1/users",
        &json!({"email": "sam@carlisle.example", "name": "Sam", "role": "coordinator", "centre_ids": [centre]}),
    )
    .await;
    let link = app.outbox_token("sam@carlisle.example", "invitation").await;
    app.invite_and_login(&admin, "kim@carlisle.example", "coordinator", &[&centre])
        .await;

    // Each is stored as the SHA-256 of itself (passwords as argon2id)...
    let hex = |token: &str| format!("{:x}", Sha256::digest(token.as_bytes()));
    for (table, column, secret) in [
        ("refresh_tokens", "token_hash", &refresh),
        ("integration_clients", "secret_hash", &client_secret),
        ("one_time_tokens", "token_hash", &link),
    ] {
        let stored = app
            .query_texts(&format!(
                "SELECT encode({column}, 'hex') AS value FROM {table}"
            ))
            .await;
        assert!(stored.contains(&hex(secret)), "{table}: {stored:?}");
    }
    let hashes = app
        .query_texts("SELECT coalesce(password_hash, '') AS value FROM users WHERE password_hash IS NOT NULL")
        .await;
    assert_eq!(hashes.len(), 2);
    assert!(
        hashes.iter().all(|h| h.starts_with("$argon2id$")),
        "{hashes:?}"
    );

    // ...and none is anywhere in the database in clear, in any table but the
    // outbox (whose messages carry links until they are delivered).
    let tables = app
        .query_texts(
            "SELECT tablename::text AS value FROM pg_tables WHERE schemaname = 'public' \
             AND tablename NOT IN ('notifications_outbox', '__diesel_schema_migrations')",
        )
        .await;
    assert!(tables.len() > 10, "{tables:?}");
    for table in &tables {
        let rows = app
            .query_texts(&format!("SELECT t::text AS value FROM \"{table}\" t"))
            .await
            .join("\n");
        for secret in [
            &refresh,
            &client_secret,
            &link,
            &admin,
            &crate::helpers::ADMIN_PASSWORD.to_owned(),
            &crate::helpers::PASSWORD.to_owned(),
        ] {
            assert!(
                !rows.contains(secret.as_str()),
                "a secret in clear in {table}"
            );
        }
    }
}
