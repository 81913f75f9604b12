//! Redaction checked on whole bodies: for each viewer of a referral and of a
//! family, the exact set of fields that carry a value. A field added to a
//! response fails these tests until it is given to each viewer by decision.

use std::collections::BTreeSet;

use super::*;

/// Every leaf of `body` holding a value (not null, not an empty string), as a
/// path. Array elements are named by their `name` (children, adults) or
/// `kind` (risks, court orders), else their index, so a path says whose field
/// it is.
fn fields(body: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, path: &str, out: &mut BTreeSet<String>) {
        match value {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::Object(map) => {
                if map.is_empty() && !path.is_empty() {
                    return;
                }
                for (key, v) in map {
                    let p = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(v, &p, out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let name = item
                        .get("name")
                        .or_else(|| item.get("kind"))
                        .and_then(Value::as_str)
                        .map_or_else(|| i.to_string(), str::to_owned);
                    walk(item, &format!("{path}[{name}]"), out);
                }
            }
            _ => {
                out.insert(path.to_owned());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(body, "", &mut out);
    out
}

/// Whether `path` is `prefix` or a field under it.
fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path.starts_with(&format!("{prefix}."))
        || path.starts_with(&format!("{prefix}["))
}

/// `full` without the fields under each of `hidden` (a path, or the start of
/// one: `risks` hides every risk, `adults[Jo Smith].contact` all of Jo's).
/// Each of `hidden` must hide something: a stale entry is a failure.
fn without(full: &[&str], hidden: &[&str]) -> BTreeSet<String> {
    for prefix in hidden {
        assert!(
            full.iter().any(|p| under(p, prefix)),
            "{prefix} hides nothing"
        );
    }
    full.iter()
        .filter(|p| !hidden.iter().any(|h| under(p, h)))
        .map(|p| (*p).to_owned())
        .collect()
}

/// The entries of a referral's `hidden` list that a family record has.
fn for_family<'a>(hidden: &[&'a str]) -> Vec<&'a str> {
    hidden
        .iter()
        .filter(|h| family_as_the_centre_sees_it().iter().any(|p| under(p, h)))
        .copied()
        .collect()
}

/// Every field of a sent referral whose parties have both given their parts,
/// as its centre's coordinators see it. Jo shared her phone with Chris; Chris
/// shared nothing. Each risk statement is named by its kind: the referrer's
/// (domestic_abuse), Jo's (other), Chris's (mental_health).
const REFERRAL_AS_THE_CENTRE_SEES_IT: &[&str] = &[
    "adults[Chris Smith].consents_to_contact",
    "adults[Chris Smith].contact.address",
    "adults[Chris Smith].contact.email",
    "adults[Chris Smith].contact.phone",
    "adults[Chris Smith].contact.shared_with_other_party.address",
    "adults[Chris Smith].contact.shared_with_other_party.email",
    "adults[Chris Smith].contact.shared_with_other_party.phone",
    "adults[Chris Smith].id",
    "adults[Chris Smith].may_attend",
    "adults[Chris Smith].name",
    "adults[Chris Smith].part_due_at",
    "adults[Chris Smith].part_status",
    "adults[Chris Smith].party",
    "adults[Chris Smith].relations[0].child_id",
    "adults[Chris Smith].relations[0].lives_with",
    "adults[Chris Smith].relations[0].relation",
    "adults[Jo Smith].availability",
    "adults[Jo Smith].consents_to_contact",
    "adults[Jo Smith].contact.address",
    "adults[Jo Smith].contact.email",
    "adults[Jo Smith].contact.phone",
    "adults[Jo Smith].contact.shared_with_other_party.address",
    "adults[Jo Smith].contact.shared_with_other_party.email",
    "adults[Jo Smith].contact.shared_with_other_party.phone",
    "adults[Jo Smith].id",
    "adults[Jo Smith].may_attend",
    "adults[Jo Smith].name",
    "adults[Jo Smith].part_due_at",
    "adults[Jo Smith].part_status",
    "adults[Jo Smith].party",
    "adults[Jo Smith].relations[0].child_id",
    "adults[Jo Smith].relations[0].lives_with",
    "adults[Jo Smith].relations[0].relation",
    "centre_id",
    "children[Alex Smith].date_of_birth",
    "children[Alex Smith].id",
    "children[Alex Smith].name",
    "children[Alex Smith].needs",
    "communication_level",
    "court_orders[child_arrangements].conditions",
    "court_orders[child_arrangements].id",
    "court_orders[child_arrangements].kind",
    "court_orders[child_arrangements].made_on",
    "court_proceedings.case_number",
    "court_proceedings.court",
    "court_proceedings.next_hearing_on",
    "created_at",
    "family_id",
    "frequency",
    "history[0].at",
    "history[0].to_status",
    "history[0].visibility",
    "history[1].at",
    "history[1].from_status",
    "history[1].to_status",
    "history[1].visibility",
    "history[2].at",
    "history[2].from_status",
    "history[2].note",
    "history[2].to_status",
    "history[2].visibility",
    "id",
    "parties_must_not_meet",
    "pending[0].expired",
    "pending[0].from",
    "pending[0].what",
    "preferred_days[0]",
    "received_at",
    "referrer.email",
    "referrer.name",
    "referrer.organisation_id",
    "referrer.phone",
    "risks[domestic_abuse].details",
    "risks[domestic_abuse].id",
    "risks[domestic_abuse].kind",
    "risks[domestic_abuse].visible_to_staff",
    "risks[mental_health].details",
    "risks[mental_health].id",
    "risks[mental_health].kind",
    "risks[mental_health].stated_by_adult",
    "risks[mental_health].visible_to_staff",
    "risks[other].details",
    "risks[other].id",
    "risks[other].kind",
    "risks[other].stated_by_adult",
    "risks[other].visible_to_staff",
    "service",
    "source",
    "status",
    "submitted_at",
];

