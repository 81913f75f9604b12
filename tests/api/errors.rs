//! Every error is a problem+json body carrying the request id.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

async fn problem(response: reqwest::Response) -> serde_json::Value {
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "status {}",
        response.status()
    );
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: serde_json::Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");
    body
}

#[tokio::test]
async fn an_unknown_path_is_a_404_problem() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/nowhere").await;
    assert_eq!(response.status(), 404);
    let body = problem(response).await;
    assert_eq!(body["type"], "/problems/not-found");
    assert_eq!(body["status"], 404);
}

#[tokio::test]
async fn a_known_path_with_a_wrong_method_is_a_405_with_allow() {
    let app = spawn_app().await;
    let response = app.client.delete(app.url("/ready")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");
    let body = problem(response).await;
    assert_eq!(body["type"], "/problems/method-not-allowed");
}

#[tokio::test]
async fn a_well_formed_request_id_is_echoed_and_a_bad_one_replaced() {
    let app = spawn_app().await;
    let kept = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "partner-abc.123")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "partner-abc.123");

    let replaced = app
        .client
        .get(app.url("/nowhere"))
        .header("x-request-id", "has spaces and <script>")
        .send()
        .await
        .unwrap();
    let id = replaced.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(problem(replaced).await["request_id"], id.as_str());

    let made = app.get("/health").await;
    let id = made.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn responses_carry_nosniff_and_no_server_version() {
    let app = spawn_app().await;
    for path in ["/health", "/nowhere"] {
        let response = app.get(path).await;
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert!(response.headers().get("server").is_none());
    }
}

// The body, query and validation errors, on the service's own routes: a write
// that needs a token (the centre directory) and one that does not (login).
// Each refused write leaves nothing behind.

/// A server that takes JSON bodies of at most 300 bytes, and an admin token.
async fn small_bodies() -> (TestApp, String) {
    let app = spawn_app_with(&[("MAX_JSON_BYTES", "300")]).await;
    let admin = app.admin_token().await;
    (app, admin)
}

async fn post(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn centres_stored(app: &TestApp) -> usize {
    app.query_texts("SELECT id::text AS value FROM centres")
        .await
        .len()
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let (app, admin) = small_bodies().await;
    for (token, path) in [
        (Some(admin.as_str()), "/api/v1/centres"),
        (None, "/api/v1/auth/login"),
    ] {
        let response = post(&app, token, path, "application/json", r#"{"name": "A", "#).await;
        assert_eq!(response.status(), 400, "{path}");
        let body = problem(response).await;
        assert_eq!(body["type"], "/problems/bad-request");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .starts_with("malformed JSON"),
            "{body}"
        );
    }
    assert_eq!(centres_stored(&app).await, 0);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let (app, admin) = small_bodies().await;
    for (token, path) in [
        (Some(admin.as_str()), "/api/v1/centres"),
        (None, "/api/v1/auth/login"),
    ] {
        let response = post(&app, token, path, "text/plain", r#"{"name": "A"}"#).await;
        assert_eq!(response.status(), 415, "{path}");
        assert_eq!(
            problem(response).await["type"],
            "/problems/unsupported-media-type"
        );
    }
    assert_eq!(centres_stored(&app).await, 0);
}

#[tokio::test]
async fn a_body_over_max_json_bytes_is_a_413_problem_and_one_at_it_is_read() {
    let (app, admin) = small_bodies().await;
    // Exactly 300 bytes: read (and created).
    let at_limit = |pad: usize| {
        format!(
            r#"{{"name": "A", "services": ["supported"], "description": "{}"}}"#,
            "x".repeat(pad)
        )
    };
    let fits = at_limit(300 - at_limit(0).len());
    assert_eq!(fits.len(), 300);
    let created = post(
        &app,
        Some(&admin),
        "/api/v1/centres",
        "application/json",
        fits,
    )
    .await;
    assert_eq!(created.status(), 201);
    // One byte more: refused, and nothing written.
    let over = at_limit(301 - at_limit(0).len());
    let response = post(
        &app,
        Some(&admin),
        "/api/v1/centres",
        "application/json",
        over,
    )
    .await;
    assert_eq!(response.status(), 413);
    let body = problem(response).await;
    assert_eq!(body["type"], "/problems/payload-too-large");
    assert!(
        body["detail"].as_str().unwrap().contains("300 bytes"),
        "{body}"
    );
    assert_eq!(centres_stored(&app).await, 1);
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_422_problem() {
    let (app, admin) = small_bodies().await;
    let response = post(
        &app,
        Some(&admin),
        "/api/v1/centres",
        "application/json",
        r#"{"name": 7}"#,
    )
    .await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    assert_eq!(body["type"], "/problems/validation");
    assert_eq!(body["errors"][0]["field"], "body");
    assert_eq!(centres_stored(&app).await, 0);
}

#[tokio::test]
async fn each_invalid_field_is_listed_in_a_422_problem() {
    let (app, admin) = small_bodies().await;
    let body = r#"{"name": "", "services": ["teleport"], "min_referral_notice_days": 400}"#;
    let response = post(
        &app,
        Some(&admin),
        "/api/v1/centres",
        "application/json",
        body,
    )
    .await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    let mut fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["min_referral_notice_days", "name", "services[0]"],
        "{body}"
    );
    assert_eq!(body["detail"], "3 fields are not valid");
    assert_eq!(centres_stored(&app).await, 0);
}

#[tokio::test]
async fn a_query_parameter_of_the_wrong_type_is_a_422_problem() {
    let (app, admin) = small_bodies().await;
    let response = app.get_as(&admin, "/api/v1/organisations?limit=lots").await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["field"], "query");
}

/// Every problem `type` the source can send, found by reading it.
fn problem_types_in_source() -> std::collections::BTreeSet<String> {
    fn walk(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for piece in text.split("\"/problems/").skip(1) {
                    let kind: String = piece
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                        .collect();
                    if piece[kind.len()..].starts_with('"') && !kind.is_empty() {
                        found.insert(format!("/problems/{kind}"));
                    }
                }
            }
        }
    }
    let mut found = std::collections::BTreeSet::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut found,
    );
    found
}

#[tokio::test]
async fn every_problem_type_is_in_the_catalogue_the_spec_and_has_a_page() {
    let catalogue: std::collections::BTreeSet<String> = ccc::problem_types::catalogue()
        .iter()
        .map(|p| p.uri.to_owned())
        .collect();
    let in_source = problem_types_in_source();
    assert!(in_source.len() >= 17, "{in_source:?}");
    assert_eq!(
        catalogue, in_source,
        "the catalogue and the source disagree"
    );

    let app = spawn_app().await;
    let spec: serde_json::Value = app
        .get("/api-docs/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let listed = spec["components"]["schemas"]["Problem"]["properties"]["type"]["description"]
        .as_str()
        .unwrap()
        .to_owned();
    for p in ccc::problem_types::catalogue() {
        assert!(
            listed.contains(&format!("`{}`", p.uri)),
            "{} not in the spec",
            p.uri
        );
        let page = app.get(p.uri).await;
        assert_eq!(page.status(), 200, "{}", p.uri);
        assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("<h1>{}</h1>", p.title)), "{html}");
    }
    let missing = app.get("/problems/no-such-kind").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(problem(missing).await["type"], "/problems/not-found");
}
