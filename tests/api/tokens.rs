//! Every kind of bad access token is a 401 with `WWW-Authenticate`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, JWT_SECRET};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Claims a valid token for `sub` would carry.
fn claims(sub: &str) -> Value {
    json!({"iss": "ccc", "aud": "ccc-api", "sub": sub, "exp": now() + 600, "iat": now(),
           "nbf": now(), "jti": uuid::Uuid::now_v7(), "typ": "user", "role": "network_admin"})
}

fn sign(alg: Algorithm, kid: Option<&str>, secret: &str, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn admin_id(app: &TestApp) -> String {
    let token = app.admin_token().await;
    let me: Value = app.get_as(&token, "/api/v1/me").await.json().await.unwrap();
    me["id"].as_str().unwrap().to_owned()
}

async fn assert_refused(app: &TestApp, authorization: &str, case: &str) {
    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "{case}");
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"),
        "{case}"
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{case}"
    );
}

#[tokio::test]
async fn a_token_made_like_the_service_makes_them_is_accepted() {
    let app = spawn_app().await;
    let sub = admin_id(&app).await;
    let token = sign(Algorithm::HS256, Some("k1"), JWT_SECRET, &claims(&sub));
    assert_eq!(app.get_as(&token, "/api/v1/me").await.status(), 200);
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401() {
    let app = spawn_app().await;
    let sub = admin_id(&app).await;
    let good = claims(&sub);
    let with = |key: &str, value: Value| {
        let mut c = good.clone();
        c[key] = value;
        c
    };
    let without = |key: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(key);
        c
    };
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#),
        URL_SAFE_NO_PAD.encode(good.to_string())
    );
    let cases: Vec<(&str, String)> = vec![
        ("alg none", format!("Bearer {unsigned}")),
        (
            "another algorithm",
            format!(
                "Bearer {}",
                sign(Algorithm::HS512, Some("k1"), JWT_SECRET, &good)
            ),
        ),
        (
            "wrong key",
            format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    Some("k1"),
                    "another-secret-0123456789abcdef0123",
                    &good
                )
            ),
        ),
        (
            "unknown key id",
            format!(
                "Bearer {}",
                sign(Algorithm::HS256, Some("k9"), JWT_SECRET, &good)
            ),
        ),
        (
            "no key id",
            format!("Bearer {}", sign(Algorithm::HS256, None, JWT_SECRET, &good)),
        ),
        (
            "wrong issuer",
            format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    Some("k1"),
                    JWT_SECRET,
                    &with("iss", json!("someone-else"))
                )
            ),
        ),
        (
            "wrong audience",
            format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    Some("k1"),
                    JWT_SECRET,
                    &with("aud", json!("other-api"))
                )
            ),
        ),
        (
            "expired",
            format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    Some("k1"),
                    JWT_SECRET,
                    &with("exp", json!(now() - 3600))
                )
            ),
        ),
        (
            "not yet valid",
            format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    Some("k1"),
                    JWT_SECRET,
                    &with("nbf", json!(now() + 3600))
                )
            ),
        ),
        (
            "missing exp",
            format!(
                "Bearer {}",
                sign(Algorithm::HS256, Some("k1"), JWT_SECRET, &without("exp"))
            ),
        ),
        (
            "missing sub",
            format!(
                "Bearer {}",
                sign(Algorithm::HS256, Some("k1"), JWT_SECRET, &without("sub"))
            ),
        ),
        (
            "missing typ",
            format!(
                "Bearer {}",
                sign(Algorithm::HS256, Some("k1"), JWT_SECRET, &without("typ"))
            ),
        ),
        (
            "missing iat",
            format!(
                "Bearer {}",
                sign(Algorithm::HS256, Some("k1"), JWT_SECRET, &without("iat"))
            ),
        ),
        (
            "unknown subject",
            format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    Some("k1"),
                    JWT_SECRET,
                    &with("sub", json!(uuid::Uuid::now_v7()))
                )
            ),
        ),
        ("garbage token", "Bearer not.a.jwt".to_owned()),
        ("empty bearer", "Bearer ".to_owned()),
        ("basic scheme", "Basic YWRtaW46cGFzc3dvcmQ=".to_owned()),
        (
            "no scheme",
            sign(Algorithm::HS256, Some("k1"), JWT_SECRET, &good),
        ),
    ];
    for (case, header) in cases {
        assert_refused(&app, &header, case).await;
    }
    // No token at all on a protected route.
    let none = app.get("/api/v1/me").await;
    assert_eq!(none.status(), 401);
    assert!(none.headers().contains_key("www-authenticate"));
}

#[tokio::test]
async fn a_token_signed_with_the_previous_key_is_accepted_during_rotation() {
    let old_secret = "previous-signing-key-0123456789abcdef01";
    let app = crate::helpers::spawn_app_with(&[
        ("JWT_KEY_ID", "k2"),
        ("JWT_PREVIOUS_KEY_ID", "k1"),
        ("JWT_PREVIOUS_SECRET", old_secret),
    ])
    .await;
    let sub = admin_id(&app).await;
    let old = sign(Algorithm::HS256, Some("k1"), old_secret, &claims(&sub));
    assert_eq!(app.get_as(&old, "/api/v1/me").await.status(), 200);
    // The current key signs new tokens, with its key id.
    let fresh = app.admin_token().await;
    let header = jsonwebtoken::decode_header(&fresh).unwrap();
    assert_eq!(header.kid.as_deref(), Some("k2"));
    assert_eq!(header.alg, Algorithm::HS256);
}

