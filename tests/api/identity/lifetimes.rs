//! How long each credential lives, with the clock in the test's hands: the
//! test reads the lifetime the service gave, then moves the stored expiry (or
//! signs a token with the expiry it wants) to either side of "now".

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET, PASSWORD};

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("claims")
}

/// `token` signed again with other claims and the same header (key id).
fn resign(token: &str, claims: &Value) -> String {
    let header = jsonwebtoken::decode_header(token).unwrap();
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

/// Seconds between creation and expiry of the newest row of `table` for `purpose`.
async fn stored_lifetime(app: &TestApp, table: &str, filter: &str) -> i64 {
    app.query_texts(&format!(
        "SELECT extract(epoch FROM expires_at - created_at)::bigint::text AS value \
         FROM {table} WHERE {filter} ORDER BY created_at DESC LIMIT 1"
    ))
    .await[0]
        .parse()
        .unwrap()
}

/// Moves the expiry of the newest matching row to `now() + offset`.
async fn expire_at(app: &TestApp, table: &str, filter: &str, offset: &str) {
    let moved = app
        .query_texts(&format!(
            "UPDATE {table} SET expires_at = now() + interval '{offset}' \
             WHERE id = (SELECT id FROM {table} WHERE {filter} ORDER BY created_at DESC LIMIT 1) \
             RETURNING id::text AS value"
        ))
        .await;
    assert_eq!(moved.len(), 1);
}

#[tokio::test]
async fn an_access_token_lives_its_configured_seconds_and_no_longer() {
    let app = spawn_app_with(&[("ACCESS_TOKEN_TTL_SECS", "120")]).await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(login["expires_in"], 120);
    let token = login["access_token"].as_str().unwrap();
    let claims = claims_of(token);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
    assert_eq!(app.get_as(token, "/api/v1/me").await.status(), 200);

    // The same token as it is once its time has passed: 30 s of leeway for
    // clocks that disagree, then refused.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let at = |exp: i64| {
        let mut claims = claims.clone();
        claims["exp"] = json!(exp);
        claims["iat"] = json!(exp - 120);
        claims["nbf"] = json!(exp - 120);
        resign(token, &claims)
    };
    assert_eq!(app.get_as(&at(now - 10), "/api/v1/me").await.status(), 200);
    assert_eq!(app.get_as(&at(now - 40), "/api/v1/me").await.status(), 401);
}

#[tokio::test]
async fn a_refresh_token_lives_its_configured_days_and_no_longer() {
    let app = spawn_app_with(&[("REFRESH_TOKEN_TTL_DAYS", "3")]).await;
    let refresh = |token: Value| {
        let app = &app;
        async move {
            app.post_json(
                None,
                "/api/v1/auth/refresh",
                &json!({"refresh_token": token}),
            )
            .await
        }
    };
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        stored_lifetime(&app, "refresh_tokens", "true").await,
        3 * 86_400
    );
    // A minute before its end it still works (and is replaced)...
    expire_at(&app, "refresh_tokens", "true", "1 minute").await;
    let renewed = refresh(login["refresh_token"].clone()).await;
    assert_eq!(renewed.status(), 200);
    let renewed: Value = renewed.json().await.unwrap();
    // ...and the new one, a second after its end, does not.
    expire_at(&app, "refresh_tokens", "used_at IS NULL", "-1 second").await;
    let late = refresh(renewed["refresh_token"].clone()).await;
    assert_eq!(late.status(), 401);
}

#[tokio::test]
async fn an_invitation_lives_72_hours_and_a_reset_link_one() {
    let app = spawn_app_with(&[]).await;
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Carlisle").await;
    let invite = json!({"email": "sam@carlisle.example", "name": "Sam", "role": "coordinator",
                        "centre_ids": [centre]});
    app.json_of(
        Method::POST,
        Some(&admin),
        "/api/v1/users",
        Some(&invite),
        201,
    )
    .await;
    let invitations = "purpose = 'invitation'";
    assert_eq!(
        stored_lifetime(&app, "one_time_tokens", invitations).await,
        72 * 3600
    );
    let token = app.outbox_token("sam@carlisle.example", "invitation").await;
    let accept = json!({"token": token, "password": PASSWORD});
    expire_at(&app, "one_time_tokens", invitations, "-1 second").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&accept),
        422,
    )
    .await;
    expire_at(&app, "one_time_tokens", invitations, "1 minute").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&accept),
        204,
    )
    .await;

    let ask = json!({"email": "sam@carlisle.example"});
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset",
        Some(&ask),
        202,
    )
    .await;
    let resets = "purpose = 'password_reset'";
    assert_eq!(stored_lifetime(&app, "one_time_tokens", resets).await, 3600);
    let token = app
        .outbox_token("sam@carlisle.example", "password_reset")
        .await;
    let confirm = json!({"token": token, "password": "a brand new pass phrase"});
    expire_at(&app, "one_time_tokens", resets, "-1 second").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset/confirm",
        Some(&confirm),
        422,
    )
    .await;
    expire_at(&app, "one_time_tokens", resets, "1 minute").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset/confirm",
        Some(&confirm),
        204,
    )
    .await;
}

#[tokio::test]
async fn a_password_change_ends_every_open_link_and_refresh_token() {
    let app = spawn_app_with(&[]).await;
    let first = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let second = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset",
        Some(&json!({"email": ADMIN_EMAIL})),
        202,
    )
    .await;
    let link = app.outbox_token(ADMIN_EMAIL, "password_reset").await;
    let access = first["access_token"].as_str().unwrap();
    let change = json!({"current_password": ADMIN_PASSWORD, "new_password": PASSWORD});
    app.json_of(
        Method::POST,
        Some(access),
        "/api/v1/auth/password",
        Some(&change),
        204,
    )
    .await;
    for session in [&first, &second] {
        let refreshed = app
            .post_json(
                None,
                "/api/v1/auth/refresh",
                &json!({"refresh_token": session["refresh_token"]}),
            )
            .await;
        assert_eq!(refreshed.status(), 401);
    }
    let confirm = json!({"token": link, "password": "a brand new pass phrase"});
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset/confirm",
        Some(&confirm),
        422,
    )
    .await;
    app.login(ADMIN_EMAIL, PASSWORD).await;
}
