//! The database going away under load: concurrent writers keep going while
//! PostgreSQL ends their sessions and then becomes unreachable. A client must
//! meet only 201 or a retryable 503 (never a 500), the service must recover by
//! itself, and every write it acknowledged must be in the database.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;

use crate::helpers::{fresh_database, server_url, spawn_app_on, with_database};
use crate::proxy::{host_port, DbProxy};

const WRITERS: usize = 8;

/// What one request answered, and when relative to the outage.
struct Answer {
    status: u16,
    id: Option<String>,
    retry_after: Option<String>,
    problem_type: Option<String>,
    after_recovery: bool,
}

/// Ends every session of the app's database from the server side, as a
/// PostgreSQL shutdown or an operator's `pg_terminate_backend` does: the
/// service's connections get "terminating connection due to administrator
/// command" mid-request.
async fn terminate_sessions(database: &str) {
    use diesel_async::RunQueryDsl;
    let mut conn = AsyncPgConnection::establish(&with_database(&server_url(), "postgres"))
        .await
        .expect("maintenance connection");
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind::<diesel::sql_types::Text, _>(database)
    .execute(&mut conn)
    .await
    .expect("terminate sessions");
}

async fn writer(
    app: Arc<crate::helpers::TestApp>,
    token: String,
    n: usize,
    stop: Arc<AtomicBool>,
    recovered: Arc<AtomicBool>,
) -> Vec<Answer> {
    let mut answers = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let after_recovery = recovered.load(Ordering::Relaxed);
        let body = json!({"name": format!("Firm {n}-{i}"), "kind": "law_firm",
                          "email_domain": format!("firm{n}x{i}.test")});
        let response = app
            .post_json(Some(&token), "/api/v1/organisations", &body)
            .await;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        answers.push(Answer {
            status,
            id: body["id"].as_str().map(str::to_owned),
            retry_after,
            problem_type: body["type"].as_str().map(str::to_owned),
            after_recovery,
        });
        if status == 503 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_meet_503_never_500_while_the_database_is_away_and_nothing_acknowledged_is_lost() {
    let database_url = fresh_database().await;
    let database = database_url.rsplit('/').next().unwrap().to_owned();
    let mut proxy = DbProxy::start(&host_port(&database_url)).await;
    let app = Arc::new(
        spawn_app_on(
            &proxy.url_through(&database_url),
            &[("DB_TIMEOUT_MS", "500"), ("DB_POOL_SIZE", "4")],
        )
        .await,
    );
    let token = app.admin_token().await;
    let stop = Arc::new(AtomicBool::new(false));
    let recovered = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| {
            tokio::spawn(writer(
                Arc::clone(&app),
                token.clone(),
                n,
                Arc::clone(&stop),
                Arc::clone(&recovered),
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(500)).await;
    // The server ends the sessions (as a restart does), twice while writes run...
    terminate_sessions(&database).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    terminate_sessions(&database).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // ...then the database is unreachable for two seconds, open connections cut.
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.restore().await;
    recovered.store(true, Ordering::Relaxed);
    // Writers carry on against the same service, which was never restarted.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);

    let mut answers = Vec::new();
    for w in writers {
        answers.extend(w.await.expect("writer"));
    }
    let count = |f: &dyn Fn(&Answer) -> bool| answers.iter().filter(|a| f(a)).count();
    let others: Vec<u16> = answers
        .iter()
        .map(|a| a.status)
        .filter(|s| *s != 201 && *s != 503)
        .collect();
    assert!(
        others.is_empty(),
        "only 201 and 503 expected, got {others:?}"
    );
    assert!(count(&|a| a.status == 503) > 0, "the outage was seen");
    for a in answers.iter().filter(|a| a.status == 503) {
        assert_eq!(a.retry_after.as_deref(), Some("1"));
        assert_eq!(a.problem_type.as_deref(), Some("/problems/unavailable"));
    }
    assert!(
        count(&|a| a.status == 201 && a.after_recovery) > 0,
        "writes succeed again without a restart"
    );
    assert_eq!(app.get("/ready").await.status(), 200);

    // Every acknowledged organisation is stored.
    use diesel_async::RunQueryDsl;
    let acknowledged: Vec<String> = answers.iter().filter_map(|a| a.id.clone()).collect();
    assert_eq!(acknowledged.len(), count(&|a| a.status == 201));
    let mut direct = AsyncPgConnection::establish(&database_url)
        .await
        .expect("direct connection");
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let stored =
        diesel::sql_query("SELECT count(*) AS n FROM organisations WHERE id::text = ANY($1)")
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&acknowledged)
            .get_result::<Row>(&mut direct)
            .await
            .expect("count");
    assert_eq!(
        stored.n as usize,
        acknowledged.len(),
        "an acknowledged write was lost"
    );
}
