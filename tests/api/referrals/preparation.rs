//! Preparing an accepted family: assessment, a question answered, the
//! decision, pre-visits at each party's own time, the ground rules agreed (in
//! the app or from a paper form), letters each for their one recipient; a
//! decline after the pre-visits; the people who attend with a party.

use super::*;

pub(super) async fn call(
    w: &World,
    method: Method,
    token: &str,
    path: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    w.app
        .json_of(method, Some(token), path, body.as_ref(), status)
        .await
}

pub(super) async fn post(w: &World, token: &str, path: &str, body: Value, status: u16) -> Value {
    call(w, Method::POST, token, path, Some(body), status).await
}

pub(super) async fn get(w: &World, token: &str, path: &str, status: u16) -> Value {
    call(w, Method::GET, token, path, None, status).await
}

/// Today at the centre (Europe/London), and the day `days` after it.
pub(super) async fn uk_day(w: &World, days: i32) -> String {
    w.app
        .query_texts(&format!(
            "SELECT ((now() AT TIME ZONE 'Europe/London')::date + {days})::text AS value"
        ))
        .await
        .remove(0)
}

pub(super) fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().unwrap()
}

fn venue_of(centre: &Value) -> String {
    centre["venues"][0]["id"].as_str().unwrap().to_owned()
}

/// Reviewed and accepted, with the centre's ground rules at version 1:
/// returns (referral id, jo, chris, Jo's adult id, Chris's adult id, venue).
pub(super) async fn accepted(w: &World) -> (String, String, String, String, String, String) {
    let (referral, jo, chris) = referred_and_completed(w).await;
    let id = referral["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/referrals/{id}");
    post(
        w,
        &w.coordinator,
        &format!("{path}/review"),
        json!({"reason": "Checks made"}),
        200,
    )
    .await;
    post(
        w,
        &w.coordinator,
        &format!("{path}/accept"),
        json!({"reason": "We can hold this family", "visibility": "shared"}),
        200,
    )
    .await;
    post(
        w,
        &w.coordinator,
        &format!("/api/v1/centres/{}/ground-rules", w.supervised),
        json!({"text": "Arrive and leave at your own times. Do not discuss the case in front of the children."}),
        201,
    )
    .await;
    let centre = get(
        w,
        &w.coordinator,
        &format!("/api/v1/centres/{}", w.supervised),
        200,
    )
    .await;
    let jo_id = adult(&referral, "Jo Smith")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let chris_id = adult(&referral, "Chris Smith")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, jo, chris, jo_id, chris_id, venue_of(&centre))
}

fn letters_of<'a>(page: &'a Value, kind: &str) -> Vec<&'a Value> {
    items(page).iter().filter(|l| l["kind"] == kind).collect()
}

