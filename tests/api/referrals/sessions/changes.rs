//! Changes after booking: the centre's schedule moves under booked
//! sessions, and the sessions follow, with notice.

use super::*;

/// A family started on three weekly sessions from `f.first`.
async fn started_for_three_weeks(w: &World) -> (Family, Vec<String>) {
    let f = prepared(w, "supported", 8).await;
    chris_agrees(w, &f).await;
    let until = sql(
        w,
        &format!("SELECT (DATE '{}' + 14)::text AS value", f.first),
    )
    .await
    .remove(0);
    start(
        w,
        &f,
        json!({"opening_session_id": f.slot, "frequency": "weekly", "first_on": f.first, "until": until}),
        201,
    )
    .await;
    let page = get(w, &w.coordinator, &sessions(&f), 200).await;
    let dates = items(&page).iter().map(|x| s(&x["date"])).collect();
    (f, dates)
}

async fn run_jobs(w: &World) -> ccc::jobs::Pass {
    ccc::jobs::run_once(&w.app.pool, time::OffsetDateTime::now_utc())
        .await
        .unwrap()
}

async fn statuses(w: &World, f: &Family) -> Vec<String> {
    let page = get(w, &w.coordinator, &sessions(f), 200).await;
    items(&page).iter().map(|x| s(&x["status"])).collect()
}

#[tokio::test]
async fn a_closure_after_booking_cancels_and_notifies() {
    let w = world().await;
    let (f, dates) = started_for_three_weeks(&w).await;
    assert_eq!(dates.len(), 3);
    // Nothing changed: the job cancels nothing.
    assert_eq!(run_jobs(&w).await.sessions_displaced, 0);
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/centres/{}/closures", w.supervised),
        json!({"starts_on": dates[1], "reason": "Boiler repair"}),
        201,
    )
    .await;
    let pass = run_jobs(&w).await;
    assert_eq!(pass.sessions_displaced, 1);
    assert_eq!(
        statuses(&w, &f).await,
        ["scheduled", "cancelled", "scheduled"]
    );
    // Each party and the coordinators are told: the date, nothing more.
    for email in [
        "jo@example.org",
        "chris@example.org",
        "coord@penrith.example",
    ] {
        let told = w.app.outbox_payload(email, "session_cancelled").await;
        assert_eq!(told["date"], dates[1].as_str(), "{email}: {told}");
        assert!(!told.to_string().contains("Boiler"), "{told}");
    }
    // The centre sees why; a party only that it is cancelled, by no one of
    // theirs.
    let centre = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let c = &items(&centre)[1]["cancellation"];
    assert_eq!(c["by"], "centre");
    assert!(s(&c["reason"]).contains("Boiler repair"), "{c}");
    let jo = get(&w, &f.jo, &sessions(&f), 200).await;
    assert!(items(&jo)[1]["cancellation"].get("reason").is_none());
    // The place is free again; the queue is empty, so a second pass does
    // nothing.
    let taken = sql(
        &w,
        &format!(
            "SELECT taken::text AS value FROM slot_places WHERE opening_session_id = '{}' \
             AND on_date = DATE '{}'",
            f.slot, dates[1]
        ),
    )
    .await;
    assert_eq!(taken, ["0"]);
    assert_eq!(run_jobs(&w).await.sessions_displaced, 0);
    // The centre closes: what is left is cancelled too.
    post(
        &w,
        &w.admin,
        &format!("/api/v1/centres/{}/status", w.supervised),
        json!({"status": "closed", "reason": "Merged with another centre"}),
        200,
    )
    .await;
    assert_eq!(run_jobs(&w).await.sessions_displaced, 2);
    assert_eq!(
        statuses(&w, &f).await,
        ["cancelled", "cancelled", "cancelled"]
    );
}