/// The family record of the same referral, as its centre's coordinators see
/// it: the referral's children and adults, under the family's own ids.
fn family_as_the_centre_sees_it() -> Vec<&'static str> {
    let mut fields = vec!["centre_id", "id", "parties_must_not_meet", "referral_id"];
    fields.extend(
        REFERRAL_AS_THE_CENTRE_SEES_IT
            .iter()
            .filter(|p| p.starts_with("adults[") || p.starts_with("children[")),
    );
    fields
}

/// What each viewer may not see, as the README's who-sees-what table says.
const HIDDEN_FROM_STAFF: &[&str] = &[
    "adults[Chris Smith].contact",
    "adults[Jo Smith].contact",
    "adults[Jo Smith].availability",
    "court_orders[child_arrangements].conditions",
    "court_proceedings",
    "referrer.email",
    "referrer.phone",
    // Until a coordinator shows a statement to staff.
    "risks",
];
const HIDDEN_FROM_REFERRER: &[&str] = &[
    "adults[Chris Smith].contact",
    "adults[Jo Smith].contact",
    "adults[Jo Smith].availability",
    // The parties' own statements.
    "risks[other]",
    "risks[mental_health]",
];
const HIDDEN_FROM_JO: &[&str] = &[
    "adults[Chris Smith].contact",
    "adults[Chris Smith].consents_to_contact",
    "court_orders[child_arrangements].conditions",
    "risks[domestic_abuse]",
    "risks[mental_health]",
];
const HIDDEN_FROM_CHRIS: &[&str] = &[
    // Jo shared her phone and nothing else.
    "adults[Jo Smith].contact.email",
    "adults[Jo Smith].contact.address",
    "adults[Jo Smith].contact.shared_with_other_party",
    "adults[Jo Smith].consents_to_contact",
    "adults[Jo Smith].availability",
    "court_orders[child_arrangements].conditions",
    "risks[domestic_abuse]",
    "risks[other]",
];

/// `got` is `expected`, or the failure names each field shown but not decided
/// and each decided but missing.
fn assert_exactly(who: &str, got: &BTreeSet<String>, expected: &BTreeSet<String>) {
    let unexpected: Vec<_> = got.difference(expected).collect();
    let missing: Vec<_> = expected.difference(got).collect();
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "{who}: shown but not decided {unexpected:?}; decided but missing {missing:?}"
    );
}

