//! The identity walk a newcomer takes through the API alone, and its refusals.

mod accounts;
mod clients;
mod lifetimes;
mod links;
mod registration;
mod sign_in;

use crate::helpers::{spawn_app, TestApp, ADMIN_EMAIL, PASSWORD};
use serde_json::{json, Value};

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.query_texts("SELECT action || ':' || resource_type || ':' || outcome AS value FROM audit_events ORDER BY at, id")
        .await
}
