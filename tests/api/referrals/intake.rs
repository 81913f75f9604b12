//! Intake: making, changing and sending referrals; each party's part; the
//! self-referral grid; alternatives; duplicates; bad input.

use super::*;

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
    assert!(seen["referrer"].get("email").is_none(), "{seen}");
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
async fn the_self_referral_grid_decides_who_may_refer_themselves() {
    let w = world().await;
    let app = &w.app;
    let jo = registered_parent(app, "jo@example.org").await;
    // Parents who pass messages through a friend or relative may self-refer.
    let mut relayed = family(&w.supervised, "supported", "via_third_party");
    relayed["adults"][0]["self"] = json!(true);
    let accepted = app
        .json_of(
            Method::POST,
            Some(&jo),
            "/api/v1/referrals",
            Some(&relayed),
            201,
        )
        .await;
    assert_eq!(accepted["source"], "self_referral");
    assert_eq!(accepted["communication_level"], "via_third_party");
    // Parents who cannot communicate at all, or must not, need a professional.
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
    assert_eq!(count, ["1"], "only the relayed family's referral");
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
async fn an_integration_client_refers_for_its_organisation_and_reads_as_a_referrer() {
    let w = world().await;
    let app = &w.app;
    let client = app
        .json_of(Method::POST, Some(&w.admin), "/api/v1/integration-clients",
            Some(&json!({"name": "Case system", "scopes": ["referrals:read", "referrals:write"], "organisation_id": w.organisation})), 201)
        .await;
    let token = &crate::builders::client_token(app, &client, None).await;
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
    // The client reads it back as its organisation's referrer: the solicitor's
    // view, field for field; the client's list holds it.
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let as_client = app
        .json_of(Method::GET, Some(token), &path, None, 200)
        .await;
    let as_solicitor = app
        .json_of(Method::GET, Some(&w.solicitor), &path, None, 200)
        .await;
    assert_eq!(as_client, as_solicitor);
    assert_eq!(as_client["court_proceedings"]["case_number"], "CA26P00123");
    let listed = app
        .json_of(Method::GET, Some(token), "/api/v1/referrals", None, 200)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["id"], id);
    // A client of another firm neither reads nor lists it.
    let other_org = app
        .json_of(
            Method::POST,
            Some(&w.admin),
            "/api/v1/organisations",
            Some(
                &json!({"name": "Third Firm", "kind": "law_firm", "email_domain": "third.example"}),
            ),
            201,
        )
        .await;
    let other = app
        .json_of(Method::POST, Some(&w.admin), "/api/v1/integration-clients",
            Some(&json!({"name": "Other case system", "scopes": ["referrals:read"], "organisation_id": other_org["id"]})), 201)
        .await;
    let other = crate::builders::client_token(app, &other, None).await;
    app.json_of(Method::GET, Some(&other), &path, None, 404)
        .await;
    let none = app
        .json_of(Method::GET, Some(&other), "/api/v1/referrals", None, 200)
        .await;
    assert_eq!(none["items"], json!([]));
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
    body["adults"][1]["phone"] = json!("ring the office");
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
            ("adults[1].phone", "phone"),
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
    assert_eq!(
        conflict["type"], "/problems/duplicate-referral",
        "{conflict}"
    );
    assert_eq!(conflict["existing_referral_id"], id, "{conflict}");
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
    // The other firm's second one is its own duplicate, though the first firm's
    // older referral (which it may not see) comes first.
    let conflict = app
        .json_of(
            Method::POST,
            Some(&w.other_solicitor),
            "/api/v1/referrals",
            Some(&again),
            409,
        )
        .await;
    assert_eq!(conflict["existing_referral_id"], elsewhere_id, "{conflict}");
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
    // An email of a staff account cannot answer as a parent, but the referral
    // does not say so: the address is asked like any other and the part waits.
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
    assert_eq!(adult(&referral, "Chris Smith")["part_status"], "awaited");
    assert_eq!(adult(&referral, "Jo Smith")["part_status"], "awaited");
    assert_eq!(referral["status"], "awaiting_parties");
    let asked = app
        .outbox_payload("staff@penrith.example", "referral_part")
        .await;
    assert_eq!(asked["referral_id"], referral["id"]);
    let staff_role = app
        .query_texts("SELECT role AS value FROM users WHERE email = 'staff@penrith.example'")
        .await;
    assert_eq!(staff_role, ["staff"], "the staff account is left as it was");
    // Asking again says no more: the address is asked again.
    let id = referral["id"].as_str().unwrap();
    let chris_id = adult(&referral, "Chris Smith")["id"].as_str().unwrap();
    app.json_of(
        Method::POST,
        Some(&w.solicitor),
        &format!("/api/v1/referrals/{id}/parties/{chris_id}/invitation"),
        None,
        200,
    )
    .await;
    let asked = app
        .query_texts("SELECT count(*)::text AS value FROM notifications_outbox WHERE recipient = 'staff@penrith.example' AND template = 'referral_part'")
        .await;
    assert_eq!(asked, ["2"]);
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

/// The referral example in the spec is one a partner can send as it is (with
/// a real centre): the `ref`s link its child and adults.
#[tokio::test]
async fn the_specs_referral_example_is_accepted_as_it_stands() {
    let w = world().await;
    let spec: Value = serde_json::from_str(&ccc::router::spec_json()).unwrap();
    let mut example = spec["components"]["schemas"]["CreateReferralRequest"]["example"].clone();
    example["centre_id"] = json!(w.supervised);
    let made = w
        .app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&example),
            201,
        )
        .await;
    assert_eq!(made["status"], "awaiting_parties");
    assert_eq!(
        adult(&made, "Jo Smith")["relations"][0]["relation"],
        "mother"
    );
}