#[tokio::test]
async fn a_referral_is_assessed_questioned_accepted_and_prepared() {
    let w = world().await;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let jo_id = adult(&referral, "Jo Smith")["id"].as_str().unwrap();
    let chris_id = adult(&referral, "Chris Smith")["id"].as_str().unwrap();
    post(
        &w,
        &w.coordinator,
        &format!("{path}/review"),
        json!({"reason": "Checks made"}),
        200,
    )
    .await;
    // Assessed: a stagger of 30 minutes between the parties.
    let tag = w.app.etag(&w.coordinator, &path).await;
    w.app
        .json_if_match(Method::PUT, &w.coordinator, &format!("{path}/assessment"),
            &json!({"factors": ["domestic_abuse"], "checks_made": ["court_order_seen"], "level": "medium",
                    "rationale": "Order in place; both engaged",
                    "conditions": {"service": "supervised", "parties_must_not_meet": true, "stagger_minutes": 30,
                                   "may_attend": [jo_id, chris_id]}}),
            &tag, 201)
        .await;
    // A question to the referrer's side, answered: back in review.
    let question = post(
        &w,
        &w.coordinator,
        &format!("{path}/questions"),
        json!({"to": "referrer", "question": "Is there a newer order?"}),
        201,
    )
    .await;
    let qid = question["id"].as_str().unwrap();
    assert_eq!(
        get(&w, &w.coordinator, &path, 200).await["status"],
        "info_requested"
    );
    post(
        &w,
        &w.solicitor,
        &format!("{path}/questions/{qid}/answer"),
        json!({"answer": "No"}),
        200,
    )
    .await;
    assert_eq!(
        get(&w, &w.coordinator, &path, 200).await["status"],
        "under_review"
    );
    let accepted = post(
        &w,
        &w.coordinator,
        &format!("{path}/accept"),
        json!({"reason": "Safe to go ahead"}),
        200,
    )
    .await;
    assert_eq!(accepted["pending"][0]["what"], "pre_visits");

    let centre = get(
        &w,
        &w.coordinator,
        &format!("/api/v1/centres/{}", w.supervised),
        200,
    )
    .await;
    let venue = venue_of(&centre);
    let day = uk_day(&w, 1).await;
    let visits = format!("{path}/pre-visits");
    let book = |adult: &str, date: &str, starts: &str| json!({"adult_id": adult, "venue_id": venue, "date": date, "starts": starts});
    // Jo brings Alex at 10:00 for 45 minutes: the referral is in pre-visits.
    let jo_visit = post(&w, &w.coordinator, &visits, book(jo_id, &day, "10:00"), 201).await;
    assert_eq!(jo_visit["with_children"], true);
    assert_eq!(
        (jo_visit["starts"].as_str(), jo_visit["ends"].as_str()),
        (Some("10:00"), Some("10:45"))
    );
    assert_eq!(
        get(&w, &w.coordinator, &path, 200).await["status"],
        "pre_visits"
    );
    // Chris at 11:00 is within the 30 minutes' stagger; at 11:15 it is apart.
    let close = post(
        &w,
        &w.coordinator,
        &visits,
        book(chris_id, &day, "11:00"),
        422,
    )
    .await;
    assert_eq!(
        (
            close["errors"][0]["field"].as_str(),
            close["errors"][0]["code"].as_str()
        ),
        (Some("starts"), Some("too_close"))
    );
    let before = post(
        &w,
        &w.coordinator,
        &visits,
        book(chris_id, &day, "09:00"),
        422,
    )
    .await;
    assert_eq!(before["errors"][0]["code"], "too_close");
    // Not on a closure, not in the past, not at another centre's venue.
    let closed_on = uk_day(&w, 7).await;
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/centres/{}/closures", w.supervised),
        json!({"starts_on": closed_on, "reason": "Staff training"}),
        201,
    )
    .await;
    let on_closure = post(
        &w,
        &w.coordinator,
        &visits,
        book(chris_id, &closed_on, "11:15"),
        422,
    )
    .await;
    assert_eq!(
        (
            on_closure["errors"][0]["field"].as_str(),
            on_closure["errors"][0]["code"].as_str()
        ),
        (Some("date"), Some("closed"))
    );
    let past = post(
        &w,
        &w.coordinator,
        &visits,
        book(chris_id, &uk_day(&w, -1).await, "11:15"),
        422,
    )
    .await;
    assert_eq!(past["errors"][0]["code"], "past");
    // Nor earlier today: a pre-visit is booked for a time to come.
    let earlier = post(
        &w,
        &w.coordinator,
        &visits,
        book(chris_id, &uk_day(&w, 0).await, "00:00"),
        422,
    )
    .await;
    assert_eq!(
        (
            earlier["errors"][0]["field"].as_str(),
            earlier["errors"][0]["code"].as_str()
        ),
        (Some("starts"), Some("past"))
    );
    // Whole minutes only: the letter says what was booked.
    let seconds = post(
        &w,
        &w.coordinator,
        &visits,
        book(chris_id, &day, "11:15:30"),
        422,
    )
    .await;
    assert_eq!(seconds["errors"][0]["field"], "starts");
    let elsewhere = get(
        &w,
        &w.coordinator,
        &format!("/api/v1/centres/{}", w.supported_only),
        200,
    )
    .await;
    let mut wrong_venue = book(chris_id, &day, "11:15");
    wrong_venue["venue_id"] = json!(venue_of(&elsewhere));
    let refused = post(&w, &w.coordinator, &visits, wrong_venue, 422).await;
    assert_eq!(refused["errors"][0]["field"], "venue_id");
    // Only the coordinators book.
    for token in [&w.staff, &w.solicitor, &jo] {
        post(&w, token, &visits, book(chris_id, &day, "11:15"), 403).await;
    }
    let chris_visit = post(
        &w,
        &w.coordinator,
        &visits,
        book(chris_id, &day, "11:15"),
        201,
    )
    .await;
    assert_eq!(chris_visit["with_children"], false);
    // One booked pre-visit per party at a time.
    post(
        &w,
        &w.coordinator,
        &visits,
        book(chris_id, &uk_day(&w, 1).await, "14:00"),
        409,
    )
    .await;

    // Each party reads only their own visit; the referrer no time at all.
    let jo_sees = get(&w, &jo, &visits, 200).await;
    assert_eq!(items(&jo_sees).len(), 1);
    assert_eq!(items(&jo_sees)[0]["starts"], "10:00");
    let chris_sees = get(&w, &chris, &visits, 200).await;
    assert_eq!(items(&chris_sees).len(), 1);
    assert_eq!(items(&chris_sees)[0]["starts"], "11:15");
    let solicitor_sees = get(&w, &w.solicitor, &visits, 200).await;
    assert_eq!(items(&solicitor_sees).len(), 2);
    for v in items(&solicitor_sees) {
        assert!(
            v["starts"].is_null() && v["starts_at"].is_null() && v["ends"].is_null(),
            "{v}"
        );
        assert_eq!(v["date"], day.as_str());
    }
    assert_eq!(items(&get(&w, &w.staff, &visits, 200).await).len(), 2);

    // One time per letter: each party's invitation names their own time only.
    let jo_letters = get(&w, &jo, &format!("{path}/letters"), 200).await;
    let jo_invites = letters_of(&jo_letters, "pre_visit");
    assert_eq!(jo_invites.len(), 1);
    let text = jo_invites[0]["body"].as_str().unwrap();
    assert!(text.contains("10:00") && !text.contains("11:15"), "{text}");
    assert!(text.contains("bring the children"), "{text}");
    let chris_letters = get(&w, &chris, &format!("{path}/letters"), 200).await;
    let chris_invites = letters_of(&chris_letters, "pre_visit");
    assert_eq!(chris_invites.len(), 1);
    let text = chris_invites[0]["body"].as_str().unwrap();
    assert!(
        text.contains("11:15") && !text.contains("10:00") && !text.contains("10:45"),
        "{text}"
    );
    // Each letter went to its recipient alone.
    assert!(items(&jo_letters).iter().all(|l| l["adult_id"] == jo_id));
    assert!(letters_of(
        &get(&w, &w.solicitor, &format!("{path}/letters"), 200).await,
        "pre_visit"
    )
    .is_empty());
    get(&w, &w.staff, &format!("{path}/letters"), 403).await;
    assert_eq!(
        letters_of(
            &get(&w, &w.coordinator, &format!("{path}/letters"), 200).await,
            "pre_visit"
        )
        .len(),
        2
    );
    w.app.outbox_payload("jo@example.org", "letter").await;

    // At the visit: not before it begins; done only with the identity
    // checked; recorded once.
    let outcome = |v: &Value| format!("{visits}/{}/outcome", v["id"].as_str().unwrap());
    let early = post(
        &w,
        &w.staff,
        &outcome(&jo_visit),
        json!({"outcome": "done", "identity_checked": true}),
        422,
    )
    .await;
    assert_eq!(early["errors"][0]["code"], "not_yet");
    // Two days pass (the visit is moved back, as the clock would).
    w.app
        .query_texts(&format!(
            "UPDATE pre_visits SET on_date = on_date - 2 WHERE id = '{}' RETURNING id::text AS value",
            jo_visit["id"].as_str().unwrap()
        ))
        .await;
    let missed_checked = post(
        &w,
        &w.staff,
        &outcome(&jo_visit),
        json!({"outcome": "missed", "identity_checked": true}),
        422,
    )
    .await;
    assert_eq!(missed_checked["errors"][0]["field"], "identity_checked");
    let unchecked = post(
        &w,
        &w.staff,
        &outcome(&jo_visit),
        json!({"outcome": "done", "identity_checked": false}),
        422,
    )
    .await;
    assert_eq!(unchecked["errors"][0]["field"], "identity_checked");
    post(
        &w,
        &jo,
        &outcome(&jo_visit),
        json!({"outcome": "done", "identity_checked": true}),
        403,
    )
    .await;
    let done = post(
        &w,
        &w.staff,
        &outcome(&jo_visit),
        json!({"outcome": "done", "identity_checked": true}),
        200,
    )
    .await;
    assert_eq!(
        (done["status"].as_str(), done["identity_checked"].as_bool()),
        (Some("done"), Some(true))
    );
    post(
        &w,
        &w.coordinator,
        &outcome(&jo_visit),
        json!({"outcome": "missed", "identity_checked": false}),
        409,
    )
    .await;

    // The ground rules: Jo in the app, Chris from a signed paper form.
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/centres/{}/ground-rules", w.supervised),
        json!({"text": "Arrive and leave at your own times."}),
        201,
    )
    .await;
    let read = get(&w, &jo, &path, 200).await;
    let waiting: Vec<&str> = read["pending"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["what"] == "ground_rules")
        .map(|p| p["adult_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        waiting,
        [jo_id],
        "Jo sees her own agreement awaited, not Chris's"
    );
    let agreement = |a: &str| format!("{path}/parties/{a}/agreement");
    post(&w, &jo, &agreement(chris_id), json!({"version": 1}), 403).await;
    post(
        &w,
        &w.solicitor,
        &agreement(jo_id),
        json!({"version": 1}),
        403,
    )
    .await;
    let app_agreed = post(&w, &jo, &agreement(jo_id), json!({"version": 1}), 201).await;
    assert_eq!(
        (app_agreed["how"].as_str(), app_agreed["signed_on"].as_str()),
        (Some("app"), None)
    );
    post(&w, &jo, &agreement(jo_id), json!({"version": 1}), 200).await;
    let undated = post(
        &w,
        &w.coordinator,
        &agreement(chris_id),
        json!({"version": 1, "how": "paper"}),
        422,
    )
    .await;
    assert_eq!(undated["errors"][0]["field"], "signed_on");
    let future = post(
        &w,
        &w.coordinator,
        &agreement(chris_id),
        json!({"version": 1, "how": "paper", "signed_on": uk_day(&w, 1).await}),
        422,
    )
    .await;
    assert_eq!(future["errors"][0]["field"], "signed_on");
    let before = post(
        &w,
        &w.coordinator,
        &agreement(chris_id),
        json!({"version": 1, "how": "paper", "signed_on": uk_day(&w, -1).await}),
        422,
    )
    .await;
    assert_eq!(before["errors"][0]["code"], "before_published");
    let paper = post(
        &w,
        &w.coordinator,
        &agreement(chris_id),
        json!({"version": 1, "how": "paper", "signed_on": uk_day(&w, 0).await}),
        201,
    )
    .await;
    assert_eq!(
        (paper["how"].as_str(), paper["signed_on"].as_str()),
        (Some("paper"), Some(uk_day(&w, 0).await.as_str()))
    );
    let standing = get(&w, &w.coordinator, &format!("{path}/agreements"), 200).await;
    assert_eq!(standing["current_version"], 1);
    assert!(standing["parties"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["agreed_current"] == true));
    let read = get(&w, &w.coordinator, &path, 200).await;
    assert!(
        !read["pending"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["what"] == "ground_rules"),
        "{read}"
    );
    // A new version needs everyone's agreement again.
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/centres/{}/ground-rules", w.supervised),
        json!({"text": "Arrive and leave at your own times. No photographs."}),
        201,
    )
    .await;
    let stale = post(&w, &jo, &agreement(jo_id), json!({"version": 1}), 409).await;
    assert_eq!(
        (stale["type"].as_str(), stale["current_version"].as_i64()),
        (Some("/problems/ground-rules-changed"), Some(2))
    );
    let standing = get(&w, &w.coordinator, &format!("{path}/agreements"), 200).await;
    assert!(standing["parties"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["agreed_current"] == false));
    // Staff read the rules; they do not publish them.
    let rules = format!("/api/v1/centres/{}/ground-rules", w.supervised);
    assert_eq!(get(&w, &w.staff, &rules, 200).await["version"], 2);
    post(&w, &w.staff, &rules, json!({"text": "Other rules"}), 403).await;
}

