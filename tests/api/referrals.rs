//! Referrals: intake by a solicitor, a parent and an integration client; both
//! parties' parts; the self-referral grid; alternatives; who sees what.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

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

async fn centre(app: &TestApp, admin: &str, name: &str, services: &[&str], lat: f64) -> String {
    let body = json!({"name": name, "services": services, "accepts_self_referrals": true});
    let c = app
        .json_of(
            Method::POST,
            Some(admin),
            "/api/v1/centres",
            Some(&body),
            201,
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    let venue = json!({"name": "Hall", "address_line1": "1 Road", "town": "Carlisle", "latitude": lat,
                       "longitude": -2.93, "rooms": ["Hall"]});
    app.json_of(
        Method::POST,
        Some(admin),
        &format!("/api/v1/centres/{id}/venues"),
        Some(&venue),
        201,
    )
    .await;
    id
}

/// A referrer registered into `org` at `domain`, confirmed, logged in.
async fn referrer(app: &TestApp, admin: &str, org_name: &str, domain: &str) -> (String, String) {
    let org = app
        .json_of(
            Method::POST,
            Some(admin),
            "/api/v1/organisations",
            Some(&json!({"name": org_name, "kind": "law_firm", "email_domain": domain})),
            201,
        )
        .await;
    let email = format!("solicitor@{domain}");
    app.json_of(Method::POST, None, "/api/v1/auth/register",
        Some(&json!({"email": email, "name": "Sam Patel", "referrer_type": "solicitor", "organisation_id": org["id"]})), 202)
        .await;
    let token = app.outbox_token(&email, "confirm_email").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/confirm-email",
        Some(&json!({"token": token, "password": PASSWORD})),
        204,
    )
    .await;
    let login = app.login(&email, PASSWORD).await;
    (
        login["access_token"].as_str().unwrap().to_owned(),
        org["id"].as_str().unwrap().to_owned(),
    )
}

/// A parent who registered and confirmed their email.
async fn registered_parent(app: &TestApp, email: &str) -> String {
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/register-parent",
        Some(&json!({"email": email, "name": "Jo Smith"})),
        202,
    )
    .await;
    let token = app.outbox_token(email, "confirm_email").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/confirm-email",
        Some(&json!({"token": token, "password": PASSWORD})),
        204,
    )
    .await;
    app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A parent invited by a referral: accepts the emailed link, then logs in.
async fn invited_parent(app: &TestApp, email: &str) -> String {
    let token = app.outbox_token(email, "invitation").await;
    app.json_of(
        Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&json!({"token": token, "password": PASSWORD})),
        204,
    )
    .await;
    app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
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