/// The problem of a refused read carries nothing of the referral.
fn assert_refused_bare(body: &Value, who: &str) {
    let allowed: BTreeSet<String> = ["type", "title", "status", "detail", "request_id"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert!(fields(body).is_subset(&allowed), "{who}: {body}");
}

#[tokio::test]
async fn each_viewer_of_a_referral_gets_exactly_the_fields_decided_for_them() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let path = format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap());
    let read = |token: String, status: u16| {
        let path = path.clone();
        async move {
            app.json_of(Method::GET, Some(&token), &path, None, status)
                .await
        }
    };
    // Integration clients: the law firm's (reads as its referrer) and one of
    // the centre's (reads as its staff).
    let firm_client = crate::builders::integration_client(
        app,
        &w.admin,
        json!({"organisation_id": w.organisation}),
        json!(["referrals:read"]),
    )
    .await;
    let firm_client = crate::builders::client_token(app, &firm_client, None).await;
    let centre_client = app
        .json_of(
            Method::POST,
            Some(&w.coordinator),
            "/api/v1/integration-clients",
            Some(&json!({"name": "Rota", "centre_id": w.supervised, "scopes": ["referrals:read"]})),
            201,
        )
        .await;
    let centre_client = crate::builders::client_token(app, &centre_client, None).await;

    let full = REFERRAL_AS_THE_CENTRE_SEES_IT;
    let as_centre: BTreeSet<String> = full.iter().map(|p| (*p).to_owned()).collect();
    for (who, token, expected) in [
        ("coordinator", w.coordinator.clone(), as_centre),
        ("staff", w.staff.clone(), without(full, HIDDEN_FROM_STAFF)),
        (
            "centre's client",
            centre_client,
            without(full, HIDDEN_FROM_STAFF),
        ),
        (
            "solicitor",
            w.solicitor.clone(),
            without(full, HIDDEN_FROM_REFERRER),
        ),
        (
            "firm's client",
            firm_client,
            without(full, HIDDEN_FROM_REFERRER),
        ),
        ("jo", jo, without(full, HIDDEN_FROM_JO)),
        ("chris", chris, without(full, HIDDEN_FROM_CHRIS)),
    ] {
        let got = fields(&read(token, 200).await);
        assert_exactly(who, &got, &expected);
    }

    // Out of scope: the same bare problem, nothing of the referral.
    let other_centre = centre(app, &w.admin, "Other Centre", &["supported"], 54.0).await;
    let (_, other_coordinator) = app
        .invite_and_login(
            &w.admin,
            "coord@other.example",
            "coordinator",
            &[&other_centre],
        )
        .await;
    let stranger = crate::builders::registered_parent(app, "stranger@example.org").await;
    let scopeless = crate::builders::integration_client(
        app,
        &w.admin,
        json!({"organisation_id": w.organisation}),
        json!(["centres:read"]),
    )
    .await;
    let scopeless = crate::builders::client_token(app, &scopeless, None).await;
    for (who, token, status) in [
        ("network admin", w.admin.clone(), 403),
        ("another firm", w.other_solicitor.clone(), 404),
        ("another centre", other_coordinator, 404),
        ("a parent not named", stranger, 404),
        ("a client without referrals:read", scopeless, 404),
    ] {
        assert_refused_bare(&read(token, status).await, who);
    }
}

#[tokio::test]
async fn each_viewer_of_a_family_gets_exactly_the_fields_decided_for_them() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let path = format!(
        "/api/v1/families/{}",
        referral["family_id"].as_str().unwrap()
    );
    let full = &family_as_the_centre_sees_it()[..];
    let as_centre: BTreeSet<String> = full.iter().map(|p| (*p).to_owned()).collect();
    for (who, token, expected) in [
        ("coordinator", &w.coordinator, as_centre),
        (
            "staff",
            &w.staff,
            without(full, &for_family(HIDDEN_FROM_STAFF)),
        ),
        (
            "solicitor",
            &w.solicitor,
            without(full, &for_family(HIDDEN_FROM_REFERRER)),
        ),
        ("jo", &jo, without(full, &for_family(HIDDEN_FROM_JO))),
        (
            "chris",
            &chris,
            without(full, &for_family(HIDDEN_FROM_CHRIS)),
        ),
    ] {
        let got = fields(
            &app.json_of(Method::GET, Some(token), &path, None, 200)
                .await,
        );
        assert_exactly(who, &got, &expected);
    }
    for (who, token, status) in [
        ("network admin", &w.admin, 403),
        ("another firm", &w.other_solicitor, 404),
    ] {
        let body = app
            .json_of(Method::GET, Some(token), &path, None, status)
            .await;
        assert_refused_bare(&body, who);
    }
}