#[tokio::test]
async fn a_referral_is_declined_after_its_pre_visits() {
    let w = world().await;
    let (id, jo, chris, jo_id, _, venue) = accepted(&w).await;
    let path = format!("/api/v1/referrals/{id}");
    let day = uk_day(&w, 1).await;
    post(
        &w,
        &w.coordinator,
        &format!("{path}/pre-visits"),
        json!({"adult_id": jo_id, "venue_id": venue, "date": day, "starts": "10:00"}),
        201,
    )
    .await;
    // Declined after what the pre-visit showed: the family's words, never the rationale.
    let declined = post(
        &w,
        &w.coordinator,
        &format!("{path}/decline"),
        json!({
            "reason": "risk_too_high",
            "words_for_family": "After the pre-visits we cannot offer contact here safely.",
            "rationale": "At the pre-visit Chris spoke of taking Alex abroad."
        }),
        200,
    )
    .await;
    assert_eq!(declined["referral"]["status"], "declined");
    for token in [&jo, &chris] {
        let letters = get(&w, token, &format!("{path}/letters"), 200).await;
        let decline = letters_of(&letters, "decline");
        assert_eq!(decline.len(), 1, "{letters}");
        let text = decline[0]["body"].as_str().unwrap();
        assert!(text.contains("cannot offer contact here safely"), "{text}");
        assert!(
            !text.contains("abroad") && !text.contains("risk too high"),
            "{text}"
        );
    }
    // The referrer's letter names the category, not the rationale.
    let letters = get(&w, &w.solicitor, &format!("{path}/letters"), 200).await;
    let decline = letters_of(&letters, "decline");
    assert_eq!(decline.len(), 1);
    let text = decline[0]["body"].as_str().unwrap();
    assert!(
        text.contains("risk too high") && !text.contains("abroad"),
        "{text}"
    );
    assert!(decline[0]["adult_id"].is_null());
    // The pre-visit still to come is cancelled with the referral, and
    // nobody more is asked to attend.
    let visits = get(&w, &w.coordinator, &format!("{path}/pre-visits"), 200).await;
    assert_eq!(items(&visits)[0]["status"], "cancelled");
    let family = get(&w, &w.coordinator, &path, 200).await["family_id"]
        .as_str()
        .unwrap()
        .to_owned();
    post(&w, &jo, &format!("/api/v1/families/{family}/attendees"),
        json!({"accompanies": jo_id, "name": "Pat Smith", "relation": "grandparent", "why": "Family"}), 409).await;
    // No more pre-visits for a declined family.
    let refused = post(
        &w,
        &w.coordinator,
        &format!("{path}/pre-visits"),
        json!({"adult_id": jo_id, "venue_id": venue, "date": day, "starts": "15:00"}),
        409,
    )
    .await;
    assert_eq!(refused["type"], "/problems/illegal-move");
}