#[tokio::test]
async fn a_solicitor_refers_a_family_and_both_parents_add_their_parts() {
    let w = world().await;
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
    assert_eq!(referral["status"], "awaiting_parties");
    assert_eq!(referral["source"], "professional");
    assert_eq!(referral["referrer"]["name"], "Sam Patel");
    assert_eq!(
        referral["referrer"]["organisation_id"],
        w.organisation.as_str()
    );
    // The tracking page: what is pending, and from whom.
    let pending: Vec<&str> = referral["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["from"].as_str().unwrap())
        .collect();
    assert_eq!(pending, ["Jo Smith", "Chris Smith"]);
    let id = referral["id"].as_str().unwrap();

    let jo = invited_parent(app, "jo@example.org").await;
    let jo_id = adult(&referral, "Jo Smith")["id"].as_str().unwrap();
    let after_jo = app
        .json_of(
            Method::POST,
            Some(&jo),
            &format!("/api/v1/referrals/{id}/parties/{jo_id}/part"),
            Some(&json!({"consents_to_contact": true})),
            200,
        )
        .await;
    assert_eq!(after_jo["status"], "awaiting_parties");
    // A part is given once.
    app.json_of(
        Method::POST,
        Some(&jo),
        &format!("/api/v1/referrals/{id}/parties/{jo_id}/part"),
        Some(&json!({"consents_to_contact": true})),
        409,
    )
    .await;
    // Nobody gives another adult's part.
    let chris_id = adult(&referral, "Chris Smith")["id"].as_str().unwrap();
    app.json_of(
        Method::POST,
        Some(&jo),
        &format!("/api/v1/referrals/{id}/parties/{chris_id}/part"),
        Some(&json!({"consents_to_contact": true})),
        403,
    )
    .await;

    let chris = invited_parent(app, "chris@example.org").await;
    let done = app
        .json_of(
            Method::POST,
            Some(&chris),
            &format!("/api/v1/referrals/{id}/parties/{chris_id}/part"),
            Some(&json!({"consents_to_contact": true})),
            200,
        )
        .await;
    assert_eq!(done["status"], "submitted");
    let history: Vec<(Value, Value)> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from_status"].clone(), h["to_status"].clone()))
        .collect();
    assert_eq!(
        history,
        [
            (Value::Null, json!("draft")),
            (json!("draft"), json!("awaiting_parties")),
            (json!("awaiting_parties"), json!("submitted")),
        ]
    );
    assert_eq!(done["pending"][0]["what"], "centre_review");

    // Domain events in the outbox, without personal data.
    let events = app
        .query_texts(&format!("SELECT event_type AS value FROM domain_events WHERE resource_id = '{id}' ORDER BY occurred_at, event_type"))
        .await;
    for expected in [
        "referral.created",
        "referral.awaiting_parties",
        "referral.party_invited",
        "referral.part_given",
        "referral.submitted",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected} missing from {events:?}"
        );
    }
    let payloads = app
        .query_texts(&format!(
            "SELECT payload::text AS value FROM domain_events WHERE resource_id = '{id}'"
        ))
        .await;
    assert!(
        payloads
            .iter()
            .all(|p| !p.contains("Smith") && !p.contains("example.org")),
        "{payloads:?}"
    );
    // The solicitor's organisation sees it in its list; another firm does not.
    let list = app
        .json_of(
            Method::GET,
            Some(&w.solicitor),
            "/api/v1/referrals?status=submitted",
            None,
            200,
        )
        .await;
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["children"], 1);
    let other = app
        .json_of(
            Method::GET,
            Some(&w.other_solicitor),
            "/api/v1/referrals",
            None,
            200,
        )
        .await;
    assert!(other["items"].as_array().unwrap().is_empty());
    app.json_of(
        Method::GET,
        Some(&w.other_solicitor),
        &format!("/api/v1/referrals/{id}"),
        None,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_parent_self_refers_and_the_other_parent_adds_their_part_by_invitation() {
    let w = world().await;
    let app = &w.app;
    let jo = registered_parent(app, "jo@example.org").await;
    let mut body = family(&w.supervised, "supported", "direct");
    body["adults"][0]["self"] = json!(true);
    body["referrer"] = Value::Null;
    let referral = app
        .json_of(
            Method::POST,
            Some(&jo),
            "/api/v1/referrals",
            Some(&body),
            201,
        )
        .await;
    assert_eq!(referral["source"], "self_referral");
    assert_eq!(referral["status"], "awaiting_parties");
    // Jo's part is given by making the referral; Chris's is awaited.
    assert_eq!(adult(&referral, "Jo Smith")["part_status"], "given");
    assert_eq!(adult(&referral, "Chris Smith")["part_status"], "awaited");
    let id = referral["id"].as_str().unwrap();
    let chris = invited_parent(app, "chris@example.org").await;
    // Before consenting, Chris sees none of Jo's contact details, nor the referrer's.
    let seen = app
        .json_of(
            Method::GET,
            Some(&chris),
            &format!("/api/v1/referrals/{id}"),
            None,
            200,
        )
        .await;
    let jo_seen = adult(&seen, "Jo Smith");
    assert!(
        jo_seen["contact"].get("email").is_none() && jo_seen["contact"].get("phone").is_none(),
        "{jo_seen}"
    );
    assert_eq!(seen["referrer"]["email"], "");
    assert!(
        !seen.to_string().contains("jo@example.org"),
        "Jo's email reached Chris"
    );
    let chris_id = adult(&referral, "Chris Smith")["id"].as_str().unwrap();
    let done = app
        .json_of(
            Method::POST,
            Some(&chris),
            &format!("/api/v1/referrals/{id}/parties/{chris_id}/part"),
            Some(&json!({"consents_to_contact": true, "availability": "Saturday mornings"})),
            200,
        )
        .await;
    assert_eq!(done["status"], "submitted");
    // Both parents list it.
    for token in [&jo, &chris] {
        let list = app
            .json_of(Method::GET, Some(token), "/api/v1/referrals", None, 200)
            .await;
        assert_eq!(list["items"][0]["id"], id);
    }
}

#[tokio::test]
async fn a_self_referral_that_a_professional_must_make_is_refused() {
    let w = world().await;
    let app = &w.app;
    let jo = registered_parent(app, "jo@example.org").await;
    for level in ["prohibited", "none"] {
        let mut body = family(&w.supervised, "supported", level);
        body["adults"][0]["self"] = json!(true);
        let problem = app
            .json_of(
                Method::POST,
                Some(&jo),
                "/api/v1/referrals",
                Some(&body),
                422,
            )
            .await;
        assert_eq!(
            problem["type"], "/problems/professional-referral-required",
            "{level}"
        );
        assert!(problem["detail"].as_str().unwrap().contains("professional"));
    }
    // A centre that takes no self-referrals refuses them whatever the level.
    app.json_of(
        Method::PATCH,
        Some(&w.admin),
        &format!("/api/v1/centres/{}", w.supervised),
        Some(&json!({"accepts_self_referrals": false})),
        200,
    )
    .await;
    let mut body = family(&w.supervised, "supported", "direct");
    body["adults"][0]["self"] = json!(true);
    let problem = app
        .json_of(
            Method::POST,
            Some(&jo),
            "/api/v1/referrals",
            Some(&body),
            422,
        )
        .await;
    assert_eq!(problem["type"], "/problems/professional-referral-required");
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM referrals")
        .await;
    assert_eq!(count, ["0"]);
}

#[tokio::test]
async fn a_supervised_referral_to_a_supported_only_centre_gets_alternatives() {
    let w = world().await;
    let app = &w.app;
    let problem = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&family(&w.supported_only, "supervised", "none")),
            422,
        )
        .await;
    assert_eq!(problem["type"], "/problems/service-not-offered");
    let alternatives = problem["alternatives"].as_array().unwrap();
    assert_eq!(alternatives.len(), 1);
    assert_eq!(alternatives[0]["centre_id"], w.supervised.as_str());
    assert_eq!(alternatives[0]["name"], "Penrith Supervised Contact Centre");
    // 54.89 to 54.66 degrees north on one meridian: 0.23 x 111.195 km = 25.57 km.
    assert_eq!(alternatives[0]["distance_km"], 25.57);
}

