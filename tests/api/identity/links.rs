//! One-time links (invitations, email confirmations, password resets) are
//! worth an account: only the newest of a kind works, and once one is used or
//! the password changes, none of the older ones does.

use reqwest::Method;
use serde_json::json;

use crate::builders::{centre, invited_parent, referrer};
use crate::helpers::{spawn_app, PASSWORD};

const NEW_PASSWORD: &str = "a much newer passphrase 2026";

#[tokio::test]
async fn confirming_with_one_registrations_link_ends_the_other() {
    let app = spawn_app().await;
    let register = json!({"email": "jo@example.org", "name": "Jo Smith"});
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/register-parent",
        Some(&register),
        202,
    )
    .await;
    let first = app.outbox_token("jo@example.org", "confirm_email").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/register-parent",
        Some(&register),
        202,
    )
    .await;
    let second = app.outbox_token("jo@example.org", "confirm_email").await;
    assert_ne!(first, second);
    let with = |token: &str| json!({"token": token, "password": PASSWORD});
    // Each registration's link works until one of them is used.
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/confirm-email",
        Some(&with(&second)),
        204,
    )
    .await;
    let refused = app
        .json_of(
            Method::POST,
            None,
            "/api/v1/auth/confirm-email",
            Some(&with(&first)),
            422,
        )
        .await;
    assert_eq!(refused["errors"][0]["field"], "token");
    app.login("jo@example.org", PASSWORD).await;
}

#[tokio::test]
async fn an_old_invitation_cannot_take_over_a_parents_account() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre_id = centre(
        &app,
        &admin,
        "Penrith Contact Centre",
        &["supported"],
        54.66,
    )
    .await;
    let (solicitor, _) = referrer(&app, &admin, "Smith & Jones", "smithjones.example").await;
    let referral = app
        .json_of(
            Method::POST,
            Some(&solicitor),
            "/api/v1/referrals",
            Some(&json!({
                "centre_id": centre_id, "service": "supported", "communication_level": "none",
                "children": [{"ref": "alex", "name": "Alex Smith", "date_of_birth": "2019-05-01"}],
                "adults": [
                    {"ref": "jo", "name": "Jo Smith", "party": "resident_parent", "email": "jo@example.org",
                     "relations": [{"child": "alex", "relation": "mother", "lives_with": true}]},
                    {"ref": "chris", "name": "Chris Smith", "party": "non_resident_parent", "email": "chris@example.org",
                     "relations": [{"child": "alex", "relation": "father", "lives_with": false}]}
                ],
                "submit": true
            })),
            201,
        )
        .await;
    let id = referral["id"].as_str().unwrap();
    let chris_id = referral["adults"][1]["id"].as_str().unwrap();
    let old_link = app.outbox_token("chris@example.org", "invitation").await;
    // Chris's part runs out of time, and the solicitor asks again: a new link.
    app.query_texts(&format!(
        "UPDATE referral_adults SET part_due_at = now() - interval '1 hour' \
         WHERE id = '{chris_id}' RETURNING id::text AS value"
    ))
    .await;
    let again = format!("/api/v1/referrals/{id}/parties/{chris_id}/invitation");
    app.json_of(Method::POST, Some(&solicitor), &again, None, 200)
        .await;
    // Chris sets up the account with the new link and changes the password.
    let chris = invited_parent(&app, "chris@example.org").await;
    app.json_of(
        Method::POST,
        Some(&chris),
        "/api/v1/auth/password",
        Some(&json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})),
        204,
    )
    .await;
    // Whoever still holds the first link cannot set a password with it.
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&json!({"token": old_link, "password": "taken over by the old link"})),
        422,
    )
    .await;
    app.login("chris@example.org", NEW_PASSWORD).await;
}

#[tokio::test]
async fn a_password_reset_ends_every_other_open_link() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre_id = app.create_centre(&admin, "Carlisle Contact Centre").await;
    let _coordinator = app
        .invite_and_login(&admin, "sam@carlisle.example", "coordinator", &[&centre_id])
        .await;
    let reset = json!({"email": "sam@carlisle.example"});
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset",
        Some(&reset),
        202,
    )
    .await;
    let first = app
        .outbox_token("sam@carlisle.example", "password_reset")
        .await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset",
        Some(&reset),
        202,
    )
    .await;
    let second = app
        .outbox_token("sam@carlisle.example", "password_reset")
        .await;
    let with = |token: &str, password: &str| json!({"token": token, "password": password});
    // Only the newest link works, and once used, no link does.
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset/confirm",
        Some(&with(&first, NEW_PASSWORD)),
        422,
    )
    .await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset/confirm",
        Some(&with(&second, NEW_PASSWORD)),
        204,
    )
    .await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/password-reset/confirm",
        Some(&with(&second, "yet another passphrase 1")),
        422,
    )
    .await;
    app.login("sam@carlisle.example", NEW_PASSWORD).await;
}

#[tokio::test]
async fn an_invitation_is_sent_again_and_only_the_newest_link_works() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let penrith = centre(&app, &admin, "Penrith Centre", &["supported"], 54.66).await;
    let keswick = centre(&app, &admin, "Keswick Centre", &["supported"], 54.6).await;
    let (_, coordinator) = app
        .invite_and_login(&admin, "coord@penrith.example", "coordinator", &[&penrith])
        .await;
    let (_, elsewhere) = app
        .invite_and_login(&admin, "coord@keswick.example", "coordinator", &[&keswick])
        .await;
    let invited = app
        .json_of(
            Method::POST,
            Some(&coordinator),
            "/api/v1/users",
            Some(&json!({"email": "new.staff@penrith.example", "name": "New Staff", "role": "staff", "centre_ids": [penrith]})),
            201,
        )
        .await;
    let again = format!(
        "/api/v1/users/{}/invitation",
        invited["id"].as_str().unwrap()
    );
    let first = app
        .outbox_token("new.staff@penrith.example", "invitation")
        .await;
    // Another centre's coordinator does not see the account.
    app.json_of(Method::POST, Some(&elsewhere), &again, None, 404)
        .await;
    let sent = app
        .json_of(Method::POST, Some(&coordinator), &again, None, 202)
        .await;
    assert_eq!(sent["status"], "invited");
    let second = app
        .outbox_token("new.staff@penrith.example", "invitation")
        .await;
    assert_ne!(first, second);
    // The first link stopped working; the newest accepts.
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&json!({"token": first, "password": PASSWORD})),
        422,
    )
    .await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&json!({"token": second, "password": PASSWORD})),
        204,
    )
    .await;
    // An account in use needs no invitation.
    app.json_of(Method::POST, Some(&coordinator), &again, None, 409)
        .await;
    app.json_of(Method::POST, Some(&admin), &again, None, 403)
        .await;
}