#[tokio::test]
async fn a_new_partner_needs_a_recorded_reason() {
    let w = world().await;
    let (id, jo, chris, jo_id, chris_id, _) = accepted(&w).await;
    let family = get(&w, &w.coordinator, &format!("/api/v1/referrals/{id}"), 200).await
        ["family_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let attendees = format!("/api/v1/families/{family}/attendees");
    // Chris asks to bring his new partner; he may not ask for Jo.
    let ask = |accompanies: &str| {
        json!({"accompanies": accompanies, "name": "Sam Taylor", "relation": "new_partner",
                                          "why": "Living with Chris; Alex has met Sam."})
    };
    post(&w, &chris, &attendees, ask(&jo_id), 403).await;
    post(&w, &w.staff, &attendees, ask(&chris_id), 403).await;
    let asked = post(&w, &chris, &attendees, ask(&chris_id), 201).await;
    assert_eq!(asked["status"], "requested");
    // Until approved, nobody but the coordinators and Chris knows of it.
    assert!(get(&w, &jo, &attendees, 200)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    assert!(get(&w, &w.staff, &attendees, 200)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let decision = format!("{attendees}/{}/decision", asked["id"].as_str().unwrap());
    let tag = w
        .app
        .etag(&w.coordinator, &format!("/api/v1/families/{family}"))
        .await;
    // A case change: without If-Match, 428.
    post(
        &w,
        &w.coordinator,
        &decision,
        json!({"decision": "approve", "confirmation_on": uk_day(&w, 0).await}),
        428,
    )
    .await;
    let undated = w
        .app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &decision,
            &json!({"decision": "approve", "reason": "Both agreed"}),
            &tag,
            422,
        )
        .await;
    assert_eq!(undated["errors"][0]["field"], "confirmation_on");
    let reasonless = w
        .app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &decision,
            &json!({"decision": "approve", "confirmation_on": uk_day(&w, 0).await}),
            &tag,
            422,
        )
        .await;
    // A blank reason is no reason: refused before the version is judged.
    let blank = w
        .app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &decision,
            &json!({"decision": "refuse", "reason": "  "}),
            "\"0\"",
            422,
        )
        .await;
    assert_eq!(blank["errors"][0]["field"], "reason");
    let long_ago = w
        .app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &decision,
            &json!({"decision": "approve", "confirmation_on": "1900-01-01", "reason": "x"}),
            &tag,
            422,
        )
        .await;
    assert_eq!(long_ago["errors"][0]["code"], "before_referral");
    assert_eq!(
        (
            reasonless["errors"][0]["field"].as_str(),
            reasonless["errors"][0]["code"].as_str()
        ),
        (Some("reason"), Some("required"))
    );
    w.app
        .json_if_match(
            Method::POST,
            &chris,
            &decision,
            &json!({"decision": "approve", "confirmation_on": uk_day(&w, 0).await, "reason": "x"}),
            &tag,
            403,
        )
        .await;
    let approved = w
        .app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &decision,
            &json!({"decision": "approve", "confirmation_on": uk_day(&w, 0).await,
                "reason": "Jo agreed in writing; Sam's DBS check seen; Alex knows Sam well."}),
            &tag,
            200,
        )
        .await;
    assert_eq!(approved["status"], "approved");
    w.app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &decision,
            &json!({"decision": "refuse"}),
            "*",
            409,
        )
        .await;
    // Jo sees a name and a relation, nothing more.
    let jo_sees = get(&w, &jo, &attendees, 200).await;
    let seen = &jo_sees[0];
    assert_eq!(
        (seen["name"].as_str(), seen["relation"].as_str()),
        (Some("Sam Taylor"), Some("new_partner"))
    );
    for hidden in [
        "accompanies",
        "why",
        "status",
        "confirmation_on",
        "decision_reason",
        "requested_at",
    ] {
        assert!(seen[hidden].is_null(), "Jo sees {hidden}: {seen}");
    }
    // Staff see whom Sam comes with; Chris his own request; the reason is the coordinators'.
    assert_eq!(
        get(&w, &w.staff, &attendees, 200).await[0]["accompanies"],
        chris_id.as_str()
    );
    let chris_sees = get(&w, &chris, &attendees, 200).await;
    assert_eq!(chris_sees[0]["status"], "approved");
    assert!(chris_sees[0]["decision_reason"].is_null());
    let coordinator_sees = get(&w, &w.coordinator, &attendees, 200).await;
    assert!(coordinator_sees[0]["decision_reason"]
        .as_str()
        .unwrap()
        .contains("DBS"));
    // A grandparent needs no reason.
    let gran = post(&w, &w.solicitor, &attendees,
        json!({"accompanies": jo_id, "name": "Pat Smith", "relation": "grandparent", "why": "Alex's grandmother"}), 201).await;
    let decision = format!("{attendees}/{}/decision", gran["id"].as_str().unwrap());
    w.app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &decision,
            &json!({"decision": "approve", "confirmation_on": uk_day(&w, 0).await}),
            "*",
            200,
        )
        .await;
}