#[tokio::test]
async fn each_viewer_sees_exactly_what_the_rules_allow() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let all_risks = [
        "Referrer's note: history of arguments at handover",
        "Jo's view: worried about late arrivals",
        "Chris's view: Jo is anxious",
    ];

    // The centre's coordinator: everything.
    let centre = app
        .json_of(Method::GET, Some(&w.coordinator), &path, None, 200)
        .await;
    assert_eq!(risk_texts(&centre), all_risks);
    assert_eq!(
        adult(&centre, "Jo Smith")["contact"]["address"],
        "1 Home Street, Carlisle"
    );
    assert_eq!(
        adult(&centre, "Chris Smith")["contact"]["address"],
        "3 New Lane, Penrith"
    );
    assert_eq!(
        adult(&centre, "Jo Smith")["contact"]["shared_with_other_party"]["phone"],
        true
    );
    assert_eq!(adult(&centre, "Jo Smith")["availability"], "Saturdays");

    // Staff: names, children, attendees, do-not-meet; no contact details, no risk text.
    let staff = app
        .json_of(Method::GET, Some(&w.staff), &path, None, 200)
        .await;
    assert_eq!(staff["parties_must_not_meet"], true);
    assert_eq!(staff["children"][0]["name"], "Alex Smith");
    assert_eq!(adult(&staff, "Jo Smith")["may_attend"], true);
    for name in ["Jo Smith", "Chris Smith"] {
        assert_eq!(adult(&staff, name)["contact"], json!({}), "{name}");
        assert!(adult(&staff, name).get("availability").is_none());
    }
    assert!(risk_texts(&staff).is_empty());
    // ... until the coordinator marks a statement for staff.
    let referrer_risk = centre["risks"][0]["id"].as_str().unwrap();
    app.json_of(
        Method::PATCH,
        Some(&w.staff),
        &format!("{path}/risks/{referrer_risk}"),
        Some(&json!({"visible_to_staff": true})),
        403,
    )
    .await;
    app.json_of(
        Method::PATCH,
        Some(&w.coordinator),
        &format!("{path}/risks/{referrer_risk}"),
        Some(&json!({"visible_to_staff": true})),
        200,
    )
    .await;
    let staff = app
        .json_of(Method::GET, Some(&w.staff), &path, None, 200)
        .await;
    assert_eq!(risk_texts(&staff), [all_risks[0]]);

    // The referrer: the referral and its status, no party's contact details,
    // only the referrer's own risk statements.
    let solicitor = app
        .json_of(Method::GET, Some(&w.solicitor), &path, None, 200)
        .await;
    assert_eq!(solicitor["status"], "submitted");
    for name in ["Jo Smith", "Chris Smith"] {
        assert_eq!(adult(&solicitor, name)["contact"], json!({}), "{name}");
    }
    assert_eq!(risk_texts(&solicitor), [all_risks[0]]);

    // Each parent: their own details; the other's only where shared (Jo shared
    // her phone, Chris nothing); only their own risk statements.
    let as_chris = app
        .json_of(Method::GET, Some(&chris), &path, None, 200)
        .await;
    assert_eq!(
        adult(&as_chris, "Jo Smith")["contact"],
        json!({"phone": "07700 900001"})
    );
    assert_eq!(
        adult(&as_chris, "Chris Smith")["contact"]["address"],
        "3 New Lane, Penrith"
    );
    assert_eq!(risk_texts(&as_chris), [all_risks[2]]);
    let as_jo = app.json_of(Method::GET, Some(&jo), &path, None, 200).await;
    assert_eq!(adult(&as_jo, "Chris Smith")["contact"], json!({}));
    assert!(
        !as_jo.to_string().contains("New Lane"),
        "Chris's address reached Jo"
    );
    assert!(adult(&as_jo, "Chris Smith").get("availability").is_none());
    assert_eq!(risk_texts(&as_jo), [all_risks[1]]);

    // Network admins: no family detail at all.
    app.json_of(Method::GET, Some(&w.admin), &path, None, 403)
        .await;
    app.json_of(Method::GET, Some(&w.admin), "/api/v1/referrals", None, 403)
        .await;

    // Every read by a person is in the audit trail.
    let reads = app
        .query_texts(&format!("SELECT count(*)::text AS value FROM audit_events WHERE action = 'read' AND resource_id = '{id}'"))
        .await;
    assert_eq!(reads, ["6"]);
}

