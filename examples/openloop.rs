//! An open-loop load generator for `make bench`: sends requests at a fixed
//! offered rate, whatever the answers' speed, and reports the latency of each
//! from the moment it was due (not when it was sent), so that a slow answer
//! delays no measurement behind it.
//!
//! `openloop URL RATE SECONDS [METHOD] [BODY] [HEADER: VALUE]...`
//! prints `sent achieved_rps p50_ms p99_ms non2xx`.
//!
//! With `OPENLOOP_REQUESTS=FILE`, each request takes the next line of FILE
//! (`PATH<TAB>BODY`, the path appended to URL), in turn: for writes that
//! must differ (each booking a new date).

use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: openloop URL RATE SECONDS [METHOD] [BODY] [HEADER: VALUE]...";
    let url = args.get(1).ok_or(usage)?.clone();
    let rate: f64 = args.get(2).ok_or(usage)?.parse()?;
    let seconds: f64 = args.get(3).ok_or(usage)?.parse()?;
    let method = reqwest::Method::from_bytes(args.get(4).map_or("GET", String::as_str).as_bytes())?;
    let body = args.get(5).filter(|b| !b.is_empty()).cloned();
    let mut headers = reqwest::header::HeaderMap::new();
    for header in args.iter().skip(6) {
        let (name, value) = header.split_once(':').ok_or("a header is NAME: VALUE")?;
        headers.insert(
            reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())?,
            reqwest::header::HeaderValue::from_str(value.trim())?,
        );
    }
    if body.is_some() && !headers.contains_key(reqwest::header::CONTENT_TYPE) {
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
    }
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(10))
        .build()?;
    let varied: Vec<(String, String)> = match std::env::var("OPENLOOP_REQUESTS") {
        Ok(file) => std::fs::read_to_string(file)?
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(p, b)| (format!("{url}{p}"), b.to_owned()))
            .collect(),
        Err(_) => Vec::new(),
    };
    let total = (rate * seconds).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Duration, bool)>();
    let start = Instant::now();
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let request = match varied.get(i as usize % varied.len().max(1)) {
            Some((path, body)) => client
                .request(method.clone(), path)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone()),
            None => {
                let request = client.request(method.clone(), &url);
                match &body {
                    Some(body) => request.body(body.clone()),
                    None => request,
                }
            }
        };
        let tx = tx.clone();
        tokio::spawn(async move {
            let ok = match request.send().await {
                Ok(response) => {
                    let ok = response.status().is_success();
                    // Read the whole answer: its latency includes the body.
                    let _ = response.bytes().await;
                    ok
                }
                Err(_) => false,
            };
            let _ = tx.send((due.elapsed(), ok));
        });
    }
    drop(tx);
    let mut latencies = Vec::with_capacity(total as usize);
    let mut failed = 0u64;
    while let Some((latency, ok)) = rx.recv().await {
        latencies.push(latency);
        failed += u64::from(!ok);
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| -> f64 {
        let i = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len().max(1)) - 1;
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{} {:.0} {:.2} {:.2} {}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        at(0.50),
        at(0.99),
        failed
    );
    Ok(())
}
