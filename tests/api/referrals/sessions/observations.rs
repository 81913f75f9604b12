//! Observation requests: a children's court officer asks to observe; until
//! the coordinators approve, nothing says whether the family attends.

use super::*;

/// A children's court officer of another organisation than the referrer's.
async fn court_officer(w: &World) -> String {
    crate::builders::referrer_of_type(
        &w.app,
        &w.admin,
        ("Cumbria Children's Court Service", "other"),
        "court-officers.example",
        "childrens_court_officer",
    )
    .await
    .0
}

const ASK: &str = "/api/v1/observation-requests";

/// A request's body with what differs between two requests removed.
fn shape(r: &Value) -> Value {
    let mut r = r.clone();
    for field in ["id", "clients", "created_at"] {
        r.as_object_mut().unwrap().remove(field);
    }
    r
}

#[tokio::test]
async fn an_unapproved_observation_reveals_nothing() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    let officer = court_officer(&w).await;
    let ask = |clients: &[&str], date: &str| {
        json!({"centre_id": w.supervised, "date": date,
               "clients": clients.iter().map(|c| json!({"name": c})).collect::<Vec<_>>()})
    };
    // Not until the centre allows observations; never by another referrer.
    let refused = post(&w, &officer, ASK, ask(&["Alex Smith"], &f.first), 409).await;
    assert_eq!(refused["status"], 409);
    call(
        &w,
        Method::PATCH,
        &w.coordinator,
        &format!("/api/v1/centres/{}", w.supervised),
        Some(json!({"allows_observations": true})),
        200,
    )
    .await;
    post(&w, &w.solicitor, ASK, ask(&["Alex Smith"], &f.first), 403).await;
    post(&w, &f.jo, ASK, ask(&["Alex Smith"], &f.first), 403).await;

    // A request naming the family's child, and one naming nobody who
    // attends, read alike.
    let real = post(&w, &officer, ASK, ask(&["Alex Smith"], &f.first), 201).await;
    let fiction = post(&w, &officer, ASK, ask(&["Nobody Known"], &f.first), 201).await;
    assert_eq!(real["status"], "pending");
    assert_eq!(shape(&real), shape(&fiction));
    assert!(real.get("session").is_none() && real.get("family_id").is_none());
    // Naming a family the officer's organisation did not refer reads as a
    // family that does not exist.
    let mut named = ask(&["Alex Smith"], &f.first);
    named["family_id"] = json!(f.family);
    let theirs = post(&w, &officer, ASK, named.clone(), 422).await;
    named["family_id"] = json!(uuid::Uuid::now_v7());
    let none = post(&w, &officer, ASK, named, 422).await;
    assert_eq!(theirs["errors"], none["errors"]);
    // Before the day, on a day the centre is open.
    let today = uk_day(&w, 0).await;
    let bad = post(&w, &officer, ASK, ask(&["Alex Smith"], &today), 422).await;
    assert_eq!(bad["errors"][0]["code"], "not_before");
    let closed_day = sql(
        &w,
        &format!("SELECT (DATE '{}' + 1)::text AS value", f.first),
    )
    .await
    .remove(0);
    let bad = post(&w, &officer, ASK, ask(&["Alex Smith"], &closed_day), 422).await;
    assert_eq!(bad["errors"][0]["code"], "not_open");

    // Pending: the officer's reads, the family's sessions and the day sheet
    // say nothing of the family.
    let path = |r: &Value| format!("{ASK}/{}", s(&r["id"]));
    let read = get(&w, &officer, &path(&real), 200).await;
    assert_eq!(
        shape(&read),
        shape(&get(&w, &officer, &path(&fiction), 200).await)
    );
    get(&w, &officer, &sessions(&f), 404).await;
    let sheet_path = format!(
        "/api/v1/centres/{}/day-sheet?date={}",
        w.supervised, f.first
    );
    let sheet = get(&w, &w.staff, &sheet_path, 200).await;
    assert!(sheet["sessions"][0]["observers"]
        .as_array()
        .unwrap()
        .is_empty());
    // Others cannot read it; the coordinators see who asked.
    get(&w, &w.solicitor, &path(&real), 404).await;
    get(&w, &f.jo, &path(&real), 404).await;
    let centre_sees = get(&w, &w.coordinator, &path(&real), 200).await;
    assert_eq!(centre_sees["observer_name"], "Sam Patel");
    assert_eq!(
        centre_sees["organisation_name"],
        "Cumbria Children's Court Service"
    );
    let listed = get(&w, &w.coordinator, ASK, 200).await;
    assert_eq!(items(&listed).len(), 2);
    // The coordinators were told there is a request, not whom it names.
    let told = w
        .app
        .outbox_payload("coord@penrith.example", "observation_requested")
        .await;
    assert!(!told.is_null() && !told.to_string().contains("Alex"));

    // Only a coordinator decides, matching a session of that day.
    let session = s(&items(&get(&w, &w.coordinator, &sessions(&f), 200).await)[0]["id"]);
    let approve = |r: &Value| format!("{}/approve", path(r));
    post(
        &w,
        &officer,
        &approve(&real),
        json!({"contact_session_id": session}),
        403,
    )
    .await;
    for token in [&w.staff, &w.solicitor] {
        post(
            &w,
            token,
            &approve(&real),
            json!({"contact_session_id": session}),
            404,
        )
        .await;
    }
    let wrong = post(
        &w,
        &w.coordinator,
        &approve(&real),
        json!({"contact_session_id": uuid::Uuid::now_v7()}),
        422,
    )
    .await;
    assert_eq!(wrong["errors"][0]["field"], "contact_session_id");
    let approved = post(
        &w,
        &w.coordinator,
        &approve(&real),
        json!({"contact_session_id": session}),
        200,
    )
    .await;
    assert_eq!(approved["status"], "approved");
    post(
        &w,
        &w.coordinator,
        &approve(&real),
        json!({"contact_session_id": session}),
        409,
    )
    .await;

    // Approved: the officer sees the session's time, never the family; the
    // day sheet names the observer; the session stays as it was.
    let read = get(&w, &officer, &path(&real), 200).await;
    assert_eq!(read["status"], "approved");
    assert_eq!(
        (s(&read["session"]["starts"]), s(&read["session"]["ends"])),
        ("10:00".into(), "12:00".into())
    );
    assert!(
        read.get("family_id").is_none() && read.get("decision").is_none(),
        "{read}"
    );
    let sheet = get(&w, &w.staff, &sheet_path, 200).await;
    let one = &sheet["sessions"][0];
    assert_eq!(one["observers"][0]["name"], "Sam Patel");
    assert_eq!(one["service"], "supported");
    assert!(!w
        .app
        .outbox_payload(
            "childrens.court.officer@court-officers.example",
            "observation_answered"
        )
        .await
        .is_null());

    // Declined: the officer learns only that.
    let declined = post(
        &w,
        &w.coordinator,
        &format!("{}/decline", path(&fiction)),
        json!({"reason": "No family of that name attends that day"}),
        200,
    )
    .await;
    assert_eq!(
        declined["decision"]["reason"],
        "No family of that name attends that day"
    );
    let read = get(&w, &officer, &path(&fiction), 200).await;
    assert_eq!(read["status"], "declined");
    assert!(!read.to_string().contains("No family"), "{read}");

    // Withdrawn before the day: the observer leaves the sheet.
    post(
        &w,
        &w.coordinator,
        &format!("{}/withdraw", path(&real)),
        json!({}),
        403,
    )
    .await;
    let withdrawn = post(
        &w,
        &officer,
        &format!("{}/withdraw", path(&real)),
        json!({}),
        200,
    )
    .await;
    assert_eq!(withdrawn["status"], "withdrawn");
    let sheet = get(&w, &w.staff, &sheet_path, 200).await;
    assert!(sheet["sessions"][0]["observers"]
        .as_array()
        .unwrap()
        .is_empty());

    // An approved observation follows its session: cancelled, the request
    // is pending again for the coordinators.
    let again = post(&w, &officer, ASK, ask(&["Alex Smith"], &f.first), 201).await;
    post(
        &w,
        &w.coordinator,
        &approve(&again),
        json!({"contact_session_id": session}),
        200,
    )
    .await;
    post(
        &w,
        &f.jo,
        &format!("{}/{session}/cancel", sessions(&f)),
        json!({"reason": "Alex is unwell"}),
        200,
    )
    .await;
    let released = get(&w, &w.coordinator, &path(&again), 200).await;
    assert_eq!(released["status"], "pending", "{released}");
    assert!(released.get("session").is_none() && released.get("decision").is_none());
    // The officer hears of it from the jobs, once: the day and that it is
    // pending again, never why the session was cancelled.
    let pass = ccc::jobs::run_once(&w.app.pool, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(pass.observers_told, 1);
    let told = w
        .app
        .outbox_payload(
            "childrens.court.officer@court-officers.example",
            "observation_released",
        )
        .await;
    assert_eq!(told["observation_request_id"], again["id"], "{told}");
    assert_eq!(told["date"], released["date"], "{told}");
    assert!(!told.to_string().contains("unwell"), "{told}");
    let pass = ccc::jobs::run_once(&w.app.pool, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(pass.observers_told, 0);
}
