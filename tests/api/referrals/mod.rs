//! Referrals: intake by a solicitor, a parent and an integration client; both
//! parties' parts; the self-referral grid; alternatives; who sees what.

mod assessment;
mod audit;
mod case_changes;
mod clients;
mod concurrency;
mod decisions;
mod documents;
mod intake;
mod notes;
mod preparation;
mod questions;
mod redaction;
mod sessions;
mod visibility;
mod waiting;

use reqwest::Method;
use serde_json::{json, Value};

use crate::builders::{centre, invited_parent, referrer, registered_parent};
use crate::helpers::{spawn_app, TestApp};

/// A network with a supervised centre (its coordinator and staff), a
/// supported-only one nearby, a law firm with a solicitor, and another firm.
struct World {
    app: TestApp,
    admin: String,
    supervised: String,
    supported_only: String,
    coordinator: String,
    staff: String,
    solicitor: String,
    other_solicitor: String,
    organisation: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let supervised = centre(
        &app,
        &admin,
        "Penrith Supervised Contact Centre",
        &["supported", "supervised"],
        54.66,
    )
    .await;
    let supported_only = centre(
        &app,
        &admin,
        "Carlisle Child Contact Centre",
        &["supported", "handover"],
        54.89,
    )
    .await;
    let (_, coordinator) = app
        .invite_and_login(
            &admin,
            "coord@penrith.example",
            "coordinator",
            &[&supervised],
        )
        .await;
    let (_, staff) = app
        .invite_and_login(
            &coordinator,
            "staff@penrith.example",
            "staff",
            &[&supervised],
        )
        .await;
    let (solicitor, organisation) =
        referrer(&app, &admin, "Family Law LLP", "familylaw.example").await;
    let (other_solicitor, _) = referrer(&app, &admin, "Other Firm", "otherfirm.example").await;
    World {
        app,
        admin,
        supervised,
        supported_only,
        coordinator,
        staff,
        solicitor,
        other_solicitor,
        organisation,
    }
}

/// A two-parent family: Jo lives with Alex; Chris does not.
fn family(centre: &str, service: &str, level: &str) -> Value {
    json!({
        "centre_id": centre,
        "service": service,
        "referrer": {"phone": "01228 000000"},
        "communication_level": level,
        "children": [{"ref": "c1", "name": "Alex Smith", "date_of_birth": "2018-04-02", "needs": "Asthma inhaler"}],
        "adults": [
            {"ref": "jo", "name": "Jo Smith", "party": "resident_parent", "email": "jo@example.org",
             "phone": "07700 900001", "address": "1 Home Street, Carlisle", "may_attend": true,
             "relations": [{"child": "c1", "relation": "mother", "lives_with": true}]},
            {"ref": "chris", "name": "Chris Smith", "party": "non_resident_parent", "email": "chris@example.org",
             "phone": "07700 900002", "address": "2 Other Road, Penrith", "may_attend": true,
             "relations": [{"child": "c1", "relation": "father"}]}
        ],
        "court_proceedings": {"court": "Carlisle Family Court", "case_number": "CA26P00123", "next_hearing_on": "2027-02-01"},
        "court_orders": [{"kind": "child_arrangements", "made_on": "2026-10-01", "conditions": "Supervised contact fortnightly"}],
        "risks": [{"kind": "domestic_abuse", "details": "Referrer's note: history of arguments at handover"}],
        "parties_must_not_meet": true,
        "preferred_days": ["saturday"],
        "frequency": "fortnightly",
        "submit": true
    })
}

fn adult<'a>(referral: &'a Value, name: &str) -> &'a Value {
    referral["adults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap()
}

fn risk_texts(referral: &Value) -> Vec<String> {
    referral["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["details"].as_str().unwrap().to_owned())
        .collect()
}

/// Solicitor refers; both parents give their parts; returns (referral, jo, chris).
async fn referred_and_completed(w: &World) -> (Value, String, String) {
    let app = &w.app;
    let referral = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&family(&w.supervised, "supervised", "none")),
            201,
        )
        .await;
    let id = referral["id"].as_str().unwrap().to_owned();
    let jo = invited_parent(app, "jo@example.org").await;
    let chris = invited_parent(app, "chris@example.org").await;
    let jo_id = adult(&referral, "Jo Smith")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let chris_id = adult(&referral, "Chris Smith")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.json_of(Method::POST, Some(&jo), &format!("/api/v1/referrals/{id}/parties/{jo_id}/part"),
        Some(&json!({"consents_to_contact": true, "availability": "Saturdays",
                     "share": {"phone": true}, "risks": [{"kind": "other", "details": "Jo's view: worried about late arrivals"}]})), 200)
        .await;
    let done = app
        .json_of(Method::POST, Some(&chris), &format!("/api/v1/referrals/{id}/parties/{chris_id}/part"),
            Some(&json!({"consents_to_contact": true, "address": "3 New Lane, Penrith",
                         "risks": [{"kind": "mental_health", "details": "Chris's view: Jo is anxious"}]})), 200)
        .await;
    (done, jo, chris)
}