#[tokio::test]
async fn an_integration_client_refers_for_its_organisation_and_reads_as_a_referrer() {
    let w = world().await;
    let app = &w.app;
    let client = app
        .json_of(Method::POST, Some(&w.admin), "/api/v1/integration-clients",
            Some(&json!({"name": "Case system", "scopes": ["referrals:read", "referrals:write"], "organisation_id": w.organisation})), 201)
        .await;
    let form = [
        ("grant_type", "client_credentials".to_owned()),
        (
            "client_id",
            client["client"]["id"].as_str().unwrap().to_owned(),
        ),
        (
            "client_secret",
            client["client_secret"].as_str().unwrap().to_owned(),
        ),
    ];
    let token: Value = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap();
    let mut body = family(&w.supervised, "supervised", "none");
    // A client names the referrer itself.
    let problem = app
        .json_of(
            Method::POST,
            Some(token),
            "/api/v1/referrals",
            Some(&body),
            422,
        )
        .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"referrer.name") && fields.contains(&"referrer.email"),
        "{problem}"
    );
    body["referrer"] =
        json!({"name": "Case system for Family Law LLP", "email": "cases@familylaw.example"});
    let referral = app
        .json_of(
            Method::POST,
            Some(token),
            "/api/v1/referrals",
            Some(&body),
            201,
        )
        .await;
    assert_eq!(referral["source"], "integration");
    assert_eq!(adult(&referral, "Jo Smith")["contact"], json!({}));
    // The organisation's solicitor sees it too.
    let id = referral["id"].as_str().unwrap();
    app.json_of(
        Method::GET,
        Some(&w.solicitor),
        &format!("/api/v1/referrals/{id}"),
        None,
        200,
    )
    .await;
}

#[tokio::test]
async fn bad_referrals_are_refused_field_by_field_and_leave_nothing_behind() {
    let w = world().await;
    let app = &w.app;
    let mut body = family(&w.supervised, "teleport", "sometimes");
    body["children"] = json!([
        {"ref": "c1", "name": "Alex", "date_of_birth": "2099-01-01"},
        {"ref": "c2", "name": "Sam", "date_of_birth": "2000-01-01"},
    ]);
    body["adults"][1]["relations"] = json!([]);
    body["adults"][0]["party"] = json!("stranger");
    body["court_orders"] = json!([{"kind": "restraining"}]);
    body["preferred_days"] = json!(["caturday"]);
    let problem = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&body),
            422,
        )
        .await;
    let mut fields: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("adults[0].party", "enum"),
            ("adults[1].relations", "required"),
            ("children[0].date_of_birth", "future"),
            ("children[1].date_of_birth", "adult"),
            ("communication_level", "enum"),
            ("court_orders[0].kind", "enum"),
            ("preferred_days[0]", "enum"),
            ("service", "enum"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    let mut empty = family(&w.supervised, "supervised", "none");
    empty["children"] = json!([]);
    empty["adults"][0]["relations"] = json!([]);
    empty["adults"][1]["relations"] = json!([]);
    let problem = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&empty),
            422,
        )
        .await;
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "children"),
        "{problem}"
    );
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM referrals")
        .await;
    assert_eq!(count, ["0"]);
    // Staff, coordinators and network admins do not refer.
    for token in [&w.staff, &w.coordinator, &w.admin] {
        app.json_of(
            Method::POST,
            Some(token),
            "/api/v1/referrals",
            Some(&family(&w.supervised, "supervised", "none")),
            403,
        )
        .await;
    }
}

