use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn authenticated_answers_are_not_cached() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let me = app.get_as(&token, "/api/v1/me").await;
    assert_eq!(me.headers()["cache-control"], "no-store");
    assert_eq!(me.headers()["x-content-type-options"], "nosniff");
    assert!(me.headers().get("server").is_none());
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let app = spawn_app_with(&[("CORS_ALLOWED_ORIGINS", "https://portal.example.org")]).await;
    let allowed = app
        .client
        .get(app.url("/health"))
        .header("origin", "https://portal.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://portal.example.org"
    );
    let other = app
        .client
        .get(app.url("/health"))
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let none = spawn_app().await;
    let r = none
        .client
        .get(none.url("/health"))
        .header("origin", "https://portal.example.org")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
}