#[tokio::test]
async fn pre_visits_are_apart_in_real_time_across_the_clock_change() {
    let w = world().await;
    let (id, _, _, jo_id, chris_id, venue) = accepted(&w).await;
    let visits = format!("/api/v1/referrals/{id}/pre-visits");
    // Next year's last Sunday in March: the clocks go from 01:00 to 02:00.
    let change = w
        .app
        .query_texts(
            "SELECT (d - extract(dow FROM d)::int)::text AS value FROM \
             (SELECT make_date(extract(year FROM now())::int + 1, 3, 31) AS d) s",
        )
        .await
        .remove(0);
    let book = |adult: &str, starts: &str, minutes: i64| json!({"adult_id": adult, "venue_id": venue, "date": change, "starts": starts, "minutes": minutes});
    // Jo 00:00 to 00:50 GMT.
    post(&w, &w.coordinator, &visits, book(&jo_id, "00:00", 50), 201).await;
    // 02:00 BST is 01:00 GMT: 70 minutes on the clock, 10 in truth.
    let close = post(
        &w,
        &w.coordinator,
        &visits,
        book(&chris_id, "02:00", 30),
        422,
    )
    .await;
    assert_eq!(close["errors"][0]["code"], "too_close");
    // 01:30 does not happen that night.
    let skipped = post(
        &w,
        &w.coordinator,
        &visits,
        book(&chris_id, "01:30", 30),
        422,
    )
    .await;
    assert_eq!(skipped["errors"][0]["code"], "no_such_time");
    let apart = post(
        &w,
        &w.coordinator,
        &visits,
        book(&chris_id, "02:05", 30),
        201,
    )
    .await;
    assert!(
        apart["starts_at"].as_str().unwrap().ends_with("T01:05:00Z"),
        "{apart}"
    );
}

