//! Case changes after a referral is sent: a party's part from a signed
//! paper form, entered by the coordinator; court orders and proceedings
//! added or changed by the centre or the referrer's side; a charging
//! centre's quote at acceptance.

use super::*;

async fn post(w: &World, token: &str, path: &str, body: Value, status: u16) -> Value {
    w.app
        .json_of(Method::POST, Some(token), path, Some(&body), status)
        .await
}

async fn get(w: &World, token: &str, path: &str) -> Value {
    w.app
        .json_of(Method::GET, Some(token), path, None, 200)
        .await
}

async fn uk_day(w: &World, days: i32) -> String {
    w.app
        .query_texts(&format!(
            "SELECT ((now() AT TIME ZONE 'Europe/London')::date + {days})::text AS value"
        ))
        .await
        .remove(0)
}

#[tokio::test]
async fn a_paper_form_part_is_entered_by_the_coordinator() {
    let w = world().await;
    let referral = post(
        &w,
        &w.solicitor,
        "/api/v1/referrals",
        family(&w.supervised, "supervised", "none"),
        201,
    )
    .await;
    let id = referral["id"].as_str().unwrap();
    let jo = invited_parent(&w.app, "jo@example.org").await;
    let jo_id = adult(&referral, "Jo Smith")["id"].as_str().unwrap();
    let chris_id = adult(&referral, "Chris Smith")["id"].as_str().unwrap();
    let part = |signed: Option<String>| {
        let mut p = json!({"consents_to_contact": true, "phone": "07700 900777", "availability": "Saturdays"});
        if let Some(signed) = signed {
            p["paper_form_signed_on"] = json!(signed);
        }
        p
    };
    let chris_part = format!("/api/v1/referrals/{id}/parties/{chris_id}/part");
    // Only the centre's coordinators enter a paper form; not its staff, not
    // the referrer, not the other party.
    let today = uk_day(&w, 0).await;
    for token in [&w.staff, &w.solicitor, &jo] {
        post(&w, token, &chris_part, part(Some(today.clone())), 403).await;
    }
    // A coordinator enters a paper form, with its date.
    let undated = post(&w, &w.coordinator, &chris_part, part(None), 422).await;
    assert_eq!(undated["errors"][0]["field"], "paper_form_signed_on");
    let future = post(
        &w,
        &w.coordinator,
        &chris_part,
        part(Some(uk_day(&w, 1).await)),
        422,
    )
    .await;
    assert_eq!(future["errors"][0]["field"], "paper_form_signed_on");
    // Jo gives her own part in the service; she may not claim a paper form.
    let jo_part = format!("/api/v1/referrals/{id}/parties/{jo_id}/part");
    post(&w, &jo, &jo_part, part(Some(today.clone())), 422).await;
    post(&w, &jo, &jo_part, part(None), 200).await;
    let entered = post(
        &w,
        &w.coordinator,
        &chris_part,
        part(Some(today.clone())),
        200,
    )
    .await;
    assert_eq!(
        entered["status"], "submitted",
        "every part in: it reached the centre"
    );
    let chris = adult(&entered, "Chris Smith");
    assert_eq!(
        (
            chris["part_status"].as_str(),
            chris["part_paper_signed_on"].as_str()
        ),
        (Some("given"), Some(today.as_str()))
    );
    // Jo sees that Chris's part is in, not how or when he signed.
    let jo_sees = get(&w, &jo, &format!("/api/v1/referrals/{id}")).await;
    assert!(adult(&jo_sees, "Chris Smith")["part_paper_signed_on"].is_null());
    // Given once.
    post(&w, &w.coordinator, &chris_part, part(Some(today)), 409).await;
}

