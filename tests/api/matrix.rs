//! The authorisation matrix: for every route in the spec, what each kind of
//! caller gets, both those who belong to the fixture's records and those
//! from outside them (another family, centre, firm; a client short of a
//! scope). A route in the spec but not in this table fails the test, so
//! every new route must say here who may call it. A row that changes or
//! removes an object gives each caller an object of its own, so each cell
//! is that caller's permission. What each reader of a referral or family
//! sees, field by field, is `referrals/redaction.rs`.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::builders::{integration_client, invited_parent, token_of};
use crate::helpers::{spawn_app_with, TestApp, PASSWORD};

/// The callers who belong to the fixture's records, in the order of each
/// row's `expect`. The order matters: state changes (disable, revoke) run as
/// the allowed callers come last.
const CALLERS: [&str; 7] = [
    "anonymous",
    "client",
    "parent",
    "referrer",
    "staff",
    "coordinator",
    "network_admin",
];

/// The callers from outside the fixture's records, in the order of each
/// row's `outsiders`; they call first, so a refusal is theirs alone:
/// - the other parent of the do-not-meet family (a party of the referral, not
///   of the first parent's adult record);
/// - a coordinator and a staff member of another centre;
/// - a referrer and an integration client (both referral scopes) of another
///   organisation;
/// - the referring organisation's own client whose token holds only
///   `centres:read`.
const OUTSIDERS: [&str; 6] = [
    "other_parent",
    "other_coordinator",
    "other_staff",
    "other_referrer",
    "other_client",
    "client_without_scope",
];