#[tokio::test]
async fn the_referrers_pages_of_pre_visits_carry_no_time() {
    let w = world().await;
    let (id, _, _, jo_id, chris_id, venue) = accepted(&w).await;
    let visits = format!("/api/v1/referrals/{id}/pre-visits");
    let day = uk_day(&w, 3).await;
    for (adult, starts) in [(&jo_id, "10:00"), (&chris_id, "14:00")] {
        post(
            &w,
            &w.coordinator,
            &visits,
            json!({"adult_id": adult, "venue_id": venue, "date": day, "starts": starts}),
            201,
        )
        .await;
    }
    let page = get(&w, &w.solicitor, &format!("{visits}?limit=1"), 200).await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let claims = cursor.split('.').next().unwrap();
    use base64::Engine;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .unwrap();
    let claims: Value = serde_json::from_slice(&claims).unwrap();
    // A day number, not an instant: nothing below the date.
    let key = claims["key"].as_i64().unwrap();
    assert!(key < 10_000_000, "{claims}");
    let rest = get(
        &w,
        &w.solicitor,
        &format!("{visits}?limit=1&cursor={cursor}"),
        200,
    )
    .await;
    assert_eq!(items(&rest).len(), 1);
    assert!(items(&rest)[0]["starts"].is_null());
    // A cursor of the centre's pages is not the referrer's.
    let centre_page = get(&w, &w.coordinator, &format!("{visits}?limit=1"), 200).await;
    let theirs = centre_page["next_cursor"].as_str().unwrap();
    get(
        &w,
        &w.solicitor,
        &format!("{visits}?limit=1&cursor={theirs}"),
        422,
    )
    .await;
}