#[tokio::test]
async fn a_changed_slot_or_withdrawn_service_cancels_what_it_no_longer_holds() {
    let w = world().await;
    let (f, dates) = started_for_three_weeks(&w).await;
    let slot = format!(
        "/api/v1/centres/{}/opening-sessions/{}",
        w.supervised, f.slot
    );
    // A slot with bookings is never removed: the refusal lists the dates.
    let refused = call(&w, Method::DELETE, &w.coordinator, &slot, None, 409).await;
    let detail = s(&refused["detail"]);
    assert!(
        dates.iter().all(|d| detail.contains(d.as_str())),
        "{detail}"
    );
    // Ending the slot after the first date cancels the two after it.
    call(
        &w,
        Method::PATCH,
        &w.coordinator,
        &slot,
        Some(json!({"effective_to": dates[0]})),
        200,
    )
    .await;
    assert_eq!(run_jobs(&w).await.sessions_displaced, 2);
    assert_eq!(
        statuses(&w, &f).await,
        ["scheduled", "cancelled", "cancelled"]
    );
    // The slot stops offering supported contact (the centre withdraws a
    // service only once no slot offers it): the last one goes too.
    call(
        &w,
        Method::PATCH,
        &w.coordinator,
        &slot,
        Some(json!({"services": ["supervised"]})),
        200,
    )
    .await;
    assert_eq!(run_jobs(&w).await.sessions_displaced, 1);
    assert_eq!(
        statuses(&w, &f).await,
        ["cancelled", "cancelled", "cancelled"]
    );
}

