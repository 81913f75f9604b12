//! The centres directory: entries, venues, opening times, finding the nearest
//! centre, who sees what, and the rules that refuse bad input.

mod entries;
mod postcodes;
mod schedule;
mod search;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

async fn centre_with(
    app: &TestApp,
    admin: &str,
    name: &str,
    services: &[&str],
    self_referrals: bool,
) -> String {
    let body = json!({
        "name": name,
        "services": services,
        "accepts_self_referrals": self_referrals,
        "accreditation": {"body": "NACCC", "status": "accredited", "accredited_on": "2025-01-01", "expires_on": "2028-01-01"},
    });
    let centre = app
        .json_of(
            Method::POST,
            Some(admin),
            "/api/v1/centres",
            Some(&body),
            201,
        )
        .await;
    centre["id"].as_str().unwrap().to_owned()
}

/// A venue placed by coordinates (no postcode), with two rooms.
async fn venue_at(
    app: &TestApp,
    token: &str,
    centre: &str,
    latitude: f64,
    longitude: f64,
) -> String {
    let body = json!({
        "name": format!("Hall at {latitude},{longitude}"),
        "address_line1": "1 Church Road",
        "town": "Somewhere",
        "latitude": latitude,
        "longitude": longitude,
        "rooms": ["Main hall", "Family room"],
        "separate_entrances": true,
    });
    let path = format!("/api/v1/centres/{centre}/venues");
    let venue = app
        .json_of(Method::POST, Some(token), &path, Some(&body), 201)
        .await;
    venue["id"].as_str().unwrap().to_owned()
}

async fn slot(app: &TestApp, token: &str, centre: &str, body: Value) -> reqwest::Response {
    app.send(
        Method::POST,
        Some(token),
        &format!("/api/v1/centres/{centre}/opening-sessions"),
        Some(&body),
    )
    .await
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

fn error_fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap().to_owned(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