#[tokio::test]
async fn a_parent_who_referred_asks_only_for_those_who_come_with_them() {
    let w = world().await;
    let app = &w.app;
    let jo = registered_parent(app, "jo@example.org").await;
    let mut body = family(&w.supervised, "supported", "direct");
    body["adults"][0]["self"] = json!(true);
    body["referrer"] = Value::Null;
    let referral = post(&w, &jo, "/api/v1/referrals", body, 201).await;
    let id = referral["id"].as_str().unwrap();
    let chris = invited_parent(app, "chris@example.org").await;
    let jo_id = adult(&referral, "Jo Smith")["id"].as_str().unwrap();
    let chris_id = adult(&referral, "Chris Smith")["id"].as_str().unwrap();
    let done = post(
        &w,
        &chris,
        &format!("/api/v1/referrals/{id}/parties/{chris_id}/part"),
        json!({"consents_to_contact": true}),
        200,
    )
    .await;
    let attendees = format!(
        "/api/v1/families/{}/attendees",
        done["family_id"].as_str().unwrap()
    );
    let ask = |accompanies: &str| json!({"accompanies": accompanies, "name": "Pat Smith", "relation": "grandparent", "why": "Family"});
    // Jo referred the family, but asks for no one to come with Chris.
    post(&w, &jo, &attendees, ask(chris_id), 403).await;
    post(&w, &jo, &attendees, ask(jo_id), 201).await;
    // Nor does she record court orders, which bind Chris too: the centre does.
    let path = format!("/api/v1/referrals/{id}");
    let tag = w.app.etag(&jo, &path).await;
    let order = json!({"kind": "non_molestation", "made_on": "2026-11-01"});
    w.app
        .json_if_match(
            Method::POST,
            &jo,
            &format!("{path}/court-orders"),
            &order,
            &tag,
            403,
        )
        .await;
}