enum Body {
    None,
    /// A small PDF document.
    Pdf,
    Json(fn(&Fixture, &str) -> Value),
    Form(fn(&Fixture) -> Vec<(&'static str, String)>),
}

struct Row {
    method: &'static str,
    path: &'static str,
    body: Body,
    expect: [u16; 7],
    outsiders: [u16; 6],
}

/// Each caller's own object for a row that changes or removes it, so that
/// every cell shows that caller's permission, not what an earlier caller
/// left behind.
struct Own {
    session: String,
    closure: String,
    victim: String,
    client: String,
    centre: String,
    draft: String,
}

struct Fixture {
    centre: String,
    venue: String,
    session: String,
    referral: String,
    parent_adult: String,
    risk: String,
    court_order: String,
    family: String,
    family_adult: String,
    attachment: String,
    staff_id: String,
    /// A staff account invited by the coordinator, never accepted.
    invitee: String,
    rotate_client: String,
    /// The centre's question to the parent, on the `questions` referral.
    question: String,
    /// The parent's adult record on the `assessment` referral.
    assessed_adult: String,
    /// The parent's adult record on the referral whose parties agree the
    /// ground rules.
    agreeing_adult: String,
    /// The other parent's adult record on the `pre-visits` referral.
    visiting_adult: String,
    /// The parent's booked pre-visit on the `pre-visits` referral.
    visit: String,
    /// The parent's request that someone attend with them, on the family.
    attendee: String,
    /// The referrer's request to observe a session at the centre (entered
    /// as a children's court officer's would be).
    observation: String,
    /// Today at the centres (Europe/London).
    today: String,
    /// Tomorrow there: pre-visits are booked ahead.
    tomorrow: String,
    /// A referral per decision route, already where that move starts.
    decisions: std::collections::HashMap<&'static str, String>,
    own: std::collections::HashMap<&'static str, Own>,
    tokens: Vec<Option<String>>,
    outsiders: Vec<String>,
}

impl Fixture {
    fn path(&self, method: &str, template: &str, caller: &str) -> String {
        let own = &self.own[caller];
        let session = match method {
            "DELETE" => &own.session,
            _ => &self.session,
        };
        let decision = template
            .strip_prefix("/api/v1/referrals/{id}/")
            .and_then(|m| {
                self.decisions
                    .get(m)
                    .or_else(|| self.decisions.get(m.split('/').next().unwrap_or(m)))
            });
        let referral = match (method, template, decision) {
            (_, _, Some(referral)) => referral,
            ("PATCH", "/api/v1/referrals/{id}", _) | (_, "/api/v1/referrals/{id}/submit", _) => {
                &own.draft
            }
            _ => &self.referral,
        };
        template
            .replace(
                "/users/{id}/disable",
                &format!("/users/{}/disable", own.victim),
            )
            .replace(
                "/users/{id}/invitation",
                &format!("/users/{}/invitation", self.invitee),
            )
            .replace("/users/{id}", &format!("/users/{}", self.staff_id))
            .replace(
                "/integration-clients/{id}/rotate-secret",
                &format!("/integration-clients/{}/rotate-secret", self.rotate_client),
            )
            .replace(
                "/integration-clients/{id}/revoke",
                &format!("/integration-clients/{}/revoke", own.client),
            )
            .replace(
                "/centres/{id}/status",
                &format!("/centres/{}/status", own.centre),
            )
            .replace("/day-sheet", &format!("/day-sheet?date={}", self.tomorrow))
            .replace("/centres/{id}", &format!("/centres/{}", self.centre))
            .replace(
                "/observation-requests/{id}",
                &format!("/observation-requests/{}", self.observation),
            )
            .replace("{venue_id}", &self.venue)
            .replace("{session_id}", session)
            .replace("{closure_id}", &own.closure)
            .replace("{postcode}", "CA1")
            .replace("/referrals/{id}", &format!("/referrals/{referral}"))
            .replace("/families/{id}", &format!("/families/{}", self.family))
            .replace(
                "{adult_id}",
                if template.starts_with("/api/v1/families") {
                    &self.family_adult
                } else if template.ends_with("/agreement") {
                    &self.agreeing_adult
                } else {
                    &self.parent_adult
                },
            )
            .replace("{version}", "1")
            .replace("{visit_id}", &self.visit)
            .replace("{attendee_id}", &self.attendee)
            .replace("{risk_id}", &self.risk)
            .replace("{order_id}", &self.court_order)
            .replace("{attachment_id}", &self.attachment)
            .replace("{question_id}", &self.question)
            // No such letter: each reader is refused, or finds none, by
            // the same rule as the letters' list.
            .replace("{letter_id}", "01a24c00-0000-7000-8000-000000000000")
            // No such feed: a party finds none of theirs; a feed's secret
            // that opens nothing is a 404 to anyone.
            .replace("{feed_id}", "01a24c00-0000-7000-8000-000000000000")
            .replace("{proposal_id}", "01a24c00-0000-7000-8000-000000000000")
            .replace("{token}", "no-such-feed")
    }
}

// The client (second) column is a centre's client whose token holds neither
// `referrals:read` nor `referrals:write`: a referral, its family and its
// documents do not exist for it (404, as for a missing one).
fn rows() -> Vec<Row> {
    use Body::*;
    let all = |s: u16| [s; 7];
    vec![
        Row {
            method: "GET",
            path: "/health",
            body: None,
            expect: all(200),
            outsiders: [200; 6],
        },
        Row {
            method: "GET",
            path: "/ready",
            body: None,
            expect: all(200),
            outsiders: [200; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/login",
            body: Json(
                |_, _| json!({"email": "nobody@nowhere.org", "password": "not a password at all"}),
            ),
            expect: all(401),
            outsiders: [401; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/refresh",
            body: Json(|_, _| json!({"refresh_token": "bogus"})),
            expect: all(401),
            outsiders: [401; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/logout",
            body: Json(|_, _| json!({"refresh_token": "bogus"})),
            expect: all(204),
            outsiders: [204; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/token",
            body: Form(|_| {
                vec![
                    ("grant_type", "client_credentials".into()),
                    ("client_id", uuid::Uuid::now_v7().to_string()),
                    ("client_secret", "bogus".into()),
                ]
            }),
            expect: all(401),
            outsiders: [401; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/me",
            body: None,
            expect: [401, 403, 200, 200, 200, 200, 200],
            outsiders: [200, 200, 200, 200, 403, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/password",
            // Each person changes their own password, knowing it.
            body: Json(|_, caller| {
                let current = if caller == "network_admin" {
                    crate::helpers::ADMIN_PASSWORD
                } else {
                    PASSWORD
                };
                json!({"current_password": current, "new_password": "another good pass phrase"})
            }),
            expect: [401, 403, 204, 204, 204, 204, 204],
            outsiders: [204, 204, 204, 204, 403, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/password-reset",
            body: Json(|_, _| json!({"email": "nobody@nowhere.org"})),
            expect: all(202),
            outsiders: [202; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/password-reset/confirm",
            body: Json(|_, _| json!({"token": "bogus", "password": PASSWORD})),
            expect: all(422),
            outsiders: [422; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/accept-invitation",
            body: Json(|_, _| json!({"token": "bogus", "password": PASSWORD})),
            expect: all(422),
            outsiders: [422; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/register",
            body: Json(
                |_, _| json!({"email": "x@unknown.org", "name": "X", "referrer_type": "solicitor", "organisation_id": uuid::Uuid::now_v7()}),
            ),
            expect: all(422),
            outsiders: [422; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/confirm-email",
            body: Json(|_, _| json!({"token": "bogus", "password": PASSWORD})),
            expect: all(422),
            outsiders: [422; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/users",
            body: Json(
                |f, caller| json!({"email": format!("new-{caller}@centre.org"), "name": "New", "role": "staff", "centre_ids": [f.centre]}),
            ),
            expect: [401, 403, 403, 403, 403, 201, 403],
            outsiders: [403; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/users",
            body: None,
            expect: [401, 403, 403, 403, 403, 200, 200],
            outsiders: [403, 200, 403, 403, 403, 403],
        },
        Row {
            method: "GET",
            path: "/api/v1/users/{id}",
            body: None,
            expect: [401, 403, 404, 404, 200, 200, 200],
            outsiders: [404, 404, 404, 404, 403, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/users/{id}/disable",
            body: None,
            expect: [401, 403, 404, 404, 404, 200, 200],
            outsiders: [404, 404, 404, 404, 403, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/organisations",
            body: Json(
                |_, caller| json!({"name": format!("Org of {caller}"), "kind": "law_firm", "email_domain": "org.example"}),
            ),
            expect: [401, 403, 403, 403, 403, 403, 201],
            outsiders: [403; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/organisations",
            body: None,
            expect: all(200),
            outsiders: [200; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/integration-clients",
            body: Json(
                |f, _| json!({"name": "App", "scopes": ["sessions:read"], "centre_id": f.centre}),
            ),
            // A network admin sees no family: a centre's scope that reads
            // families is for its coordinators to give.
            expect: [401, 403, 403, 403, 403, 201, 403],
            outsiders: [403; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/integration-clients",
            body: None,
            expect: [401, 403, 403, 403, 403, 200, 200],
            outsiders: [403, 200, 403, 403, 403, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/integration-clients/{id}/rotate-secret",
            body: None,
            expect: [401, 403, 403, 403, 403, 200, 200],
            outsiders: [403, 404, 403, 403, 403, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/integration-clients/{id}/revoke",
            body: None,
            expect: [401, 403, 403, 403, 403, 204, 204],
            outsiders: [403, 404, 403, 403, 403, 403],
        },
        Row {
            method: "GET",
            path: "/api/v1/audit",
            body: None,
            expect: [401, 403, 403, 403, 403, 200, 200],
            outsiders: [403, 200, 403, 403, 403, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/centres",
            body: Json(|_, caller| json!({"name": format!("Centre of {caller}")})),
            expect: [401, 403, 403, 403, 403, 403, 201],
            outsiders: [403; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres/{id}",
            body: None,
            expect: all(200),
            outsiders: [200, 200, 200, 200, 403, 200],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres",
            body: None,
            expect: all(200),
            outsiders: [200, 200, 200, 200, 403, 200],
        },
        Row {
            method: "PATCH",
            path: "/api/v1/centres/{id}",
            body: Json(|_, caller| json!({"description": format!("Edited by {caller}")})),
            expect: [401, 403, 403, 403, 403, 200, 200],
            outsiders: [403; 6],
        },
        Row {
            method: "PUT",
            path: "/api/v1/centres/{id}/accreditation",
            body: Json(
                |_, _| json!({"body": "NACCC", "status": "accredited", "expires_on": "2029-01-01"}),
            ),
            expect: [401, 403, 403, 403, 403, 403, 200],
            outsiders: [403; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/centres/{id}/status",
            body: Json(|_, _| json!({"status": "closed", "reason": "Merged with another"})),
            expect: [401, 403, 403, 403, 403, 403, 200],
            outsiders: [403; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/network/summary",
            body: None,
            expect: [401, 403, 403, 403, 403, 403, 200],
            outsiders: [403; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/centres/{id}/venues",
            body: Json(
                |_, caller| json!({"name": format!("Hall of {caller}"), "address_line1": "1 Road", "town": "Carlisle", "postcode": "CA1 1AA", "rooms": ["Hall"]}),
            ),
            expect: [401, 403, 403, 403, 403, 201, 201],
            outsiders: [403; 6],
        },
        Row {
            method: "PATCH",
            path: "/api/v1/centres/{id}/venues/{venue_id}",
            body: Json(|_, _| json!({"parking": "Street parking"})),
            expect: [401, 403, 403, 403, 403, 200, 200],
            outsiders: [403; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres/{id}/opening-sessions",
            body: None,
            expect: [401, 403, 403, 403, 200, 200, 200],
            outsiders: [403; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/centres/{id}/opening-sessions",
            body: Json(|f, caller| {
                let weekday = if caller == "coordinator" {
                    "monday"
                } else {
                    "tuesday"
                };
                json!({"venue_id": f.venue, "weekday": weekday, "starts_at": "10:00", "ends_at": "11:00",
                       "room": "Main hall", "capacity": 4, "services": ["supported"]})
            }),
            expect: [401, 403, 403, 403, 403, 201, 201],
            outsiders: [403; 6],
        },
        Row {
            method: "PATCH",
            path: "/api/v1/centres/{id}/opening-sessions/{session_id}",
            body: Json(|_, _| json!({"capacity": 5})),
            expect: [401, 403, 403, 403, 403, 200, 200],
            outsiders: [403; 6],
        },
        Row {
            method: "DELETE",
            path: "/api/v1/centres/{id}/opening-sessions/{session_id}",
            body: None,
            expect: [401, 403, 403, 403, 403, 204, 204],
            outsiders: [403; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres/{id}/closures",
            body: None,
            expect: [401, 403, 403, 403, 200, 200, 200],
            outsiders: [403; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/centres/{id}/closures",
            body: Json(|_, _| json!({"starts_on": "2027-01-02", "reason": "Staff training"})),
            expect: [401, 403, 403, 403, 403, 201, 201],
            outsiders: [403; 6],
        },
        Row {
            method: "DELETE",
            path: "/api/v1/centres/{id}/closures/{closure_id}",
            body: None,
            expect: [401, 403, 403, 403, 403, 204, 204],
            outsiders: [403; 6],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres/{id}/openings",
            body: None,
            expect: all(200),
            outsiders: [200, 200, 200, 200, 403, 200],
        },
        Row {
            method: "GET",
            path: "/api/v1/postcodes/{postcode}",
            body: None,
            expect: all(200),
            outsiders: [200; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/auth/register-parent",
            body: Json(|_, _| json!({"email": "new-parent@matrix.org", "name": "New Parent"})),
            expect: all(202),
            outsiders: [202; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals",
            // A professional's referral: a parent would mark themselves as `self`.
            body: Json(|f, caller| referral_body(&f.centre, &format!("Child of {caller}"))),
            expect: [401, 403, 422, 201, 403, 403, 403],
            outsiders: [422, 403, 403, 201, 422, 403],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals",
            body: None,
            expect: [401, 403, 200, 200, 200, 200, 403],
            outsiders: [200, 200, 200, 200, 200, 403],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}",
            body: None,
            expect: [401, 404, 200, 200, 200, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PATCH",
            path: "/api/v1/referrals/{id}",
            // A draft, seen and changed by its author alone.
            body: Json(|f, caller| {
                let mut body = referral_body(&f.centre, &format!("Draft child of {caller}"));
                body["submit"] = json!(false);
                body
            }),
            // Only people who may write referrals look for it; a draft is
            // nobody's but its author's (404).
            expect: [401, 403, 404, 200, 403, 403, 403],
            outsiders: [404, 403, 403, 404, 404, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/submit",
            // A draft, sent by its author alone.
            body: None,
            expect: [401, 404, 404, 200, 404, 404, 403],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/parties/{adult_id}/invitation",
            body: None,
            expect: [401, 404, 403, 200, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/parties/{adult_id}/part",
            // The parent in the service; a coordinator from the signed paper
            // form (the parent gave it first, so the coordinator's is 409,
            // past the permission).
            body: Json(|f, caller| match caller {
                "coordinator" => {
                    json!({"consents_to_contact": true, "paper_form_signed_on": f.today})
                }
                _ => json!({"consents_to_contact": true}),
            }),
            expect: [401, 404, 200, 403, 403, 409, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/attachments",
            body: Pdf,
            expect: [401, 404, 403, 201, 403, 201, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/attachments",
            body: None,
            expect: [401, 404, 403, 200, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/attachments/{attachment_id}",
            body: None,
            expect: [401, 404, 403, 200, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/families/{id}",
            body: None,
            expect: [401, 404, 200, 200, 200, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PATCH",
            path: "/api/v1/families/{id}/adults/{adult_id}",
            body: Json(|_, _| json!({"phone": "07700 900123", "share": {"phone": true}})),
            expect: [401, 404, 200, 403, 403, 403, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PATCH",
            path: "/api/v1/referrals/{id}/risks/{risk_id}",
            body: Json(|_, _| json!({"visible_to_staff": true})),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/review",
            // The centre's coordinators decide; the parties and the
            // referrer's side who see it may not (403).
            body: Json(|_, _| json!({"reason": "Checks made"})),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/accept",
            // The centre's coordinators decide; the parties and the
            // referrer's side who see it may not (403).
            body: Json(|_, _| json!({"reason": "Checks made"})),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/decline",
            // The centre's coordinators decide; the parties and the
            // referrer's side who see it may not (403).
            body: Json(
                |_, _| json!({"reason": "service_not_suitable", "words_for_family": "We cannot offer what is needed.", "rationale": "Staffing."}),
            ),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/waitlist",
            // The centre's coordinators decide; the parties and the
            // referrer's side who see it may not (403).
            body: Json(|_, _| json!({"reason": "Checks made"})),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/close",
            // The centre's coordinators decide; the parties and the
            // referrer's side who see it may not (403).
            body: Json(|_, _| json!({"outcome": "court_decision", "reason": "Final order made"})),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/questions",
            // The centre's coordinators ask.
            body: Json(|_, _| json!({"to": "referrer", "question": "Is there a newer order?"})),
            expect: [401, 404, 403, 403, 403, 201, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/questions",
            // Everyone who sees the referral lists the questions they may read.
            body: None,
            expect: [401, 404, 200, 200, 200, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/questions/{question_id}",
            // The question to the parent: the centre and the parent read it.
            body: None,
            expect: [401, 404, 200, 404, 404, 200, 403],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/questions/{question_id}/answer",
            // Its recipient answers; the centre, who asked, may not.
            body: Json(|_, _| json!({"answer": "Saturdays"})),
            expect: [401, 404, 200, 404, 404, 403, 403],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PUT",
            path: "/api/v1/referrals/{id}/assessment",
            // The centre's coordinators assess.
            body: Json(|f, _| {
                json!({"factors": ["domestic_abuse"], "checks_made": ["court_order_seen"], "level": "low",
                       "rationale": "Engaged well", "conditions": {"service": "supported",
                       "parties_must_not_meet": true, "may_attend": [f.assessed_adult]}})
            }),
            expect: [401, 404, 403, 403, 403, 201, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/assessment",
            // The centre's coordinators, and its staff (the conditions alone).
            body: None,
            expect: [401, 404, 403, 403, 200, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres/{id}/waiting-list",
            // The centre's people; its client needs referrals:read.
            body: None,
            expect: [401, 403, 403, 403, 200, 200, 403],
            outsiders: [403; 6],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/offer",
            // The centre's coordinators offer a place.
            body: Json(|_, _| json!({"expires_in_days": 7})),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/offer/take",
            // The referrer's side takes it.
            body: None,
            expect: [401, 404, 403, 200, 403, 403, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/offer/refuse",
            // Or refuses it.
            body: None,
            expect: [401, 404, 403, 200, 403, 403, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/notes",
            // The centre's coordinators alone write case notes.
            body: Json(|_, _| json!({"text": "Spoke to the resident parent"})),
            expect: [401, 404, 403, 403, 403, 201, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/notes",
            // And alone read them.
            body: None,
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PUT",
            path: "/api/v1/referrals/{id}/priority",
            // The centre's coordinators record why a family comes first.
            body: Json(|_, _| json!({"reason": "Final hearing soon"})),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/withdraw",
            // The referrer's side withdraws; the centre closes instead.
            body: Json(|_, _| json!({"reason": "The family reached an agreement"})),
            expect: [401, 404, 403, 200, 403, 403, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/court-orders",
            // The centre's coordinators and the referrer's side.
            body: Json(|_, _| json!({"kind": "prohibited_steps", "made_on": "2026-11-01"})),
            expect: [401, 404, 403, 201, 403, 201, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PUT",
            path: "/api/v1/referrals/{id}/court-orders/{order_id}",
            body: Json(
                |_, _| json!({"kind": "child_arrangements", "made_on": "2026-10-01", "conditions": "Varied"}),
            ),
            expect: [401, 404, 403, 200, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PUT",
            path: "/api/v1/referrals/{id}/court-proceedings",
            body: Json(
                |_, _| json!({"court": "Carlisle Family Court", "case_number": "CA26P00001"}),
            ),
            expect: [401, 404, 403, 200, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/users/{id}/invitation",
            // Whoever may invite the account's role into its centres: the
            // coordinators of an invited staff member's centre. People who
            // do not see the account get 404; a network admin, who sees it
            // but does not invite staff, 403; clients are no people (403).
            body: None,
            expect: [401, 403, 404, 404, 404, 202, 403],
            outsiders: [404, 404, 404, 404, 403, 403],
        },
        Row {
            method: "PUT",
            path: "/api/v1/referrals/{id}/quote",
            // The centre's coordinators; the matrix centre charges nothing,
            // so theirs is 422, past the permission.
            body: Json(
                |_, _| json!({"what": "Per session", "amount_pence": 4000, "payer": "other"}),
            ),
            expect: [401, 404, 403, 403, 403, 422, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres/{id}/ground-rules",
            // Whoever may read the centre reads its rules.
            body: None,
            expect: [200; 7],
            outsiders: [200, 200, 200, 200, 403, 200],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres/{id}/ground-rules/versions/{version}",
            body: None,
            expect: [200; 7],
            outsiders: [200, 200, 200, 200, 403, 200],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/letters",
            // Each recipient reads their own letters, the coordinators all;
            // staff none.
            body: None,
            expect: [401, 404, 200, 200, 403, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/agreements",
            body: None,
            expect: [401, 404, 200, 200, 200, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/parties/{adult_id}/agreement",
            // The party in the app; a coordinator from the paper form (the
            // party agreed first, so the coordinator's answer is 200).
            body: Json(|f, caller| match caller {
                "coordinator" => json!({"version": 1, "how": "paper", "signed_on": f.today}),
                _ => json!({"version": 1}),
            }),
            expect: [401, 404, 201, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/pre-visits",
            // Everyone who sees the referral; a party sees their own.
            body: None,
            expect: [401, 404, 200, 200, 200, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/pre-visits",
            // The centre's coordinators book them.
            body: Json(
                |f, _| json!({"adult_id": f.visiting_adult, "venue_id": f.venue, "date": f.tomorrow, "starts": "15:00"}),
            ),
            expect: [401, 404, 403, 403, 403, 201, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/pre-visits/{visit_id}/outcome",
            // The centre's coordinators and staff record it: staff first, so
            // the coordinator finds it recorded (409, past the permission).
            body: Json(|_, _| json!({"outcome": "done", "identity_checked": true})),
            expect: [401, 404, 403, 403, 200, 409, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/start",
            // The centre's coordinators start contact; the matrix family is
            // not assessed, so theirs is 409, past the permission.
            body: Json(
                |f, _| json!({"opening_session_id": f.session, "frequency": "weekly", "first_on": f.tomorrow}),
            ),
            expect: [401, 404, 403, 403, 403, 409, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/families/{id}/contact-sessions",
            // The centre's coordinators book; the matrix family has not
            // started contact, so theirs is 409, past the permission.
            body: Json(|f, _| json!({"opening_session_id": f.session, "date": f.tomorrow})),
            expect: [401, 404, 403, 403, 403, 409, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/families/{id}/contact-sessions",
            // Whoever sees the family; a client needs `sessions:read` (the
            // matrix centre's client holds it, and reads as its staff do).
            body: None,
            expect: [401, 200, 200, 200, 200, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/families/{id}/contact-sessions/{session_id}/cancel",
            // A party, the referrer's side or a coordinator; no such
            // session is found past the permission (404).
            body: Json(|_, _| json!({"reason": "Unwell"})),
            expect: [401, 403, 404, 404, 403, 404, 403],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/families/{id}/contact-sessions/{session_id}/outcome",
            // The centre's people, on the day; no such session is found
            // past the permission (404).
            body: Json(|_, _| json!({"outcome": "completed"})),
            expect: [401, 403, 403, 403, 404, 404, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/families/{id}/contact-sessions/{session_id}/move",
            // The centre's coordinators; no such session is found past the
            // permission (404).
            body: Json(|f, _| json!({"date": f.tomorrow})),
            expect: [401, 404, 403, 403, 403, 404, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PUT",
            path: "/api/v1/families/{id}/contact-sessions/{session_id}/staff",
            // The centre's coordinators; no such session is found past the
            // permission (404).
            body: Json(|f, _| json!({"staff_id": f.staff_id})),
            expect: [401, 403, 403, 403, 403, 404, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/families/{id}/contact-record",
            // The centre's people (its client with `sessions:read` reads as
            // its staff do); never the parties or the referrer's side.
            body: None,
            expect: [401, 200, 403, 403, 200, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/arrangement-proposals",
            // The centre's coordinators; the matrix family's contact is
            // not running, so theirs is 409, past the permission.
            body: Json(
                |f, _| json!({"opening_session_id": f.session, "frequency": "weekly", "first_on": f.tomorrow}),
            ),
            expect: [401, 404, 403, 403, 403, 409, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/arrangement-proposals",
            // Whoever sees the family's sessions.
            body: None,
            expect: [401, 200, 200, 200, 200, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/referrals/{id}/arrangement-proposals/{proposal_id}/agreement",
            // A party it needs; no such proposal past the permission.
            body: None,
            expect: [401, 403, 404, 403, 403, 403, 403],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/families/{id}/calendar-feeds",
            // A party of the family, for themself (the other parent too).
            body: Json(|_, _| json!({})),
            expect: [401, 403, 201, 403, 403, 403, 403],
            outsiders: [201, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/families/{id}/calendar-feeds",
            body: None,
            expect: [401, 403, 200, 403, 403, 403, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "DELETE",
            path: "/api/v1/families/{id}/calendar-feeds/{feed_id}",
            body: None,
            expect: [401, 403, 404, 403, 403, 403, 403],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/calendar/{token}.ics",
            // The secret URL is the credential: no token is asked for.
            body: None,
            expect: all(404),
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/centres/{id}/day-sheet",
            // The centre's people, and its client holding `sessions:read`;
            // a network admin sees no family.
            body: None,
            expect: [401, 200, 403, 403, 200, 200, 403],
            outsiders: [403, 403, 403, 403, 403, 403],
        },
        Row {
            method: "POST",
            path: "/api/v1/observation-requests",
            // Children's court officers only (none among these callers;
            // the sessions tests ask as one).
            body: Json(
                |f, _| json!({"centre_id": f.centre, "date": f.tomorrow, "clients": [{"name": "Matrix Child"}]}),
            ),
            expect: [401, 403, 403, 403, 403, 403, 403],
            outsiders: [403, 403, 403, 403, 403, 403],
        },
        Row {
            method: "GET",
            path: "/api/v1/observation-requests",
            // A coordinator reads their centres'; an officer their own.
            body: None,
            expect: [401, 403, 403, 403, 403, 200, 403],
            outsiders: [403, 200, 403, 403, 403, 403],
        },
        Row {
            method: "GET",
            path: "/api/v1/observation-requests/{id}",
            // The one who asked, and the centre's coordinators.
            body: None,
            expect: [401, 404, 404, 200, 404, 200, 404],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/observation-requests/{id}/approve",
            // The centre's coordinators; no session of theirs that day
            // past the permission (422).
            body: Json(|f, _| json!({"contact_session_id": f.session})),
            expect: [401, 404, 404, 403, 404, 422, 404],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/observation-requests/{id}/decline",
            body: Json(|_, _| json!({"reason": "Not this week"})),
            expect: [401, 404, 404, 403, 404, 200, 404],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/observation-requests/{id}/withdraw",
            // The one who asked; declined above, so theirs is 409.
            body: None,
            expect: [401, 404, 404, 409, 404, 403, 404],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "PUT",
            path: "/api/v1/users/{id}/vetting",
            // The coordinators of the staff member's centre; never the
            // person themself, nor a network admin for staff.
            body: Json(
                |_, _| json!({"scheme": "dbs", "certificate_number": "001234567890", "issued_on": "2025-01-10", "renewal_due_on": "2028-01-10"}),
            ),
            expect: [401, 403, 404, 404, 403, 200, 403],
            outsiders: [404, 404, 404, 404, 403, 403],
        },
        Row {
            method: "GET",
            path: "/api/v1/users/{id}/vetting",
            // The person, and those who record it.
            body: None,
            expect: [401, 403, 404, 404, 200, 200, 403],
            outsiders: [404, 404, 404, 404, 403, 403],
        },
        Row {
            method: "GET",
            path: "/api/v1/referrals/{id}/letters/{letter_id}/pdf",
            // As the letters' list; no such letter past the permission.
            body: None,
            expect: [401, 404, 404, 404, 403, 404, 403],
            outsiders: [404, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/families/{id}/attendees",
            // A party for themself, the referrer's side, the coordinators.
            body: Json(
                |f, _| json!({"accompanies": f.family_adult, "name": "Pat Jones", "relation": "aunt_or_uncle", "why": "Family support"}),
            ),
            expect: [401, 404, 201, 201, 403, 201, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/families/{id}/attendees",
            body: None,
            expect: [401, 404, 200, 200, 200, 200, 403],
            outsiders: [200, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/families/{id}/attendees/{attendee_id}/decision",
            // The centre's coordinators decide.
            body: Json(|f, _| json!({"decision": "approve", "confirmation_on": f.today})),
            expect: [401, 404, 403, 403, 403, 200, 403],
            outsiders: [403, 404, 404, 404, 404, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/centres/{id}/ground-rules",
            // Its coordinators and network admins publish them (last: a new
            // version needs every party's agreement again).
            body: Json(
                |_, _| json!({"text": "Arrive and leave at your own times. No photographs."}),
            ),
            expect: [401, 403, 403, 403, 403, 201, 201],
            outsiders: [403; 6],
        },
    ]
}

/// A professional referral of one child to `centre`, naming the matrix parent.
fn referral_body(centre: &str, child: &str) -> Value {
    json!({
        "centre_id": centre,
        "service": "supported",
        "communication_level": "none",
        "children": [{"ref": "c1", "name": child, "date_of_birth": "2019-05-01"}],
        "adults": [{"ref": "a1", "name": "Parent", "party": "resident_parent", "email": "parent@matrix.org",
                    "relations": [{"child": "c1", "relation": "mother", "lives_with": true}]},
                   {"ref": "a2", "name": "Other Parent", "party": "non_resident_parent", "email": "other.parent@matrix.org",
                    "relations": [{"child": "c1", "relation": "father"}]}],
        "parties_must_not_meet": true,
        "risks": [{"kind": "other", "details": "A note for the centre"}],
        "court_orders": [{"kind": "child_arrangements", "made_on": "2026-10-01"}],
        "submit": true
    })
}

/// A client of `centre`, made by `maker` (its coordinator, for a scope that
/// reads families).
async fn client(app: &TestApp, maker: &str, centre: &str, scopes: Value) -> Value {
    integration_client(app, maker, json!({ "centre_id": centre }), scopes).await
}

/// One of each object a row changes or removes, for every caller.
async fn own_objects(
    app: &TestApp,
    admin: &str,
    coordinator: &str,
    referrer: &str,
    centre: &str,
    venue: &str,
) -> std::collections::HashMap<&'static str, Own> {
    let centre_path = format!("/api/v1/centres/{centre}");
    let weekdays = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let mut own = std::collections::HashMap::new();
    for (i, caller) in OUTSIDERS.iter().chain(CALLERS.iter()).enumerate() {
        let id = |v: Value| v["id"].as_str().unwrap().to_owned();
        let hour = if i < 7 { 14 } else { 16 };
        let session = app
            .json_of(Method::POST, Some(admin), &format!("{centre_path}/opening-sessions"),
                Some(&json!({"venue_id": venue, "weekday": weekdays[i % 7], "starts_at": format!("{hour}:00"),
                             "ends_at": format!("{hour}:30"), "room": "Main hall", "capacity": 8, "services": ["supported"]})),
                201)
            .await;
        let closure = app
            .json_of(Method::POST, Some(admin), &format!("{centre_path}/closures"),
                Some(&json!({"starts_on": format!("2027-03-{:02}", i + 1), "reason": "Closed for the day"})), 201)
            .await;
        let victim = app
            .json_of(Method::POST, Some(coordinator), "/api/v1/users",
                Some(&json!({"email": format!("victim-{caller}@matrix.org"), "name": "Victim", "role": "staff",
                             "centre_ids": [centre]})), 201)
            .await;
        let doomed = client(app, coordinator, centre, json!(["sessions:read"])).await;
        let closing = app
            .create_centre(admin, &format!("Closing Centre of {caller}"))
            .await;
        let mut draft = referral_body(centre, &format!("Draft child of {caller}"));
        draft["submit"] = json!(false);
        let draft = app
            .json_of(
                Method::POST,
                Some(referrer),
                "/api/v1/referrals",
                Some(&draft),
                201,
            )
            .await;
        own.insert(
            *caller,
            Own {
                session: id(session),
                closure: id(closure),
                victim: id(victim),
                client: doomed["client"]["id"].as_str().unwrap().to_owned(),
                centre: closing,
                draft: id(draft),
            },
        );
    }
    own
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Matrix Centre").await;
    let centre_path = format!("/api/v1/centres/{centre}");
    app.json_of(
        Method::PATCH,
        Some(&admin),
        &centre_path,
        Some(&json!({"services": ["supported"]})),
        200,
    )
    .await;
    let venue = app
        .json_of(
            Method::POST,
            Some(&admin),
            &format!("{centre_path}/venues"),
            Some(&json!({"name": "Hall", "address_line1": "1 Road", "town": "Carlisle", "postcode": "CA1 1AA", "rooms": ["Main hall"]})),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut sessions = Vec::new();
    for weekday in ["saturday"] {
        let session = app
            .json_of(
                Method::POST,
                Some(&admin),
                &format!("{centre_path}/opening-sessions"),
                Some(&json!({"venue_id": venue, "weekday": weekday, "starts_at": "10:00", "ends_at": "12:00",
                             "room": "Main hall", "capacity": 8, "services": ["supported"]})),
                201,
            )
            .await;
        sessions.push(session["id"].as_str().unwrap().to_owned());
    }
    let (_, coordinator) = app
        .invite_and_login(&admin, "coord@matrix.org", "coordinator", &[&centre])
        .await;
    let (staff_id, staff) = app
        .invite_and_login(&coordinator, "staff@matrix.org", "staff", &[&centre])
        .await;
    let invitee = app
        .json_of(
            Method::POST,
            Some(&coordinator),
            "/api/v1/users",
            Some(&json!({"email": "invitee@matrix.org", "name": "Invitee", "role": "staff", "centre_ids": [centre]})),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let org: Value = app
        .post_json(
            Some(&admin),
            "/api/v1/organisations",
            &json!({"name": "Matrix Law", "kind": "law_firm", "email_domain": "matrix-law.org"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let registered = app
        .post_json(None, "/api/v1/auth/register", &json!({"email": "ref@matrix-law.org", "name": "Ref", "referrer_type": "solicitor", "organisation_id": org["id"]}))
        .await;
    assert_eq!(registered.status(), 202);
    let confirm = app
        .outbox_token("ref@matrix-law.org", "confirm_email")
        .await;
    app.post_json(
        None,
        "/api/v1/auth/confirm-email",
        &json!({"token": confirm, "password": PASSWORD}),
    )
    .await;
    let referrer = token_of(app, "ref@matrix-law.org").await;

    // Parents' accounts come from referrals; here one is made directly.
    let hash = ccc::identity::passwords::hash(PASSWORD).unwrap();
    app.query_texts(&format!(
        "INSERT INTO users (id, email, name, role, status, password_hash) VALUES \
         ('{}', 'parent@matrix.org', 'Parent', 'parent', 'active', '{hash}') RETURNING id::text AS value",
        uuid::Uuid::now_v7()
    ))
    .await;
    let parent = token_of(app, "parent@matrix.org").await;

    let referral = app
        .json_of(
            Method::POST,
            Some(&referrer),
            "/api/v1/referrals",
            Some(&referral_body(&centre, "Matrix Child")),
            201,
        )
        .await;

    // One referral per decision, moved to where that decision starts.
    let mut decisions = std::collections::HashMap::new();
    for (route, status) in [
        ("review", "submitted"),
        ("accept", "under_review"),
        ("decline", "under_review"),
        ("waitlist", "under_review"),
        ("withdraw", "submitted"),
        ("close", "under_review"),
        ("questions", "under_review"),
        ("assessment", "under_review"),
        ("offer", "waitlisted"),
        ("offer/take", "waitlisted"),
        ("offer/refuse", "waitlisted"),
        ("priority", "under_review"),
        ("notes", "under_review"),
        ("pre-visits", "accepted"),
        ("parties/{adult_id}/agreement", "accepted"),
        ("quote", "accepted"),
        ("start", "pre_visits"),
    ] {
        let made = app
            .json_of(
                Method::POST,
                Some(&referrer),
                "/api/v1/referrals",
                Some(&referral_body(&centre, &format!("Child to {route}"))),
                201,
            )
            .await;
        let id = made["id"].as_str().unwrap().to_owned();
        app.query_texts(&format!(
            "UPDATE referrals SET status = '{status}', received_at = now() WHERE id = '{id}' \
             RETURNING id::text AS value"
        ))
        .await;
        decisions.insert(route, id);
    }

    // The centre asks the parent a question about the `questions` referral.
    let asked = &decisions["questions"];
    let asked_adult = app
        .query_texts(&format!(
            "SELECT id::text AS value FROM referral_adults WHERE referral_id = '{asked}' \
             AND email = 'parent@matrix.org'"
        ))
        .await;
    let question = app
        .json_of(
            Method::POST,
            Some(&coordinator),
            &format!("/api/v1/referrals/{asked}/questions"),
            Some(&json!({"to": "party", "adult_id": asked_adult[0], "question": "When can you come?"})),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Places offered to the families that take or refuse them.
    for route in ["offer/take", "offer/refuse"] {
        app.json_of(
            Method::POST,
            Some(&coordinator),
            &format!("/api/v1/referrals/{}/offer", decisions[route]),
            Some(&json!({})),
            200,
        )
        .await;
    }
    // The centre's ground rules, and the parent's pre-visit on the
    // `pre-visits` referral (the matrix books the other parent's).
    app.json_of(
        Method::POST,
        Some(&coordinator),
        &format!("{centre_path}/ground-rules"),
        Some(&json!({"text": "Arrive and leave at your own times."})),
        201,
    )
    .await;
    let adult_of = |referral: &str, email: &str| {
        format!(
            "SELECT id::text AS value FROM referral_adults WHERE referral_id = '{referral}' \
             AND email = '{email}'"
        )
    };
    let day = |n: i32| {
        format!("SELECT ((now() AT TIME ZONE 'Europe/London')::date + {n})::text AS value")
    };
    let today = app.query_texts(&day(0)).await.remove(0);
    let tomorrow = app.query_texts(&day(1)).await.remove(0);
    let visiting = &decisions["pre-visits"];
    let parent_visiting = app
        .query_texts(&adult_of(visiting, "parent@matrix.org"))
        .await
        .remove(0);
    let visiting_adult = app
        .query_texts(&adult_of(visiting, "other.parent@matrix.org"))
        .await
        .remove(0);
    let visit = app
        .json_of(
            Method::POST,
            Some(&coordinator),
            &format!("/api/v1/referrals/{visiting}/pre-visits"),
            Some(&json!({"adult_id": parent_visiting, "venue_id": venue, "date": tomorrow, "starts": "09:00"})),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // It took place two days ago, as far as recording its outcome goes.
    app.query_texts(&format!(
        "UPDATE pre_visits SET on_date = on_date - 3 WHERE id = '{visit}' RETURNING id::text AS value"
    ))
    .await;
    let agreeing_adult = app
        .query_texts(&adult_of(
            &decisions["parties/{adult_id}/agreement"],
            "parent@matrix.org",
        ))
        .await
        .remove(0);
    let assessed = &decisions["assessment"];
    let assessed_adult = app
        .query_texts(&format!(
            "SELECT id::text AS value FROM referral_adults WHERE referral_id = '{assessed}' \
             AND email = 'parent@matrix.org'"
        ))
        .await
        .remove(0);

    // A second referral whose parent has given their part: it has reached the
    // centre, and has a family.
    let second = app
        .json_of(
            Method::POST,
            Some(&referrer),
            "/api/v1/referrals",
            Some(&referral_body(&centre, "Matrix Child Two")),
            201,
        )
        .await;
    let second_id = second["id"].as_str().unwrap();
    let family_adult = second["adults"][0]["id"].as_str().unwrap().to_owned();
    let done = app
        .json_of(
            Method::POST,
            Some(&parent),
            &format!("/api/v1/referrals/{second_id}/parties/{family_adult}/part"),
            Some(&json!({"consents_to_contact": true})),
            200,
        )
        .await;
    assert!(
        done["family_id"].is_null(),
        "the other parent's part is awaited"
    );
    // The other parent of the do-not-meet family, invited by the referrals.
    let other_parent = invited_parent(app, "other.parent@matrix.org").await;
    let other_adult = second["adults"][1]["id"].as_str().unwrap();
    let done = app
        .json_of(
            Method::POST,
            Some(&other_parent),
            &format!("/api/v1/referrals/{second_id}/parties/{other_adult}/part"),
            Some(&json!({"consents_to_contact": true})),
            200,
        )
        .await;
    let family = done["family_id"].as_str().unwrap().to_owned();
    let attendee = app
        .json_of(
            Method::POST,
            Some(&parent),
            &format!("/api/v1/families/{family}/attendees"),
            Some(&json!({"accompanies": family_adult, "name": "Gran Parent", "relation": "grandparent", "why": "The child asked"})),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let observation = app
        .query_texts(&format!(
            "INSERT INTO observation_requests (id, centre_id, requested_by, observer_name, \
             organisation_name, on_date, clients) SELECT '{}', '{centre}', id, name, 'Matrix Law', \
             DATE '{tomorrow}', '{{Matrix Child}}' FROM users WHERE email = 'ref@matrix-law.org' \
             RETURNING id::text AS value",
            uuid::Uuid::now_v7()
        ))
        .await
        .remove(0);
    let attachment: Value = app
        .client
        .post(app.url(&format!(
            "/api/v1/referrals/{}/attachments?filename=order.pdf",
            referral["id"].as_str().unwrap()
        )))
        .bearer_auth(&referrer)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.7\n%%EOF\n".to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let caller_client = client(
        app,
        &coordinator,
        &centre,
        json!(["centres:read", "sessions:read"]),
    )
    .await;
    let client_token = crate::builders::client_token(app, &caller_client, None).await;
    // Outsiders: another centre's people, another organisation's referrer
    // and client, and the referring organisation's client without the scope.
    let elsewhere = app.create_centre(&admin, "Elsewhere Centre").await;
    let (_, other_coordinator) = app
        .invite_and_login(&admin, "coord@elsewhere.org", "coordinator", &[&elsewhere])
        .await;
    let (_, other_staff) = app
        .invite_and_login(
            &other_coordinator,
            "staff@elsewhere.org",
            "staff",
            &[&elsewhere],
        )
        .await;
    let (other_referrer, other_org) =
        crate::builders::referrer(app, &admin, "Other Law", "other-law.org").await;
    let both = json!(["referrals:read", "referrals:write"]);
    let other_client =
        integration_client(app, &admin, json!({"organisation_id": other_org}), both).await;
    let own_client = integration_client(
        app,
        &admin,
        json!({"organisation_id": org["id"]}),
        json!(["centres:read", "referrals:read", "referrals:write"]),
    )
    .await;
    let outsiders = vec![
        other_parent,
        other_coordinator,
        other_staff,
        other_referrer,
        crate::builders::client_token(app, &other_client, None).await,
        crate::builders::client_token(app, &own_client, Some("centres:read")).await,
    ];
    let rotate = client(app, &admin, &centre, json!(["centres:read"])).await;
    let own = own_objects(app, &admin, &coordinator, &referrer, &centre, &venue).await;

    Fixture {
        centre,
        venue,
        session: sessions[0].clone(),
        referral: referral["id"].as_str().unwrap().to_owned(),
        parent_adult: referral["adults"][0]["id"].as_str().unwrap().to_owned(),
        risk: referral["risks"][0]["id"].as_str().unwrap().to_owned(),
        court_order: referral["court_orders"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        family,
        family_adult,
        attachment: attachment["id"].as_str().unwrap().to_owned(),
        staff_id,
        invitee,
        rotate_client: rotate["client"]["id"].as_str().unwrap().to_owned(),
        decisions,
        question,
        assessed_adult,
        agreeing_adult,
        visiting_adult,
        visit,
        attendee,
        observation,
        today,
        tomorrow,
        own,
        tokens: vec![
            None,
            Some(client_token),
            Some(parent),
            Some(referrer),
            Some(staff),
            Some(coordinator),
            Some(admin),
        ],
        outsiders,
    }
}

/// Whether `path` (a concrete path) matches one of the spec's path templates.
fn names_a_route(spec: &Value, path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    spec["paths"].as_object().unwrap().keys().any(|template| {
        let pattern: Vec<&str> = template.split('/').collect();
        pattern.len() == parts.len()
            && pattern
                .iter()
                .zip(&parts)
                .all(|(p, a)| (p.starts_with('{') && !a.is_empty()) || p == a)
    })
}

#[tokio::test]
async fn every_route_answers_each_caller_as_the_matrix_says() {
    // Every caller comes from one address; the login limit is not what this tests.
    let app = spawn_app_with(&[
        ("LOGIN_MAX_FAILURES", "1000"),
        ("UNSOLICITED_PER_ADDRESS", "1000"),
    ])
    .await;
    let spec: Value = app
        .get("/api-docs/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let rows = rows();
    let tabled: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&tabled).collect();
    assert!(
        missing.is_empty(),
        "routes with no row in the matrix: {missing:?}"
    );
    let stale: Vec<_> = tabled.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rows for routes not in the spec: {stale:?}"
    );

    let fixture = fixture(&app).await;
    let mut wrong = Vec::new();
    for row in &rows {
        let outsiders = OUTSIDERS
            .iter()
            .zip(&fixture.outsiders)
            .zip(row.outsiders)
            .map(|((c, t), e)| (*c, Some(t), e));
        let insiders = CALLERS
            .iter()
            .zip(&fixture.tokens)
            .zip(row.expect)
            .map(|((c, t), e)| (*c, t.as_ref(), e));
        let mut record = Vec::new();
        for (caller, token, expected) in outsiders.chain(insiders) {
            let mut url = app.url(&fixture.path(row.method, row.path, caller));
            if matches!(row.body, Body::Pdf) {
                url.push_str("?filename=order.pdf");
            }
            let method = Method::from_bytes(row.method.as_bytes()).unwrap();
            let mut request = app.client.request(method, &url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            // A case change says which version it was made against; here any
            // (`*`): the version rules are tested in referrals::concurrency.
            if row.method != "GET" {
                request = request.header("if-match", "*");
            }
            request = match &row.body {
                Body::None => request,
                Body::Pdf => request
                    .header("content-type", "application/pdf")
                    .body(b"%PDF-1.7\n%%EOF\n".to_vec()),
                Body::Json(make) => request.json(&make(&fixture, caller)),
                Body::Form(make) => request.form(&make(&fixture)),
            };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            record.push(status);
            if status == 201 {
                let declared = spec["paths"][row.path][row.method.to_lowercase()]["responses"]
                    ["201"]["headers"]["Location"]
                    .is_object();
                let location = response
                    .headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_owned());
                match (declared, location) {
                    (true, Some(location)) => assert!(
                        names_a_route(&spec, &location),
                        "{} {}: Location {location} is no route",
                        row.method,
                        row.path
                    ),
                    (false, None) => {}
                    (declared, location) => wrong.push(format!(
                        "{} {}: Location declared {declared}, sent {location:?}",
                        row.method, row.path
                    )),
                }
            }
            if status != expected {
                wrong.push(format!(
                    "{} {} as {caller}: {status}, expected {expected}",
                    row.method, row.path
                ));
            }
        }
        // `MATRIX_RECORD=1 cargo nextest run --no-capture -E 'test(/matrix/)'`
        // prints what each row got (outsiders, then insiders), to write a
        // new row from; every status must still be read and judged.
        if std::env::var("MATRIX_RECORD").is_ok() {
            println!(
                "RECORD {} {} {:?} {:?}",
                row.method,
                row.path,
                &record[..6],
                &record[6..]
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