#[tokio::test]
async fn a_charging_centre_quotes_at_acceptance_and_a_free_one_does_not() {
    let w = world().await;
    w.app
        .json_of(
            Method::PATCH,
            Some(&w.admin),
            &format!("/api/v1/centres/{}", w.supervised),
            Some(
                &json!({"fees": {"kind": "charged", "description": "£40 per supervised session"}}),
            ),
            200,
        )
        .await;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    post(
        &w,
        &w.coordinator,
        &format!("{path}/review"),
        json!({"reason": "Checks made"}),
        200,
    )
    .await;
    let missing = post(
        &w,
        &w.coordinator,
        &format!("{path}/accept"),
        json!({"reason": "Fine"}),
        422,
    )
    .await;
    assert_eq!(
        (
            missing["errors"][0]["field"].as_str(),
            missing["errors"][0]["code"].as_str()
        ),
        (Some("quote"), Some("required"))
    );
    assert_eq!(
        get(&w, &w.coordinator, &path).await["status"],
        "under_review",
        "nothing written"
    );
    let bad = post(&w, &w.coordinator, &format!("{path}/accept"),
        json!({"reason": "Fine", "quote": {"what": " ", "amount_pence": -1, "payer": "non_resident_parent"}}), 422).await;
    assert_eq!(bad["errors"].as_array().unwrap().len(), 2, "{bad}");
    let quote = json!({"what": "Supervised contact, per session", "amount_pence": 4000, "payer": "non_resident_parent"});
    let accepted = post(
        &w,
        &w.coordinator,
        &format!("{path}/accept"),
        json!({"reason": "Fine", "quote": quote}),
        200,
    )
    .await;
    assert_eq!(accepted["quote"]["amount_pence"], 4000);
    // The referrer and the paying party read it; the other party and staff do not.
    for token in [&w.solicitor, &chris] {
        assert_eq!(
            get(&w, token, &path).await["quote"]["payer"],
            "non_resident_parent"
        );
    }
    for token in [&jo, &w.staff] {
        assert!(get(&w, token, &path).await["quote"].is_null());
    }

    // A free centre takes no quote.
    let mut body = family(&w.supported_only, "supported", "direct");
    body["children"][0]["name"] = json!("Sam Smith");
    let free = post(&w, &w.solicitor, "/api/v1/referrals", body, 201).await;
    let free_id = free["id"].as_str().unwrap();
    w.app.query_texts(&format!(
        "UPDATE referrals SET status = 'under_review', received_at = now() WHERE id = '{free_id}' RETURNING id::text AS value"
    )).await;
    let (_, carlisle) = w
        .app
        .invite_and_login(
            &w.admin,
            "coord@carlisle.example",
            "coordinator",
            &[&w.supported_only],
        )
        .await;
    let refused = post(
        &w,
        &carlisle,
        &format!("/api/v1/referrals/{free_id}/accept"),
        json!({"reason": "Fine", "quote": {"what": "x", "amount_pence": 1, "payer": "other"}}),
        422,
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "free_centre");
    post(
        &w,
        &carlisle,
        &format!("/api/v1/referrals/{free_id}/accept"),
        json!({"reason": "Fine"}),
        200,
    )
    .await;
}

