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
