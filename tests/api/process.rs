//! The `ccc` binary as an operator runs it: configuration errors, access log,
//! graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::helpers::fresh_database;
use crate::proxy::{host_port, DbProxy};

fn ccc() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccc"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn a_missing_variable_stops_start_up_with_one_clear_message() {
    let out = ccc().output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "ccc: configuration error: DATABASE_URL is not set; see the configuration table in README.md"
    );
}

#[test]
fn a_malformed_variable_stops_start_up_naming_it_without_echoing_secrets() {
    let out = ccc()
        .env("DATABASE_URL", "postgres://app:s3cret-pw@127.0.0.1:1/ccc")
        .env("PORT", "eighty")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("PORT is malformed"), "{stderr}");
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
}

/// Reads the child's stderr on a thread, line by line.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A password the database URL carries (the test cluster trusts local
/// connections, so any password works): it must never reach the log.
const DB_PASSWORD: &str = "db-pass-SECRET-42";

/// `url` with [`DB_PASSWORD`] as the user's password.
fn with_password(url: &str) -> String {
    url.replacen("postgres@", &format!("postgres:{DB_PASSWORD}@"), 1)
}

/// Starts the binary on `database_url`, logging at `log_level`; returns it,
/// its stderr lines, the lines read so far and the port it listens on.
fn start(database_url: &str, log_level: &str) -> (Child, mpsc::Receiver<String>, Vec<String>, u16) {
    let mut child = ccc()
        .env("DATABASE_URL", with_password(database_url))
        .env("PORT", "0")
        .env("WORKERS", "1")
        .env("DB_TIMEOUT_MS", "10000")
        .env("JWT_SECRET", crate::helpers::JWT_SECRET)
        .env("RUST_LOG", log_level)
        .spawn()
        .expect("starts");
    let lines = stderr_lines(&mut child);
    let mut seen = Vec::new();
    let port: u16 = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("the service logs its port");
        seen.push(line.clone());
        if let Some(rest) = line.split("listening on port ").nth(1) {
            break rest.trim().parse().expect("a port");
        }
    };
    (child, lines, seen, port)
}

/// Neither the database URL's password nor the signing secret is in `log`.
fn assert_no_configured_secret(log: &str) {
    for secret in [DB_PASSWORD, crate::helpers::JWT_SECRET] {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the log:\n{log}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests_closes_the_pool_and_logs_no_secrets() {
    let database_url = fresh_database().await;
    let proxy = DbProxy::start(&host_port(&database_url)).await;
    // Debug level: whatever the service or its libraries log, no secret.
    let (mut child, lines, mut seen, port) = start(&proxy.url_through(&database_url), "debug");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let ok = client
        .get(format!("{base}/health?email=jo%40example.org"))
        .header("authorization", "Bearer tok-SECRET-123")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        client
            .get(format!("{base}/nowhere"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // The database turns slow, so a readiness check is in flight when SIGTERM arrives.
    proxy.hold();
    let in_flight = tokio::spawn(client.get(format!("{base}/ready")).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    // No new connections are accepted...
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err());
    // ...but the request in flight is answered once the database answers.
    proxy.release();
    let answer = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(answer.status(), 200);

    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "exit status {status}");
    seen.extend(lines.try_iter());
    let log = seen.join("\n");
    assert!(log.contains("database pools closed"), "{log}");

    assert_no_configured_secret(&log);
    let access: Vec<&str> = seen
        .iter()
        .filter(|l| l.contains("ccc::access"))
        .map(String::as_str)
        .collect();
    assert_eq!(access.len(), 3, "one line per request:\n{log}");
    assert!(access[0].contains("GET /health 200 "), "{}", access[0]);
    assert!(access[0].contains("ms request_id="), "{}", access[0]);
    assert!(access[1].contains("GET (unmatched) 404 "), "{}", access[1]);
    assert!(access[2].contains("GET /ready 200 "), "{}", access[2]);
    for secret in [
        "jo%40example.org",
        "example.org",
        "tok-SECRET-123",
        "email=",
    ] {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the log:\n{log}"
        );
    }
}

/// An unexpected error (here a table gone from under the service) answers
/// 500 with an `error_id` and no internal detail, and the log has the detail
/// under that id and the request's id, so support can find it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unexpected_error_is_logged_under_the_error_id_the_client_is_given() {
    let database_url = fresh_database().await;
    let (mut child, lines, mut seen, port) = start(&database_url, "info");
    {
        use diesel_async::{AsyncConnection, SimpleAsyncConnection};
        let mut conn = diesel_async::AsyncPgConnection::establish(&database_url)
            .await
            .expect("direct connection");
        conn.batch_execute("ALTER TABLE postcode_districts RENAME TO postcode_districts_gone")
            .await
            .expect("rename");
    }
    let response = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v1/postcodes/CA11AA"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = response.json().await.unwrap();
    let error_id = body["error_id"].as_str().expect("an error_id").to_owned();
    assert!(!body.to_string().contains("postcode_districts"), "{body}");

    let line = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(10))
            .expect("the error is logged");
        seen.push(line.clone());
        if line.contains(&format!("error_id={error_id}")) {
            break line;
        }
    };
    assert!(line.contains(&format!("request_id={request_id}")), "{line}");
    assert!(
        line.contains("postcode_districts"),
        "the cause is logged: {line}"
    );
    let _ = child.kill();
    let _ = child.wait();
    seen.extend(lines.try_iter());
    assert_no_configured_secret(&seen.join("\n"));
}
