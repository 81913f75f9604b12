use std::time::Duration;

use crate::helpers::{fresh_database, spawn_app, spawn_app_on};
use crate::proxy::{host_port, DbProxy};

async fn problem(response: reqwest::Response) -> serde_json::Value {
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    response.json().await.expect("a JSON problem")
}

#[tokio::test]
async fn health_and_ready_answer_200_when_the_database_is_up() {
    let app = spawn_app().await;
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
    assert_eq!(app.get("/ready").await.status(), 200);
}

#[tokio::test]
async fn ready_is_503_while_the_database_is_down_and_recovers_without_a_restart() {
    let database_url = fresh_database().await;
    let mut proxy = DbProxy::start(&host_port(&database_url)).await;
    let app = spawn_app_on(&proxy.url_through(&database_url), &[]).await;
    assert_eq!(app.get("/ready").await.status(), 200);

    proxy.cut();
    let down = app.get("/ready").await;
    assert_eq!(down.status(), 503);
    assert_eq!(down.headers()["retry-after"], "1");
    let body = problem(down).await;
    assert_eq!(body["type"], "/problems/unavailable");
    assert_eq!(body["status"], 503);
    let text = body.to_string();
    assert!(
        !text.contains("127.0.0.1") && !text.contains("postgres"),
        "{text}"
    );
    // Liveness does not depend on the database.
    assert_eq!(app.get("/health").await.status(), 200);

    proxy.restore().await;
    let mut status = 0;
    for _ in 0..50 {
        status = app.get("/ready").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "ready again once the database is back");
}

#[tokio::test]
async fn ready_is_503_when_no_pooled_connection_is_free_in_time() {
    let app =
        crate::helpers::spawn_app_with(&[("DB_POOL_SIZE", "1"), ("DB_TIMEOUT_MS", "300")]).await;
    // The test holds the only connection of the service's one worker.
    let [worker] = app.worker_pools.all() else {
        panic!("one worker, as the tests configure");
    };
    let held = worker.get().await.expect("a connection");
    let response = app.get("/ready").await;
    assert_eq!(response.status(), 503);
    assert_eq!(problem(response).await["type"], "/problems/unavailable");
    drop(held);
    assert_eq!(app.get("/ready").await.status(), 200);
}
