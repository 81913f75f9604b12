use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_audit_trail_is_append_only_in_the_database() {
    let app = spawn_app().await;
    app.admin_token().await;
    let mut conn = app.pool.get().await.unwrap();
    use diesel_async::RunQueryDsl;
    for sql in [
        "UPDATE audit_events SET outcome = 'denied'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let err = diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .expect_err("the trail must refuse it");
        // The trigger's own refusal, not any other error.
        assert_eq!(err.to_string(), "audit_events is append-only", "{sql}");
    }
    let kept = app
        .query_texts("SELECT count(*)::text AS value FROM audit_events")
        .await;
    assert_ne!(kept, ["0"]);
}

#[tokio::test]
async fn admins_see_every_entry_coordinators_their_centres_and_others_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mine = app.create_centre(&admin, "Mine").await;
    let theirs = app.create_centre(&admin, "Theirs").await;
    let (_, coordinator) = app
        .invite_and_login(&admin, "c@mine.org", "coordinator", &[&mine])
        .await;
    let (_, staff) = app
        .invite_and_login(&coordinator, "s@mine.org", "staff", &[&mine])
        .await;

    let all: Value = app
        .get_as(&admin, "/api/v1/audit?limit=100")
        .await
        .json()
        .await
        .unwrap();
    let items = all["items"].as_array().unwrap();
    assert!(items.iter().any(|e| e["centre_id"] == theirs.as_str()));
    assert!(items.iter().any(|e| e["action"] == "bootstrap_admin"));

    let scoped: Value = app
        .get_as(&coordinator, "/api/v1/audit?limit=100")
        .await
        .json()
        .await
        .unwrap();
    let items = scoped["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|e| e["centre_id"] == mine.as_str()),
        "{scoped}"
    );

    assert_eq!(app.get_as(&staff, "/api/v1/audit").await.status(), 403);
    assert_eq!(app.get("/api/v1/audit").await.status(), 401);

    // Filters and pages.
    let invites: Value = app
        .get_as(&admin, "/api/v1/audit?resource_type=user&limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(invites["items"].as_array().unwrap().len(), 1);
    let next = invites["next_cursor"].as_str().unwrap();
    let page2: Value = app
        .get_as(
            &admin,
            &format!("/api/v1/audit?resource_type=user&limit=1&cursor={next}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(page2["items"][0]["id"], invites["items"][0]["id"]);
    assert_eq!(page2["items"][0]["resource_type"], "user");
    let bad = app.get_as(&admin, "/api/v1/audit?cursor=nonsense").await;
    assert_eq!(bad.status(), 422);
    // No personal data in the trail: no emails anywhere.
    assert!(!all.to_string().contains("@mine.org"));
    let _ = json!({});
}
