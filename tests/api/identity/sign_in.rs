//! Passwords and refresh tokens: resets, changes, reuse and logout.

use super::*;

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
