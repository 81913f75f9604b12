//! Integration clients: scoped tokens, rotation and revocation.

use super::*;

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
    let fresh = json(token_request(&client_id, &new_secret, None).await.unwrap()).await;
    // Tokens the old secret got end with it; the new secret's work.
    let centre_path = format!("/api/v1/centres/{centre}");
    assert_eq!(app.get_as(&access, &centre_path).await.status(), 401);
    let fresh = fresh["access_token"].as_str().unwrap();
    assert_eq!(app.get_as(fresh, &centre_path).await.status(), 200);

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
