//! Builders of the people and records tests need, made through the API as a
//! user would: a centre with a venue, a law firm with a confirmed solicitor,
//! parents who registered or were invited. A test names what it needs and
//! reads as the behaviour it checks.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, PASSWORD};

pub async fn centre(app: &TestApp, admin: &str, name: &str, services: &[&str], lat: f64) -> String {
    let body = json!({"name": name, "services": services, "accepts_self_referrals": true});
    let c = app
        .json_of(
            Method::POST,
            Some(admin),
            "/api/v1/centres",
            Some(&body),
            201,
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    let venue = json!({"name": "Hall", "address_line1": "1 Road", "town": "Carlisle", "latitude": lat,
                       "longitude": -2.93, "rooms": ["Hall"]});
    app.json_of(
        Method::POST,
        Some(admin),
        &format!("/api/v1/centres/{id}/venues"),
        Some(&venue),
        201,
    )
    .await;
    id
}

/// A referrer registered into `org` at `domain`, confirmed, logged in.
pub async fn referrer(
    app: &TestApp,
    admin: &str,
    org_name: &str,
    domain: &str,
) -> (String, String) {
    referrer_of_type(app, admin, (org_name, "law_firm"), domain, "solicitor").await
}

/// A referrer of `referrer_type` registered into a new organisation
/// (name, kind) at `domain`, confirmed, logged in: (token, organisation).
pub async fn referrer_of_type(
    app: &TestApp,
    admin: &str,
    (org_name, kind): (&str, &str),
    domain: &str,
    referrer_type: &str,
) -> (String, String) {
    let org = app
        .json_of(
            Method::POST,
            Some(admin),
            "/api/v1/organisations",
            Some(&json!({"name": org_name, "kind": kind, "email_domain": domain})),
            201,
        )
        .await;
    let email = format!("{}@{domain}", referrer_type.replace('_', "."));
    app.json_of(Method::POST, None, "/api/v1/auth/register",
        Some(&json!({"email": email, "name": "Sam Patel", "referrer_type": referrer_type, "organisation_id": org["id"]})), 202)
        .await;
    let token = app.outbox_token(&email, "confirm_email").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/confirm-email",
        Some(&json!({"token": token, "password": PASSWORD})),
        204,
    )
    .await;
    let login = app.login(&email, PASSWORD).await;
    (
        login["access_token"].as_str().unwrap().to_owned(),
        org["id"].as_str().unwrap().to_owned(),
    )
}

/// A parent who registered and confirmed their email.
pub async fn registered_parent(app: &TestApp, email: &str) -> String {
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/register-parent",
        Some(&json!({"email": email, "name": "Jo Smith"})),
        202,
    )
    .await;
    let token = app.outbox_token(email, "confirm_email").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/confirm-email",
        Some(&json!({"token": token, "password": PASSWORD})),
        204,
    )
    .await;
    app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A parent invited by a referral: accepts the emailed link, then logs in.
pub async fn invited_parent(app: &TestApp, email: &str) -> String {
    let token = app.outbox_token(email, "invitation").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&json!({"token": token, "password": PASSWORD})),
        204,
    )
    .await;
    app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An integration client with `scopes`, bound to a centre (`{"centre_id": ..}`)
/// or an organisation (`{"organisation_id": ..}`); the answer holds its secret.
pub async fn integration_client(
    app: &TestApp,
    admin: &str,
    binding: Value,
    scopes: Value,
) -> Value {
    let mut body = json!({"name": "Case management", "scopes": scopes});
    if let (Some(body), Value::Object(binding)) = (body.as_object_mut(), binding) {
        body.extend(binding);
    }
    app.json_of(
        Method::POST,
        Some(admin),
        "/api/v1/integration-clients",
        Some(&body),
        201,
    )
    .await
}

/// An access token for a person who has a password.
pub async fn token_of(app: &TestApp, email: &str) -> String {
    app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An access token for an integration client as `integration_client`
/// answered it, asking for `scope` (all of the client's scopes when `None`).
pub async fn client_token(app: &TestApp, client: &Value, scope: Option<&str>) -> String {
    let mut form = vec![
        ("grant_type", "client_credentials".to_owned()),
        (
            "client_id",
            client["client"]["id"].as_str().unwrap().to_owned(),
        ),
        (
            "client_secret",
            client["client_secret"].as_str().unwrap().to_owned(),
        ),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope.to_owned()));
    }
    let answer: Value = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}