#[tokio::test]
async fn a_second_open_referral_for_the_same_child_at_the_centre_is_a_conflict() {
    let w = world().await;
    let app = &w.app;
    let first = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&family(&w.supervised, "supervised", "none")),
            201,
        )
        .await;
    let id = first["id"].as_str().unwrap();
    // The same child (name in another case and spacing), by the same firm: named.
    let mut again = family(&w.supervised, "supported", "none");
    again["children"][0]["name"] = json!("  alex   SMITH ");
    let conflict = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&again),
            409,
        )
        .await;
    assert!(
        conflict["detail"].as_str().unwrap().contains(id),
        "{conflict}"
    );
    // By another firm: not told of the other referral (that would say where the
    // child is); theirs goes ahead, and the centre sees the two side by side.
    let elsewhere = app
        .json_of(
            Method::POST,
            Some(&w.other_solicitor),
            "/api/v1/referrals",
            Some(&again),
            201,
        )
        .await;
    assert!(
        elsewhere.get("possible_duplicate_of").is_none(),
        "{elsewhere}"
    );
    let elsewhere_id = elsewhere["id"].as_str().unwrap();
    let centre_view = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!("/api/v1/referrals/{elsewhere_id}"),
            None,
            200,
        )
        .await;
    assert_eq!(centre_view["possible_duplicate_of"], id);
    // A draft is not open: drafting again is fine; sending it is not.
    again["submit"] = json!(false);
    let draft = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&again),
            201,
        )
        .await;
    assert_eq!(draft["status"], "draft");
    let draft_id = draft["id"].as_str().unwrap();
    // Only its author sees a draft.
    app.json_of(
        Method::GET,
        Some(&w.coordinator),
        &format!("/api/v1/referrals/{draft_id}"),
        None,
        404,
    )
    .await;
    app.json_of(
        Method::POST,
        Some(&w.solicitor),
        &format!("/api/v1/referrals/{draft_id}/submit"),
        None,
        409,
    )
    .await;
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM referrals")
        .await;
    assert_eq!(count, ["3"]);
    // At another centre the same child may be referred.
    let mut elsewhere = family(&w.supported_only, "supported", "none");
    elsewhere["children"][0]["name"] = json!("Alex Smith");
    app.json_of(
        Method::POST,
        Some(&w.solicitor),
        "/api/v1/referrals",
        Some(&elsewhere),
        201,
    )
    .await;
}