/// A second two-parent family at the supervised centre, parties kept apart,
/// accepted: returns (referral id, the resident parent's adult id).
async fn another_accepted_family(w: &World) -> (String, String) {
    let mut body = family(&w.supervised, "supervised", "none");
    body["children"][0]["name"] = json!("Robin Jones");
    body["adults"][0]["name"] = json!("Sam Jones");
    body["adults"][0]["email"] = json!("sam@example.org");
    body["adults"][1]["name"] = json!("Kit Jones");
    body["adults"][1]["email"] = json!("kit@example.org");
    let referral = post(w, &w.solicitor, "/api/v1/referrals", body, 201).await;
    let id = referral["id"].as_str().unwrap().to_owned();
    for (name, email) in [
        ("Sam Jones", "sam@example.org"),
        ("Kit Jones", "kit@example.org"),
    ] {
        let token = invited_parent(&w.app, email).await;
        let adult_id = adult(&referral, name)["id"].as_str().unwrap().to_owned();
        post(
            w,
            &token,
            &format!("/api/v1/referrals/{id}/parties/{adult_id}/part"),
            json!({"consents_to_contact": true}),
            200,
        )
        .await;
    }
    for (step, reason) in [("review", "Checks made"), ("accept", "Fine")] {
        post(
            w,
            &w.coordinator,
            &format!("/api/v1/referrals/{id}/{step}"),
            json!({"reason": reason}),
            200,
        )
        .await;
    }
    let sam = adult(&referral, "Sam Jones")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, sam)
}

#[tokio::test]
async fn families_kept_apart_never_visit_a_venue_together() {
    let w = world().await;
    let (first, _, _, jo_id, _, venue) = accepted(&w).await;
    let (second, sam_id) = another_accepted_family(&w).await;
    let day = uk_day(&w, 2).await;
    let book = |adult: &str, starts: &str| json!({"adult_id": adult, "venue_id": venue, "date": day, "starts": starts});
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{first}/pre-visits"),
        book(&jo_id, "10:00"),
        201,
    )
    .await;
    // Sam's family must be kept apart too: not within 15 minutes of Jo's visit.
    let busy = post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{second}/pre-visits"),
        book(&sam_id, "10:50"),
        422,
    )
    .await;
    assert_eq!(busy["errors"][0]["code"], "venue_busy");
    let message = busy["errors"][0]["message"].as_str().unwrap();
    // The time, never the family.
    assert!(message.contains("10:00 to 10:45"), "{message}");
    assert!(
        !message.contains("Jo") && !message.contains("Smith"),
        "{message}"
    );
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{second}/pre-visits"),
        book(&sam_id, "11:00"),
        201,
    )
    .await;
}