#[tokio::test]
async fn a_no_show_is_recorded_on_the_day_and_counts_against_the_absent_party() {
    let w = world().await;
    let (f, dates) = started_for_three_weeks(&w).await;
    let page = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let ids: Vec<String> = items(&page).iter().map(|x| s(&x["id"])).collect();
    let outcome = |i: usize| format!("{}/{}/outcome", sessions(&f), ids[i]);
    let no_show = json!({"outcome": "no_show", "absent_adult_ids": [f.chris_id]});
    // Not before it has begun.
    post(&w, &w.staff, &outcome(0), no_show.clone(), 409).await;
    sql(
        &w,
        &format!(
            "UPDATE contact_sessions SET on_date = (now() AT TIME ZONE 'Europe/London')::date - 1, \
             ends_on = (now() AT TIME ZONE 'Europe/London')::date - 1 WHERE id = '{}' \
             RETURNING id::text AS value",
            ids[0]
        ),
    )
    .await;
    // Only the centre's people record it.
    for token in [&f.jo, &w.solicitor] {
        post(&w, token, &outcome(0), no_show.clone(), 403).await;
    }
    // Each outcome says what it must.
    for bad in [
        json!({"outcome": "no_show"}),
        json!({"outcome": "no_show", "absent_adult_ids": [uuid::Uuid::now_v7()]}),
        json!({"outcome": "terminated"}),
        json!({"outcome": "completed", "absent_adult_ids": [f.jo_id]}),
    ] {
        post(&w, &w.staff, &outcome(0), bad, 422).await;
    }
    let recorded = post(&w, &w.staff, &outcome(0), no_show.clone(), 200).await;
    assert_eq!(recorded["session"]["status"], "no_show");
    assert_eq!(recorded["absent_adult_ids"], json!([f.chris_id]));
    post(&w, &w.staff, &outcome(0), no_show, 409).await;
    // Jo cancels the third, three weeks ahead: not late.
    post(
        &w,
        &f.jo,
        &format!("{}/{}/cancel", sessions(&f), ids[2]),
        json!({"reason": "A family wedding"}),
        200,
    )
    .await;
    let path = format!("/api/v1/families/{}/contact-record", f.family);
    let record = get(&w, &w.coordinator, &path, 200).await;
    assert_eq!(
        (
            record["sessions"]["no_show"].as_i64(),
            record["sessions"]["scheduled"].as_i64(),
            record["sessions"]["cancelled"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "{record}"
    );
    let party = |id: &str| {
        record["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["adult_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            party(&f.chris_id)["no_shows"].as_i64(),
            party(&f.jo_id)["no_shows"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(
        (
            party(&f.jo_id)["cancellations"].as_i64(),
            party(&f.jo_id)["late_cancellations"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(dates.len(), 3);
    // The centre's people read it; the parties and the referrer do not.
    get(&w, &w.staff, &path, 200).await;
    for token in [&f.jo, &w.solicitor] {
        get(&w, token, &path, 403).await;
    }
    get(&w, &w.other_solicitor, &path, 404).await;
}

#[tokio::test]
async fn lapsed_vetting_is_taken_off_future_sessions_and_another_assigned() {
    let w = world().await;
    let f = prepared(&w, "supervised", 4).await;
    chris_agrees(&w, &f).await;
    let staff_id = s(&get(&w, &w.staff, "/api/v1/me", 200).await["id"]);
    let vet = |due: &str| {
        json!({"scheme": "dbs", "certificate_number": "001234567890", "issued_on": "2024-01-10",
               "renewal_due_on": due})
    };
    let vetting = |id: &str| format!("/api/v1/users/{id}/vetting");
    call(
        &w,
        Method::PUT,
        &w.coordinator,
        &vetting(&staff_id),
        Some(vet("2029-01-10")),
        200,
    )
    .await;
    start(
        &w,
        &f,
        json!({"opening_session_id": f.slot, "frequency": "weekly", "first_on": f.first,
               "until": f.first, "staff_id": staff_id}),
        201,
    )
    .await;
    assert_eq!(run_jobs(&w).await.staff_unassigned, 0);
    // The check is re-recorded: it must be renewed before the session.
    let lapses = uk_day(&w, 10).await;
    call(
        &w,
        Method::PUT,
        &w.coordinator,
        &vetting(&staff_id),
        Some(vet(&lapses)),
        200,
    )
    .await;
    assert_eq!(run_jobs(&w).await.staff_unassigned, 1);
    let page = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let session = &items(&page)[0];
    assert!(session.get("staff_id").is_none(), "{session}");
    assert_eq!(session["status"], "scheduled");
    let told = w
        .app
        .outbox_payload("coord@penrith.example", "staff_unassigned")
        .await;
    assert_eq!(told["date"], f.first.as_str());
    assert_eq!(run_jobs(&w).await.staff_unassigned, 0);
    // The coordinators assign another: never someone not vetted then.
    let assign = format!("{}/{}/staff", sessions(&f), s(&session["id"]));
    let refused = call(
        &w,
        Method::PUT,
        &w.coordinator,
        &assign,
        Some(json!({"staff_id": staff_id})),
        422,
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "unassignable");
    let coordinator_id = s(&get(&w, &w.coordinator, "/api/v1/me", 200).await["id"]);
    call(
        &w,
        Method::PUT,
        &w.admin,
        &vetting(&coordinator_id),
        Some(vet("2029-01-10")),
        200,
    )
    .await;
    for token in [&w.staff, &f.jo, &w.solicitor] {
        call(
            &w,
            Method::PUT,
            token,
            &assign,
            Some(json!({"staff_id": coordinator_id})),
            403,
        )
        .await;
    }
    let assigned = call(
        &w,
        Method::PUT,
        &w.coordinator,
        &assign,
        Some(json!({"staff_id": coordinator_id})),
        200,
    )
    .await;
    assert_eq!(assigned["staff_id"], coordinator_id.as_str());
}

#[tokio::test]
async fn a_reminder_the_day_before_gives_each_party_their_own_times() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    // What the setup changed is settled first.
    run_jobs(&w).await;
    // The session is tomorrow.
    sql(
        &w,
        &format!(
            "UPDATE contact_sessions SET on_date = (now() AT TIME ZONE 'Europe/London')::date + 1, \
             ends_on = (now() AT TIME ZONE 'Europe/London')::date + 1 WHERE family_id = '{}' \
             RETURNING id::text AS value",
            f.family
        ),
    )
    .await;
    assert_eq!(run_jobs(&w).await.sessions_reminded, 1);
    let page = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let windows = items(&page)[0]["windows"].as_array().unwrap().clone();
    let own = |adult: &str, kind: &str| window_times(&windows, adult, kind);
    for (email, mine, theirs) in [
        ("jo@example.org", &f.jo_id, &f.chris_id),
        ("chris@example.org", &f.chris_id, &f.jo_id),
    ] {
        let told = w.app.outbox_payload(email, "session_reminder").await;
        assert_eq!(told["arrives"], own(mine, "arrives"), "{email}: {told}");
        assert_eq!(told["leaves"], own(mine, "leaves"), "{email}: {told}");
        let text = told.to_string();
        assert!(
            !text.contains(&own(theirs, "arrives")) && !text.contains(&own(theirs, "leaves")),
            "{email} told the other party's times: {text}"
        );
    }
    // Once only.
    assert_eq!(run_jobs(&w).await.sessions_reminded, 0);
}

#[tokio::test]
async fn a_moved_session_tells_each_party_their_own_new_times() {
    let w = world().await;
    let (f, dates) = started_for_three_weeks(&w).await;
    let page = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let second = s(&items(&page)[1]["id"]);
    let path = format!("{}/{second}/move", sessions(&f));
    // Only a coordinator moves it.
    for token in [&f.jo, &w.staff, &w.solicitor] {
        post(&w, token, &path, json!({"date": dates[2]}), 403).await;
    }
    // A date the family already has is refused, and nothing changes.
    post(&w, &w.coordinator, &path, json!({"date": dates[2]}), 409).await;
    assert_eq!(
        statuses(&w, &f).await,
        ["scheduled", "scheduled", "scheduled"]
    );
    let later = sql(
        &w,
        &format!("SELECT (DATE '{}' + 7)::text AS value", dates[2]),
    )
    .await
    .remove(0);
    let moved = post(&w, &w.coordinator, &path, json!({"date": later}), 201).await;
    assert_eq!(
        (s(&moved["date"]), s(&moved["status"])),
        (later.clone(), "scheduled".into())
    );
    let centre = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let old = items(&centre)
        .iter()
        .find(|x| x["id"] == second.as_str())
        .unwrap();
    assert_eq!(old["status"], "cancelled");
    assert!(s(&old["cancellation"]["reason"]).contains(&later));
    let windows = moved["windows"].as_array().unwrap();
    let own = |adult: &str, kind: &str| window_times(windows, adult, kind);
    for (email, mine, theirs) in [
        ("jo@example.org", &f.jo_id, &f.chris_id),
        ("chris@example.org", &f.chris_id, &f.jo_id),
    ] {
        let told = w.app.outbox_payload(email, "session_moved").await;
        assert_eq!(told["date"], later.as_str(), "{told}");
        assert_eq!(told["moved_from"], dates[1].as_str(), "{told}");
        assert_eq!(told["arrives"], own(mine, "arrives"), "{told}");
        assert!(
            !told.to_string().contains(&own(theirs, "arrives")),
            "{told}"
        );
    }
    // The one moved from can no longer be moved.
    post(&w, &w.coordinator, &path, json!({"date": later}), 409).await;
}

#[tokio::test]
async fn entrances_named_by_sessions_to_come_are_kept() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    let page = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let venue = s(&items(&page)[0]["venue_id"]);
    let path = format!("/api/v1/centres/{}/venues/{venue}", w.supervised);
    for change in [
        json!({"entrances": ["Door A", "Door B"]}),
        json!({"entrances": ["Front entrance", "Back door"]}),
    ] {
        let refused = call(&w, Method::PATCH, &w.coordinator, &path, Some(change), 409).await;
        assert!(s(&refused["detail"]).contains("entrance"), "{refused}");
    }
    // Adding one keeps those in use: allowed.
    call(
        &w,
        Method::PATCH,
        &w.coordinator,
        &path,
        Some(json!({"entrances": ["Front entrance", "Side entrance", "Garden gate"]})),
        200,
    )
    .await;
}

#[tokio::test]
async fn a_new_assessment_cancels_sessions_booked_under_the_old_conditions() {
    let w = world().await;
    let (f, _) = started_for_three_weeks(&w).await;
    assert_eq!(run_jobs(&w).await.sessions_displaced, 0);
    // The centre re-assesses: Chris may no longer attend.
    let case = format!("/api/v1/referrals/{}", f.id);
    let tag = w.app.etag(&w.coordinator, &case).await;
    w.app
        .json_if_match(Method::PUT, &w.coordinator, &format!("{case}/assessment"),
            &json!({"factors": ["domestic_abuse"], "checks_made": ["court_order_seen"], "level": "high",
                    "rationale": "A new order",
                    "conditions": {"service": "supported", "parties_must_not_meet": true, "stagger_minutes": 15,
                                   "may_attend": [f.jo_id]}}),
            &tag, 200)
        .await;
    assert_eq!(run_jobs(&w).await.sessions_displaced, 3);
    assert_eq!(
        statuses(&w, &f).await,
        ["cancelled", "cancelled", "cancelled"]
    );
    let told = w
        .app
        .outbox_payload("chris@example.org", "session_cancelled")
        .await;
    assert!(!told.is_null());
    // Rebooked under the new conditions: Jo alone has times.
    let later = sql(
        &w,
        &format!("SELECT (DATE '{}' + 21)::text AS value", f.first),
    )
    .await
    .remove(0);
    let booked = post(
        &w,
        &w.coordinator,
        &sessions(&f),
        json!({"opening_session_id": f.slot, "date": later}),
        201,
    )
    .await;
    let windows = booked["booked"][0]["windows"].as_array().unwrap();
    assert!(
        windows.iter().all(|x| x["adult_id"] == f.jo_id.as_str()),
        "{booked}"
    );
    assert_eq!(run_jobs(&w).await.sessions_displaced, 0);
    // Chris, kept away now, is never shown the new session, not even its
    // date: only the ones he was booked into, cancelled.
    let chris_sees = get(&w, &f.chris, &sessions(&f), 200).await;
    assert_eq!(items(&chris_sees).len(), 3, "{chris_sees}");
    assert!(
        items(&chris_sees)
            .iter()
            .all(|x| x["status"] == "cancelled" && x["date"] != later.as_str()),
        "{chris_sees}"
    );
}

#[tokio::test]
async fn a_new_arrangement_takes_effect_once_each_party_agrees() {
    let w = world().await;
    let (f, dates) = started_for_three_weeks(&w).await;
    let proposals = format!("/api/v1/referrals/{}/arrangement-proposals", f.id);
    let until = sql(
        &w,
        &format!("SELECT (DATE '{}' + 28)::text AS value", dates[1]),
    )
    .await
    .remove(0);
    let body = json!({"opening_session_id": f.slot, "frequency": "fortnightly",
                      "first_on": dates[1], "until": until});
    for token in [&f.jo, &w.solicitor, &w.staff] {
        post(&w, token, &proposals, body.clone(), 403).await;
    }
    let proposed = post(&w, &w.coordinator, &proposals, body, 201).await;
    assert_eq!(proposed["status"], "pending");
    assert_eq!(proposed["needs"].as_array().unwrap().len(), 2);
    assert!(!w
        .app
        .outbox_payload("chris@example.org", "arrangement_proposed")
        .await
        .is_null());
    // A party sees only their own part in it.
    let seen = get(&w, &f.jo, &proposals, 200).await;
    assert_eq!(seen[0]["needs"], json!([f.jo_id]));
    let agree = format!("{proposals}/{}/agreement", s(&proposed["id"]));
    for token in [&w.staff, &w.coordinator, &w.solicitor] {
        post(&w, token, &agree, json!({}), 403).await;
    }
    let half = post(&w, &f.jo, &agree, json!({}), 200).await;
    assert_eq!(half["status"], "pending");
    // Nothing changes until everyone agreed.
    assert_eq!(
        statuses(&w, &f).await,
        ["scheduled", "scheduled", "scheduled"]
    );
    let done = post(&w, &f.chris, &agree, json!({}), 200).await;
    assert_eq!(done["status"], "in_force");
    let page = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let scheduled: Vec<String> = items(&page)
        .iter()
        .filter(|x| x["status"] == "scheduled")
        .map(|x| s(&x["date"]))
        .collect();
    let fortnight = sql(
        &w,
        &format!("SELECT (DATE '{}' + 14)::text AS value", dates[1]),
    )
    .await
    .remove(0);
    assert_eq!(
        scheduled,
        [dates[0].clone(), dates[1].clone(), fortnight, until]
    );
    for email in ["jo@example.org", "chris@example.org"] {
        let told = w.app.outbox_payload(email, "arrangement_in_force").await;
        assert_eq!(told["first_on"], dates[1].as_str());
    }
    post(&w, &f.jo, &agree, json!({}), 409).await;
}

/// An adult's window of `kind` among a session's `windows`, as a notice to
/// them words it ("09:50 and 10:00").
fn window_times(windows: &[serde_json::Value], adult: &str, kind: &str) -> String {
    let x = windows
        .iter()
        .find(|x| x["adult_id"] == adult && x["kind"] == kind)
        .unwrap();
    format!("{} and {}", s(&x["starts"]), s(&x["ends"]))
}