#[tokio::test]
async fn lists_are_scoped_filtered_and_paged() {
    let w = world().await;
    let app = &w.app;
    for i in 0..3 {
        let mut body = family(&w.supervised, "supervised", "none");
        body["children"][0]["name"] = json!(format!("Child {i}"));
        body["adults"][0]["email"] = Value::Null;
        body["adults"][1]["email"] = Value::Null;
        let r = app
            .json_of(
                Method::POST,
                Some(&w.solicitor),
                "/api/v1/referrals",
                Some(&body),
                201,
            )
            .await;
        // No parent to invite: straight to the centre.
        assert_eq!(r["status"], "submitted");
    }
    let first = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            "/api/v1/referrals?limit=2",
            None,
            200,
        )
        .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!("/api/v1/referrals?limit=2&cursor={cursor}"),
            None,
            200,
        )
        .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());
    let none = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!("/api/v1/referrals?centre_id={}", w.supported_only),
            None,
            200,
        )
        .await;
    assert!(none["items"].as_array().unwrap().is_empty());
    let by_service = app
        .json_of(
            Method::GET,
            Some(&w.staff),
            "/api/v1/referrals?service=supported",
            None,
            200,
        )
        .await;
    assert!(by_service["items"].as_array().unwrap().is_empty());
    let bad = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            "/api/v1/referrals?status=lost&received_from=yesterday",
            None,
            422,
        )
        .await;
    assert_eq!(bad["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_draft_is_changed_in_full_by_its_author_then_sent() {
    let w = world().await;
    let app = &w.app;
    let mut body = family(&w.supervised, "supervised", "none");
    body["submit"] = json!(false);
    let draft = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&body),
            201,
        )
        .await;
    assert_eq!(draft["status"], "draft");
    assert!(draft["pending"].as_array().unwrap().is_empty());
    let path = format!("/api/v1/referrals/{}", draft["id"].as_str().unwrap());
    body["children"][0]["name"] = json!("Alexandra Smith");
    body["risks"] = json!([]);
    let changed = app
        .json_of(Method::PATCH, Some(&w.solicitor), &path, Some(&body), 200)
        .await;
    assert_eq!(changed["id"], draft["id"]);
    assert_eq!(changed["status"], "draft");
    assert_eq!(changed["children"][0]["name"], "Alexandra Smith");
    assert!(changed["risks"].as_array().unwrap().is_empty());
    // Nothing of the old content is left behind.
    let children = app
        .query_texts("SELECT count(*)::text AS value FROM referral_children")
        .await;
    assert_eq!(children, ["1"]);
    // Another firm cannot see it; a bad body changes nothing.
    app.json_of(
        Method::PATCH,
        Some(&w.other_solicitor),
        &path,
        Some(&body),
        404,
    )
    .await;
    let mut bad = body.clone();
    bad["children"][0]["date_of_birth"] = json!("2099-01-01");
    app.json_of(Method::PATCH, Some(&w.solicitor), &path, Some(&bad), 422)
        .await;
    let names = app
        .query_texts("SELECT name AS value FROM referral_children")
        .await;
    assert_eq!(names, ["Alexandra Smith"]);
    // Sent with the change; after that it is no longer a draft to change.
    body["submit"] = json!(true);
    let sent = app
        .json_of(Method::PATCH, Some(&w.solicitor), &path, Some(&body), 200)
        .await;
    assert_eq!(sent["status"], "awaiting_parties");
    app.json_of(Method::PATCH, Some(&w.solicitor), &path, Some(&body), 409)
        .await;
}

#[tokio::test]
async fn a_family_is_recorded_when_the_referral_reaches_the_centre_and_parents_keep_their_details()
{
    let w = world().await;
    let app = &w.app;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let family = referral["family_id"].as_str().unwrap();
    let path = format!("/api/v1/families/{family}");
    let centre = app
        .json_of(Method::GET, Some(&w.coordinator), &path, None, 200)
        .await;
    assert_eq!(centre["referral_id"], referral["id"]);
    assert_eq!(
        adult(&centre, "Chris Smith")["contact"]["address"],
        "3 New Lane, Penrith"
    );
    let staff = app
        .json_of(Method::GET, Some(&w.staff), &path, None, 200)
        .await;
    assert_eq!(adult(&staff, "Chris Smith")["contact"], json!({}));
    app.json_of(Method::GET, Some(&w.admin), &path, None, 403)
        .await;
    app.json_of(Method::GET, Some(&w.other_solicitor), &path, None, 404)
        .await;

    // Chris sees none of Jo's address until Jo consents to share it.
    let as_chris = app
        .json_of(Method::GET, Some(&chris), &path, None, 200)
        .await;
    assert!(adult(&as_chris, "Jo Smith")["contact"]
        .get("address")
        .is_none());
    let jo_id = adult(&centre, "Jo Smith")["id"].as_str().unwrap();
    let changed = app
        .json_of(Method::PATCH, Some(&jo), &format!("{path}/adults/{jo_id}"),
            Some(&json!({"address": "9 Moved Road, Carlisle", "share": {"address": true, "phone": false}})), 200)
        .await;
    assert_eq!(
        adult(&changed, "Jo Smith")["contact"]["address"],
        "9 Moved Road, Carlisle"
    );
    let as_chris = app
        .json_of(Method::GET, Some(&chris), &path, None, 200)
        .await;
    assert_eq!(
        adult(&as_chris, "Jo Smith")["contact"],
        json!({"address": "9 Moved Road, Carlisle"})
    );
    // Nobody changes another adult's details; a bad email changes nothing.
    app.json_of(
        Method::PATCH,
        Some(&chris),
        &format!("{path}/adults/{jo_id}"),
        Some(&json!({"address": "x"})),
        403,
    )
    .await;
    app.json_of(
        Method::PATCH,
        Some(&w.coordinator),
        &format!("{path}/adults/{jo_id}"),
        Some(&json!({"address": "x"})),
        403,
    )
    .await;
    let problem = app
        .json_of(
            Method::PATCH,
            Some(&jo),
            &format!("{path}/adults/{jo_id}"),
            Some(&json!({"email": "not an email", "address": "10 Other"})),
            422,
        )
        .await;
    assert_eq!(problem["errors"][0]["field"], "email");
    let as_chris = app
        .json_of(Method::GET, Some(&chris), &path, None, 200)
        .await;
    assert_eq!(
        adult(&as_chris, "Jo Smith")["contact"]["address"],
        "9 Moved Road, Carlisle"
    );
    let reads = app
        .query_texts(&format!("SELECT count(*)::text AS value FROM audit_events WHERE action = 'read' AND resource_type = 'family' AND resource_id = '{family}'"))
        .await;
    assert_eq!(reads, ["5"]);
}