/// The audit entries refused tokens left, as `actor_kind actor_id`.
async fn refused_entries(app: &TestApp) -> Vec<String> {
    app.query_texts(
        "SELECT actor_kind || ' ' || coalesce(actor_id::text, '-') AS value FROM audit_events \
         WHERE action = 'authenticate' AND resource_type = 'access_token' AND outcome = 'denied' \
         ORDER BY at, id",
    )
    .await
}

async fn me_from(app: &TestApp, token: &str, addr: &str) -> u16 {
    app.client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .header("x-forwarded-for", addr)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn suspicious_tokens_are_audited_once_a_minute_per_address_and_expired_ones_not() {
    let app = crate::helpers::spawn_app_with(&[("TRUST_FORWARDED_FOR", "true")]).await;
    let admin = app.admin_token().await;
    let sub = admin_id(&app).await;
    // Entries are counted per minute: start well clear of the next one.
    while time::OffsetDateTime::now_utc().second() >= 45 {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }

    // Forged: a flood from one address is one entry; another address, another.
    let forged = sign(
        Algorithm::HS256,
        Some("k1"),
        "a-guessed-secret-0123456789abcdef0123",
        &claims(&sub),
    );
    for _ in 0..5 {
        assert_eq!(me_from(&app, &forged, "203.0.113.1").await, 401);
    }
    assert_eq!(refused_entries(&app).await, ["anonymous -"]);
    assert_eq!(me_from(&app, &forged, "203.0.113.2").await, 401);
    assert_eq!(refused_entries(&app).await.len(), 2);

    // Expired: what honest clients meet every quarter hour; not audited.
    let mut expired = claims(&sub);
    expired["exp"] = json!(now() - 3600);
    let expired = sign(Algorithm::HS256, Some("k1"), JWT_SECRET, &expired);
    assert_eq!(me_from(&app, &expired, "203.0.113.3").await, 401);
    assert_eq!(refused_entries(&app).await.len(), 2);

    // A disabled account's token, and a revoked client's, name who they were.
    let centre = app.create_centre(&admin, "Carlisle").await;
    let (coordinator_id, coordinator) = app
        .invite_and_login(&admin, "sam@carlisle.example", "coordinator", &[&centre])
        .await;
    app.json_of(
        reqwest::Method::POST,
        Some(&admin),
        &format!("/api/v1/users/{coordinator_id}/disable"),
        None,
        200,
    )
    .await;
    assert_eq!(me_from(&app, &coordinator, "203.0.113.4").await, 401);
    let client = crate::builders::integration_client(
        &app,
        &admin,
        json!({"centre_id": centre}),
        json!(["centres:read"]),
    )
    .await;
    let client_token = crate::builders::client_token(&app, &client, None).await;
    let client_id = client["client"]["id"].as_str().unwrap();
    app.json_of(
        reqwest::Method::POST,
        Some(&admin),
        &format!("/api/v1/integration-clients/{client_id}/revoke"),
        None,
        204,
    )
    .await;
    for _ in 0..3 {
        assert_eq!(me_from(&app, &client_token, "203.0.113.4").await, 401);
    }
    let entries = refused_entries(&app).await;
    assert_eq!(
        entries[2..],
        [
            format!("user {coordinator_id}"),
            format!("client {client_id}")
        ]
    );
}

/// A client's token names the secret that got it: one minted after a
/// rotation (as a token request that read the old secret while the rotation
/// was under way would be) is refused all the same, as is one naming no
/// secret; one naming the current secret is accepted.
#[tokio::test]
async fn a_client_token_of_any_secret_but_the_current_one_is_refused() {
    use ccc::identity::secrets::{secret_fingerprint, token_hash};
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Centre").await;
    let made = crate::builders::integration_client(
        &app,
        &admin,
        json!({ "centre_id": centre }),
        json!(["centres:read"]),
    )
    .await;
    let id = made["client"]["id"].as_str().unwrap().to_owned();
    let old = made["client_secret"].as_str().unwrap().to_owned();
    let rotate = format!("/api/v1/integration-clients/{id}/rotate-secret");
    let rotated: Value = app
        .post_json(Some(&admin), &rotate, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let new = rotated["client_secret"].as_str().unwrap().to_owned();
    // Minted now, after the rotation, each naming a secret (or none).
    let token = |sec: Option<String>| {
        let mut c = json!({"iss": "ccc", "aud": "ccc-api", "sub": id, "exp": now() + 600,
            "iat": now(), "nbf": now(), "jti": uuid::Uuid::now_v7(), "typ": "client",
            "scope": "centres:read"});
        if let Some(sec) = sec {
            c["sec"] = json!(sec);
        }
        sign(Algorithm::HS256, Some("k1"), JWT_SECRET, &c)
    };
    let centres = "/api/v1/centres?limit=1";
    for (case, sec) in [
        (
            "the old secret",
            Some(secret_fingerprint(&token_hash(&old))),
        ),
        ("no secret", None),
    ] {
        let response = app.get_as(&token(sec), centres).await;
        assert_eq!(response.status(), 401, "{case}");
    }
    let current = token(Some(secret_fingerprint(&token_hash(&new))));
    assert_eq!(app.get_as(&current, centres).await.status(), 200);
}