#[tokio::test]
async fn court_orders_and_proceedings_change_after_sending() {
    let w = world().await;
    let (referral, jo, _) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let orders = format!("{path}/court-orders");
    let order = json!({"kind": "prohibited_steps", "made_on": "2026-11-20", "conditions": "No removal from the area"});
    // A case change: If-Match, and only the centre's coordinators or the referrer's side.
    post(&w, &w.solicitor, &orders, order.clone(), 428).await;
    let tag = w.app.etag(&w.solicitor, &path).await;
    for token in [&jo, &w.staff] {
        w.app
            .json_if_match(Method::POST, token, &orders, &order, &tag, 403)
            .await;
    }
    w.app
        .json_if_match(Method::POST, &w.other_solicitor, &orders, &order, &tag, 404)
        .await;
    let bad = w
        .app
        .json_if_match(
            Method::POST,
            &w.solicitor,
            &orders,
            &json!({"kind": "spell", "made_on": "2026-11-20", "expires_on": "2026-01-01"}),
            &tag,
            422,
        )
        .await;
    assert_eq!(bad["errors"][0]["field"], "court_order.kind");
    let added = w
        .app
        .json_if_match(Method::POST, &w.solicitor, &orders, &order, &tag, 201)
        .await;
    let court_orders = added["court_orders"].as_array().unwrap();
    assert_eq!(court_orders.len(), 2);
    let new_id = court_orders[1]["id"].as_str().unwrap();
    // The old tag is stale now.
    w.app
        .json_if_match(Method::POST, &w.solicitor, &orders, &order, &tag, 412)
        .await;
    // The coordinator records the varied order.
    let tag = w.app.etag(&w.coordinator, &path).await;
    let varied = w.app.json_if_match(Method::PUT, &w.coordinator, &format!("{orders}/{new_id}"),
        &json!({"kind": "prohibited_steps", "made_on": "2026-11-20", "expires_on": "2027-11-20", "conditions": "Varied: no removal from England"}),
        &tag, 200).await;
    let changed = varied["court_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == new_id)
        .unwrap();
    assert_eq!(changed["expires_on"], "2027-11-20");
    let tag = w.app.etag(&w.coordinator, &path).await;
    w.app
        .json_if_match(
            Method::PUT,
            &w.coordinator,
            &format!("{orders}/{}", uuid::Uuid::now_v7()),
            &order,
            &tag,
            404,
        )
        .await;
    let set = w.app.json_if_match(Method::PUT, &w.solicitor, &format!("{path}/court-proceedings"),
        &json!({"court": "Carlisle Family Court", "case_number": "CA26P00999", "next_hearing_on": "2027-03-01"}), &tag, 200).await;
    assert_eq!(set["court_proceedings"]["case_number"], "CA26P00999");
    // Jo reads the orders, not their conditions; the history notes are the centre's.
    let jo_sees = get(&w, &jo, &path).await;
    assert_eq!(jo_sees["court_orders"].as_array().unwrap().len(), 2);
    assert!(jo_sees["court_orders"][1]["conditions"].is_null());
    let centre_sees = get(&w, &w.coordinator, &path).await;
    let notes = |r: &Value| {
        r["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["note"].as_str().unwrap_or("").contains("court"))
            .count()
    };
    assert_eq!(notes(&centre_sees), 3);
    assert_eq!(notes(&jo_sees), 0);
    // Once closed, no more.
    post(
        &w,
        &w.coordinator,
        &format!("{path}/close"),
        json!({"outcome": "court_decision", "reason": "Final order"}),
        200,
    )
    .await;
    let tag = w.app.etag(&w.coordinator, &path).await;
    w.app
        .json_if_match(Method::POST, &w.solicitor, &orders, &order, &tag, 409)
        .await;
}

#[tokio::test]
async fn a_place_taken_at_a_charging_centre_waits_for_its_quote() {
    let w = world().await;
    w.app
        .json_of(
            Method::PATCH,
            Some(&w.admin),
            &format!("/api/v1/centres/{}", w.supervised),
            Some(&json!({"fees": {"kind": "charged", "description": "£40 per session"}})),
            200,
        )
        .await;
    let (referral, jo, _) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    post(
        &w,
        &w.coordinator,
        &format!("{path}/review"),
        json!({"reason": "Checks made"}),
        200,
    )
    .await;
    post(
        &w,
        &w.coordinator,
        &format!("{path}/waitlist"),
        json!({"reason": "No place"}),
        200,
    )
    .await;
    post(&w, &w.coordinator, &format!("{path}/offer"), json!({}), 200).await;
    let taken = post(
        &w,
        &w.solicitor,
        &format!("{path}/offer/take"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(taken["status"], "accepted");
    // Accepted without a quote: the coordinators see it awaited; nobody else.
    let waits = |r: &Value| {
        r["pending"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["what"] == "quote")
    };
    assert!(waits(&get(&w, &w.coordinator, &path).await));
    assert!(!waits(&get(&w, &w.solicitor, &path).await));
    let quote = json!({"what": "Supervised contact, per session", "amount_pence": 4000, "payer": "both_parents"});
    w.app
        .json_of(
            Method::PUT,
            Some(&w.coordinator),
            &format!("{path}/quote"),
            Some(&quote),
            428,
        )
        .await;
    let tag = w.app.etag(&w.coordinator, &path).await;
    for token in [&w.solicitor, &jo, &w.staff] {
        w.app
            .json_if_match(
                Method::PUT,
                token,
                &format!("{path}/quote"),
                &quote,
                &tag,
                403,
            )
            .await;
    }
    let bad = w
        .app
        .json_if_match(
            Method::PUT,
            &w.coordinator,
            &format!("{path}/quote"),
            &json!({"what": "", "amount_pence": 20000000, "payer": "other"}),
            &tag,
            422,
        )
        .await;
    assert_eq!(bad["errors"].as_array().unwrap().len(), 2, "{bad}");
    let recorded = w
        .app
        .json_if_match(
            Method::PUT,
            &w.coordinator,
            &format!("{path}/quote"),
            &quote,
            &tag,
            200,
        )
        .await;
    assert_eq!(recorded["quote"]["payer"], "both_parents");
    assert!(!waits(&recorded));
    // Both parents pay: Jo reads it.
    assert_eq!(get(&w, &jo, &path).await["quote"]["amount_pence"], 4000);
}