#[tokio::test]
async fn one_account_never_answers_for_both_parties() {
    let w = world().await;
    let app = &w.app;
    // Two adults with one email: refused, so no one account holds both parts.
    let mut shared = family(&w.supervised, "supervised", "none");
    shared["adults"][1]["email"] = json!("JO@example.org");
    let problem = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&shared),
            422,
        )
        .await;
    assert_eq!(problem["errors"][0]["field"], "adults[1].email");
    assert_eq!(problem["errors"][0]["code"], "duplicate");
    // A self-referring parent cannot name themselves as the other parent.
    let jo = registered_parent(app, "jo@example.org").await;
    let mut body = family(&w.supervised, "supported", "direct");
    body["adults"][0]["self"] = json!(true);
    body["adults"][0]["email"] = json!("someone-else@example.org");
    body["adults"][1]["email"] = json!("jo@example.org");
    let problem = app
        .json_of(
            Method::POST,
            Some(&jo),
            "/api/v1/referrals",
            Some(&body),
            422,
        )
        .await;
    assert_eq!(problem["errors"][0]["field"], "adults[1].email");
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM referrals")
        .await;
    assert_eq!(count, ["0"]);
    // An email of a staff account is not a parent's: nobody is asked for that part.
    let mut staff_email = family(&w.supervised, "supervised", "none");
    staff_email["adults"][1]["email"] = json!("staff@penrith.example");
    let referral = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&staff_email),
            201,
        )
        .await;
    assert_eq!(
        adult(&referral, "Chris Smith")["part_status"],
        "not_required"
    );
    assert_eq!(adult(&referral, "Jo Smith")["part_status"], "awaited");
}

#[tokio::test]
async fn court_order_conditions_and_the_other_partys_consent_stay_with_the_centre() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, _chris) = referred_and_completed(&w).await;
    let path = format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap());
    let conditions = "Supervised contact fortnightly";
    let centre = app
        .json_of(Method::GET, Some(&w.coordinator), &path, None, 200)
        .await;
    assert_eq!(centre["court_orders"][0]["conditions"], conditions);
    let solicitor = app
        .json_of(Method::GET, Some(&w.solicitor), &path, None, 200)
        .await;
    assert_eq!(solicitor["court_orders"][0]["conditions"], conditions);
    for token in [&w.staff, &jo] {
        let seen = app
            .json_of(Method::GET, Some(token), &path, None, 200)
            .await;
        assert_eq!(seen["court_orders"][0]["kind"], "child_arrangements");
        assert!(seen["court_orders"][0]["conditions"].is_null(), "{seen}");
    }
    let as_jo = app.json_of(Method::GET, Some(&jo), &path, None, 200).await;
    assert!(adult(&as_jo, "Chris Smith")["consents_to_contact"].is_null());
    assert_eq!(adult(&as_jo, "Jo Smith")["consents_to_contact"], true);
    // A forged list cursor is a 422, not a 500.
    let forged = "eyJrZXkiOjkyMjMzNzIwMzY4NTQ3NzU4MDcsImlkIjoiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIn0";
    app.json_of(
        Method::GET,
        Some(&w.coordinator),
        &format!("/api/v1/referrals?cursor={forged}"),
        None,
        422,
    )
    .await;
}

