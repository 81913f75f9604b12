//! Integration clients and their own referrals: the token's scopes decide,
//! operation by operation (referrals::access::client_may).

use super::*;
use crate::builders::{client_token, integration_client};

#[tokio::test]
async fn a_clients_token_scopes_govern_each_operation_on_its_own_referrals() {
    let w = world().await;
    let app = &w.app;
    let client = integration_client(
        app,
        &w.admin,
        json!({"organisation_id": w.organisation}),
        json!(["centres:read", "referrals:read", "referrals:write"]),
    )
    .await;
    let token = |scope: &'static str| client_token(app, &client, Some(scope));
    let (full, read_only, write_only, centres_only) = (
        token("referrals:read referrals:write").await,
        token("referrals:read").await,
        token("referrals:write").await,
        token("centres:read").await,
    );
    let mut draft = family(&w.supervised, "supervised", "none");
    draft["submit"] = json!(false);
    draft["referrer"] = json!({"name": "Case system", "email": "cases@smithjones.example"});
    let created = app
        .json_of(
            Method::POST,
            Some(&full),
            "/api/v1/referrals",
            Some(&draft),
            201,
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let one = format!("/api/v1/referrals/{id}");
    let submit = format!("{one}/submit");
    let attach = format!("{one}/attachments?filename=order.pdf");
    let upload = |token: &str| {
        app.client
            .post(app.url(&attach))
            .bearer_auth(token)
            .header("content-type", "application/pdf")
            .body(b"%PDF-1.7\n%%EOF\n".to_vec())
            .send()
    };

    // Reading: referrals:read, or referrals:write for what the client sent.
    for t in [&read_only, &write_only] {
        app.json_of(Method::GET, Some(t), &one, None, 200).await;
    }
    // Writing needs referrals:write, whatever else the token holds.
    app.json_of(Method::PATCH, Some(&read_only), &one, Some(&draft), 403)
        .await;
    app.json_of(Method::POST, Some(&read_only), &submit, None, 403)
        .await;
    assert_eq!(upload(&read_only).await.unwrap().status(), 403);
    // A token that may not read referrals learns nothing: 404, as for a
    // referral that does not exist.
    app.json_of(Method::GET, Some(&centres_only), &one, None, 404)
        .await;
    let missing = format!("/api/v1/referrals/{}", uuid::Uuid::now_v7());
    app.json_of(Method::GET, Some(&centres_only), &missing, None, 404)
        .await;
    app.json_of(Method::POST, Some(&centres_only), &submit, None, 404)
        .await;
    assert_eq!(upload(&centres_only).await.unwrap().status(), 404);
    // With referrals:write the client sends it and attaches to it.
    app.json_of(Method::POST, Some(&write_only), &submit, None, 200)
        .await;
    assert_eq!(upload(&write_only).await.unwrap().status(), 201);
}

/// Network admins see no family detail, so they may not give a centre's
/// client a scope that reads the centre's families, nor take a new secret
/// for one that has such a scope (holding it, they would read what it
/// reads); the centre's own coordinator may do both, and the admin may
/// still revoke it.
#[tokio::test]
async fn only_a_centres_coordinator_gives_its_client_family_scopes() {
    let w = world().await;
    let app = &w.app;
    for scopes in [
        json!(["referrals:read"]),
        json!(["centres:read", "referrals:write"]),
        json!(["sessions:read"]),
        json!(["attendance:read"]),
    ] {
        let body = json!({"name": "Centre system", "scopes": scopes, "centre_id": w.supervised});
        app.json_of(
            Method::POST,
            Some(&w.admin),
            "/api/v1/integration-clients",
            Some(&body),
            403,
        )
        .await;
        let made = app
            .json_of(
                Method::POST,
                Some(&w.coordinator),
                "/api/v1/integration-clients",
                Some(&body),
                201,
            )
            .await;
        let rotate = format!(
            "/api/v1/integration-clients/{}/rotate-secret",
            made["client"]["id"].as_str().unwrap()
        );
        let refused = app
            .json_of(Method::POST, Some(&w.admin), &rotate, None, 403)
            .await;
        assert!(refused.get("client_secret").is_none());
        let rotated = app
            .json_of(Method::POST, Some(&w.coordinator), &rotate, None, 200)
            .await;
        assert_ne!(rotated["client_secret"], made["client_secret"]);
        let revoke = rotate.replace("rotate-secret", "revoke");
        app.json_of(Method::POST, Some(&w.admin), &revoke, None, 204)
            .await;
    }
    // Directory scopes for a centre, and organisations' clients, stay the admin's to give.
    let directory = json!({"name": "Kiosk", "scopes": ["centres:read"], "centre_id": w.supervised});
    let kiosk = app
        .json_of(
            Method::POST,
            Some(&w.admin),
            "/api/v1/integration-clients",
            Some(&directory),
            201,
        )
        .await;
    let rotate = format!(
        "/api/v1/integration-clients/{}/rotate-secret",
        kiosk["client"]["id"].as_str().unwrap()
    );
    app.json_of(Method::POST, Some(&w.admin), &rotate, None, 200)
        .await;
}
