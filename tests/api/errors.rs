//! Every error is a problem+json body carrying the request id.

use actix_web::{web, App, HttpResponse, HttpServer};
use ccc::error::ApiError;
use ccc::http::{extractors, middleware::RequestContext};
use ccc::validation::FieldErrors;
use serde::Deserialize;

use crate::helpers::spawn_app;

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

// The JSON, query and validation error mapping is shared by every resource; it is
// exercised here on a probe route served through the service's own extractor
// configuration and middleware, on a real server.

#[derive(Deserialize)]
struct Probe {
    name: String,
    count: u32,
}

impl Probe {
    /// Checked as every request is: each broken rule in one 422.
    fn check(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::default();
        if !(1..=10).contains(&self.count) {
            errors.push("count", "range", "must be 1 to 10");
        }
        if self.name.is_empty() {
            errors.push("name", "length", "must not be empty");
        }
        errors.finish(())
    }
}

#[derive(Deserialize)]
struct ProbeQuery {
    #[allow(dead_code)]
    n: Option<u32>,
}

async fn probe(
    body: web::Json<Probe>,
    _query: web::Query<ProbeQuery>,
) -> Result<HttpResponse, ApiError> {
    body.check()?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"name": body.name, "count": body.count})))
}

async fn spawn_probe(limit: usize) -> String {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(extractors::json_config(limit))
            .app_data(extractors::query_config())
            .route("/probe", web::post().to(probe))
            .wrap(RequestContext)
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("bind");
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    format!("http://127.0.0.1:{port}/probe")
}

async fn post(url: &str, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let url = spawn_probe(1024).await;
    let response = post(&url, "application/json", r#"{"name": "A", "#).await;
    assert_eq!(response.status(), 400);
    let body = problem(response).await;
    assert_eq!(body["type"], "/problems/bad-request");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .starts_with("malformed JSON"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let url = spawn_probe(1024).await;
    let response = post(&url, "text/plain", r#"{"name": "A", "count": 1}"#).await;
    assert_eq!(response.status(), 415);
    assert_eq!(
        problem(response).await["type"],
        "/problems/unsupported-media-type"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_problem() {
    let url = spawn_probe(64).await;
    let big = format!(r#"{{"name": "{}", "count": 1}}"#, "x".repeat(100));
    let response = post(&url, "application/json", big).await;
    assert_eq!(response.status(), 413);
    let body = problem(response).await;
    assert_eq!(body["type"], "/problems/payload-too-large");
    assert!(body["detail"].as_str().unwrap().contains("64 bytes"));
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_422_problem() {
    let url = spawn_probe(1024).await;
    let response = post(
        &url,
        "application/json",
        r#"{"name": "A", "count": "many"}"#,
    )
    .await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    assert_eq!(body["type"], "/problems/validation");
    assert_eq!(body["errors"][0]["field"], "body");
}

#[tokio::test]
async fn each_invalid_field_is_listed_in_a_422_problem() {
    let url = spawn_probe(1024).await;
    let response = post(&url, "application/json", r#"{"name": "", "count": 11}"#).await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{body}");
    assert_eq!(errors[0]["field"], "count");
    assert_eq!(errors[0]["code"], "range");
    assert_eq!(errors[1]["field"], "name");
    assert_eq!(errors[1]["message"], "must not be empty");
    assert_eq!(body["detail"], "2 fields are not valid");
}

#[tokio::test]
async fn a_bad_query_parameter_is_a_422_problem() {
    let url = spawn_probe(1024).await;
    let response = post(
        &format!("{url}?n=lots"),
        "application/json",
        r#"{"name": "A", "count": 1}"#,
    )
    .await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["field"], "query");
}

#[tokio::test]
async fn a_valid_request_passes_the_probe() {
    let url = spawn_probe(1024).await;
    let response = post(&url, "application/json", r#"{"name": "A", "count": 3}"#).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
}