#[tokio::test]
async fn a_part_past_its_time_is_shown_as_missing_and_can_be_asked_for_again() {
    let w = world().await;
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
    let id = referral["id"].as_str().unwrap();
    let chris_id = adult(&referral, "Chris Smith")["id"].as_str().unwrap();
    app.query_texts(&format!(
        "UPDATE referral_adults SET part_due_at = now() - interval '1 hour' WHERE id = '{chris_id}' RETURNING id::text AS value"
    ))
    .await;
    let seen = app
        .json_of(
            Method::GET,
            Some(&w.solicitor),
            &format!("/api/v1/referrals/{id}"),
            None,
            200,
        )
        .await;
    let missing: Vec<(&str, bool)> = seen["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["from"].as_str().unwrap(), p["expired"].as_bool().unwrap()))
        .collect();
    assert_eq!(missing, [("Jo Smith", false), ("Chris Smith", true)]);
    assert_eq!(adult(&seen, "Chris Smith")["part_status"], "expired");

    let chris = invited_parent(app, "chris@example.org").await;
    let part = json!({"consents_to_contact": true});
    let late = app
        .json_of(
            Method::POST,
            Some(&chris),
            &format!("/api/v1/referrals/{id}/parties/{chris_id}/part"),
            Some(&part),
            409,
        )
        .await;
    assert!(late["detail"]
        .as_str()
        .unwrap()
        .contains("invite you again"));
    // Only the referrer's side and the centre ask again.
    let again = format!("/api/v1/referrals/{id}/parties/{chris_id}/invitation");
    for token in [&w.staff, &chris] {
        app.json_of(Method::POST, Some(token), &again, None, 403)
            .await;
    }
    let asked = app
        .json_of(Method::POST, Some(&w.solicitor), &again, None, 200)
        .await;
    assert_eq!(adult(&asked, "Chris Smith")["part_status"], "awaited");
    // Chris has an account now: told, not sent a new link.
    let notices = app
        .query_texts("SELECT template AS value FROM notifications_outbox WHERE recipient = 'chris@example.org' ORDER BY created_at")
        .await;
    assert_eq!(notices, ["invitation", "referral_part"]);
    app.json_of(
        Method::POST,
        Some(&chris),
        &format!("/api/v1/referrals/{id}/parties/{chris_id}/part"),
        Some(&part),
        200,
    )
    .await;
    // A part that is given is not asked for again.
    app.json_of(Method::POST, Some(&w.solicitor), &again, None, 409)
        .await;
}

#[tokio::test]
async fn court_order_documents_are_checked_by_content_and_served_only_to_the_centre_and_referrer() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, _chris) = referred_and_completed(&w).await;
    let base = format!(
        "/api/v1/referrals/{}/attachments",
        referral["id"].as_str().unwrap()
    );
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer\n%%EOF\n".to_vec();
    let upload = |token: String, body: Vec<u8>, declared: &'static str| {
        let url = app.url(&format!("{base}?filename=order.pdf"));
        let client = app.client.clone();
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("content-type", declared)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let created = upload(w.solicitor.clone(), pdf.clone(), "application/pdf").await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["content_type"], "application/pdf");
    assert_eq!(created["size_bytes"], pdf.len());
    // The type comes from the content, not from what the sender says.
    let html = upload(
        w.solicitor.clone(),
        b"<html><script>alert(1)</script>".to_vec(),
        "application/pdf",
    )
    .await;
    assert_eq!(html.status(), 422);
    let problem: Value = html.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "body");
    let mut big = b"%PDF-".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b'0');
    assert_eq!(
        upload(w.solicitor.clone(), big, "application/pdf")
            .await
            .status(),
        413
    );
    // Parents and staff neither add nor read documents.
    assert_eq!(
        upload(jo.clone(), pdf.clone(), "application/pdf")
            .await
            .status(),
        403
    );
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM referral_attachments")
        .await;
    assert_eq!(count, ["1"]);

    let listed = app
        .json_of(Method::GET, Some(&w.coordinator), &base, None, 200)
        .await;
    assert_eq!(listed[0]["filename"], "order.pdf");
    for token in [&w.staff, &jo, &w.admin] {
        app.json_of(Method::GET, Some(token), &base, None, 403)
            .await;
    }
    app.json_of(Method::GET, Some(&w.other_solicitor), &base, None, 404)
        .await;
    let download = format!("{base}/{}", created["id"].as_str().unwrap());
    let got = app
        .send(Method::GET, Some(&w.coordinator), &download, None)
        .await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "application/pdf");
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(
        app.send(Method::GET, Some(&jo), &download, None)
            .await
            .status(),
        403
    );
    let missing = format!("{base}/{}", uuid::Uuid::now_v7());
    app.json_of(Method::GET, Some(&w.solicitor), &missing, None, 404)
        .await;
}
