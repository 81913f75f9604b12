//! Cursors: a list reads only the cursors it made, for the same filters.

use reqwest::Method;
use serde_json::{json, Value};

use crate::builders;
use crate::helpers::spawn_app;

fn next(page: &Value) -> String {
    page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned()
}

async fn cursor_refused(app: &crate::helpers::TestApp, token: &str, path: &str) {
    let body = app.json_of(Method::GET, Some(token), path, None, 422).await;
    assert_eq!(body["errors"][0]["field"], "cursor", "{path}: {body}");
}

#[tokio::test]
async fn a_cursor_is_read_only_by_the_list_and_filters_that_made_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Carlisle").await;
    for _ in 0..2 {
        builders::integration_client(
            &app,
            &admin,
            json!({"centre_id": centre}),
            json!(["centres:read"]),
        )
        .await;
    }
    let get = |path: &'static str| app.json_of(Method::GET, Some(&admin), path, None, 200);
    let audit = get("/api/v1/audit?limit=1").await;
    let clients = get("/api/v1/integration-clients?limit=1").await;
    let of_clients = get("/api/v1/audit?resource_type=integration_client&limit=1").await;
    let (audit_cursor, clients_cursor) = (next(&audit), next(&clients));

    // Each list continues from its own cursor.
    let page2 = app
        .json_of(
            Method::GET,
            Some(&admin),
            &format!("/api/v1/audit?limit=1&cursor={audit_cursor}"),
            None,
            200,
        )
        .await;
    assert_ne!(page2["items"][0]["id"], audit["items"][0]["id"]);
    app.json_of(
        Method::GET,
        Some(&admin),
        &format!("/api/v1/integration-clients?limit=1&cursor={clients_cursor}"),
        None,
        200,
    )
    .await;

    // Both sort on a time and an id, so their cursors have the same shape: still
    // neither list takes the other's.
    cursor_refused(
        &app,
        &admin,
        &format!("/api/v1/integration-clients?cursor={audit_cursor}"),
    )
    .await;
    cursor_refused(
        &app,
        &admin,
        &format!("/api/v1/audit?cursor={clients_cursor}"),
    )
    .await;
    // The same list with other filters.
    cursor_refused(
        &app,
        &admin,
        &format!("/api/v1/audit?resource_type=centre&cursor={audit_cursor}"),
    )
    .await;
    let filtered = next(&of_clients);
    cursor_refused(&app, &admin, &format!("/api/v1/audit?cursor={filtered}")).await;
    // An edited position keeps its old signature: refused.
    let (payload, tag) = audit_cursor.split_once('.').expect("payload.signature");
    let position: Value = serde_json::from_slice(&base64_decode(payload)).expect("json position");
    let mut moved = position.clone();
    moved["id"] = json!("00000000-0000-0000-0000-000000000000");
    let edited = format!(
        "{}.{tag}",
        base64_encode(&serde_json::to_vec(&moved).unwrap())
    );
    cursor_refused(&app, &admin, &format!("/api/v1/audit?cursor={edited}")).await;
    // The unsigned form of the same position.
    cursor_refused(&app, &admin, &format!("/api/v1/audit?cursor={payload}")).await;
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
