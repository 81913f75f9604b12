//! Contact sessions: starting contact once a family is ready, booking one
//! date or a repeat, places and staff held by the database, windows kept
//! apart, cancellations, and who sees which times.

mod changes;
mod day_sheet;
mod observations;

use super::preparation::{accepted, call, get, items, post, uk_day};
use super::*;

fn s(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

/// A family at pre-visits, nearly ready to start.
struct Family {
    id: String,
    family: String,
    jo: String,
    chris: String,
    jo_id: String,
    chris_id: String,
    /// The opening session: 10:00 to 12:00 on `first`'s weekday.
    slot: String,
    /// A date three weeks on, past the centre's notice.
    first: String,
}

async fn sql(w: &World, q: &str) -> Vec<String> {
    w.app.query_texts(q).await
}

/// Accepted, assessed (`service`, parties kept apart by 15 minutes), with
/// an opening session of `capacity` places, both pre-visits done and the
/// ground rules agreed by Jo only (Chris's agreement is left to the test).
async fn prepared(w: &World, service: &str, capacity: i64) -> Family {
    let (id, jo, chris, jo_id, chris_id, venue) = accepted(w).await;
    let path = format!("/api/v1/referrals/{id}");
    let tag = w.app.etag(&w.coordinator, &path).await;
    w.app
        .json_if_match(Method::PUT, &w.coordinator, &format!("{path}/assessment"),
            &json!({"factors": ["domestic_abuse"], "checks_made": ["court_order_seen"], "level": "medium",
                    "rationale": "Order in place; both engaged",
                    "conditions": {"service": service, "parties_must_not_meet": true, "stagger_minutes": 15,
                                   "may_attend": [jo_id, chris_id]}}),
            &tag, 201)
        .await;
    // The venue has separate entrances: the parties use different ones.
    let venues = format!("/api/v1/centres/{}/venues/{venue}", w.supervised);
    call(
        w,
        Method::PATCH,
        &w.admin,
        &venues,
        Some(json!({"separate_entrances": true})),
        200,
    )
    .await;
    let first = uk_day(w, 21).await;
    let weekday = sql(
        w,
        &format!("SELECT trim(to_char(DATE '{first}', 'day')) AS value"),
    )
    .await
    .remove(0);
    let slot = post(
        w,
        &w.coordinator,
        &format!("/api/v1/centres/{}/opening-sessions", w.supervised),
        json!({"venue_id": venue, "weekday": weekday, "starts_at": "10:00", "ends_at": "12:00",
               "room": "Hall", "capacity": capacity, "services": ["supported", "supervised"]}),
        201,
    )
    .await;
    let visits = format!("{path}/pre-visits");
    let tomorrow = uk_day(w, 1).await;
    for (adult, starts) in [(&jo_id, "10:00"), (&chris_id, "11:00")] {
        let v = post(
            w,
            &w.coordinator,
            &visits,
            json!({"adult_id": adult, "venue_id": venue, "date": tomorrow, "starts": starts}),
            201,
        )
        .await;
        // Two days pass for the visit.
        sql(w, &format!("UPDATE pre_visits SET on_date = on_date - 2 WHERE id = '{}' RETURNING id::text AS value", s(&v["id"]))).await;
        post(
            w,
            &w.staff,
            &format!("{visits}/{}/outcome", s(&v["id"])),
            json!({"outcome": "done", "identity_checked": true}),
            200,
        )
        .await;
    }
    post(
        w,
        &jo,
        &format!("{path}/parties/{jo_id}/agreement"),
        json!({"version": 1}),
        201,
    )
    .await;
    let family = s(&get(w, &w.coordinator, &path, 200).await["family_id"]);
    Family {
        id,
        family,
        jo,
        chris,
        jo_id,
        chris_id,
        slot: s(&slot["id"]),
        first,
    }
}

/// Chris agrees the ground rules: the family is then ready to start.
async fn chris_agrees(w: &World, f: &Family) {
    post(
        w,
        &f.chris,
        &format!(
            "/api/v1/referrals/{}/parties/{}/agreement",
            f.id, f.chris_id
        ),
        json!({"version": 1}),
        201,
    )
    .await;
}

async fn start(w: &World, f: &Family, body: Value, status: u16) -> Value {
    let path = format!("/api/v1/referrals/{}", f.id);
    let tag = w.app.etag(&w.coordinator, &path).await;
    w.app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &format!("{path}/start"),
            &body,
            &tag,
            status,
        )
        .await
}

async fn started(w: &World, service: &str, capacity: i64) -> Family {
    let f = prepared(w, service, capacity).await;
    chris_agrees(w, &f).await;
    start(w, &f, json!({"opening_session_id": f.slot, "frequency": "weekly", "first_on": f.first, "until": f.first}), 201).await;
    f
}

fn sessions(f: &Family) -> String {
    format!("/api/v1/families/{}/contact-sessions", f.family)
}

#[tokio::test]
async fn a_family_starts_only_when_ready_and_letters_show_own_times() {
    let w = world().await;
    let f = prepared(&w, "supported", 8).await;
    let arrangement =
        json!({"opening_session_id": f.slot, "frequency": "weekly", "first_on": f.first});
    // Chris has not agreed the rules; nor is Chris's phone recorded.
    sql(
        &w,
        &format!(
            "UPDATE referral_adults SET phone = NULL WHERE id = '{}' RETURNING id::text AS value",
            f.chris_id
        ),
    )
    .await;
    let not_ready = start(&w, &f, arrangement.clone(), 409).await;
    assert_eq!(not_ready["type"], "/problems/not-ready");
    let missing: Vec<(String, String)> = not_ready["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (s(&m["what"]), s(&m["adult_id"])))
        .collect();
    assert_eq!(
        missing,
        [
            ("ground_rules".to_owned(), f.chris_id.clone()),
            ("phone".to_owned(), f.chris_id.clone())
        ]
    );
    // Nothing was written: still at pre-visits, no session.
    let path = format!("/api/v1/referrals/{}", f.id);
    assert_eq!(
        get(&w, &w.coordinator, &path, 200).await["status"],
        "pre_visits"
    );
    assert!(items(&get(&w, &w.coordinator, &sessions(&f), 200).await).is_empty());
    sql(&w, &format!("UPDATE referral_adults SET phone = '07700 900002' WHERE id = '{}' RETURNING id::text AS value", f.chris_id)).await;
    post(
        &w,
        &f.chris,
        &format!("{path}/parties/{}/agreement", f.chris_id),
        json!({"version": 1}),
        201,
    )
    .await;
    // Within the centre's notice: refused on the date.
    let soon = uk_day(&w, 3).await;
    let early = start(
        &w,
        &f,
        json!({"opening_session_id": f.slot, "frequency": "weekly", "first_on": soon}),
        422,
    )
    .await;
    assert!(early["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["code"] == "notice"));
    // Only a coordinator starts contact.
    let tag = w.app.etag(&w.coordinator, &path).await;
    w.app
        .json_if_match(
            Method::POST,
            &w.staff,
            &format!("{path}/start"),
            &arrangement,
            &tag,
            403,
        )
        .await;
    let started = start(&w, &f, arrangement, 201).await;
    assert_eq!(started["booked"].as_array().unwrap().len(), 12);
    assert_eq!(
        get(&w, &w.coordinator, &path, 200).await["status"],
        "active"
    );
    // Each party's acceptance letter has their own times only; the
    // referrer's has the session's times and no window.
    let first = &started["booked"][0];
    let window = |adult: &str, kind: &str| {
        first["windows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["adult_id"] == adult && w["kind"] == kind)
            .unwrap()
            .clone()
    };
    let jo_in = window(&f.jo_id, "arrives");
    let chris_in = window(&f.chris_id, "arrives");
    assert_eq!(
        (s(&jo_in["starts"]), s(&chris_in["starts"])),
        ("10:00".into(), "10:25".into())
    );
    assert_ne!(jo_in["entrance"], chris_in["entrance"]);
    let letters = |token: &str| {
        let token = token.to_owned();
        let w = &w;
        let path = format!("{path}/letters");
        async move {
            items(&get(w, &token, &path, 200).await)
                .iter()
                .filter(|l| l["kind"] == "acceptance")
                .cloned()
                .collect::<Vec<_>>()
        }
    };
    let jo_letters = letters(&f.jo).await;
    assert_eq!(jo_letters.len(), 1);
    let jo_text = s(&jo_letters[0]["body"]);
    assert!(jo_text.contains("between 10:00 and 10:10"), "{jo_text}");
    assert!(!jo_text.contains("10:25"), "{jo_text}");
    assert!(
        jo_text.contains("Arrive and leave at your own times"),
        "the ground rules: {jo_text}"
    );
    assert!(
        jo_text.contains("Jo Smith, Chris Smith"),
        "who may attend: {jo_text}"
    );
    let chris_text = s(&letters(&f.chris).await[0]["body"]);
    assert!(
        chris_text.contains("between 10:25 and 10:35") && !chris_text.contains("10:00 and 10:10"),
        "{chris_text}"
    );
    let referrer = letters(&w.solicitor).await;
    let referrer_text = s(&referrer[0]["body"]);
    assert!(
        referrer_text.contains("from 10:00 to 12:00") && !referrer_text.contains("between"),
        "{referrer_text}"
    );
    // Kept as the PDF sent, for its reader alone.
    let pdf = s(&jo_letters[0]["pdf"]);
    let response = w.app.send(Method::GET, Some(&f.jo), &pdf, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(response.bytes().await.unwrap().starts_with(b"%PDF-1.4"));
    let other = w.app.send(Method::GET, Some(&f.chris), &pdf, None).await;
    assert_eq!(other.status(), 404);
    // Started once.
    let again = start(
        &w,
        &f,
        json!({"opening_session_id": f.slot, "frequency": "weekly", "first_on": f.first}),
        409,
    )
    .await;
    assert_eq!(again["type"], "/problems/illegal-move");
}

#[tokio::test]
async fn a_repeat_skips_a_closure_and_reports_it() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    let second = sql(
        &w,
        &format!("SELECT (DATE '{}' + 7)::text AS value", f.first),
    )
    .await
    .remove(0);
    let third = sql(
        &w,
        &format!("SELECT (DATE '{}' + 14)::text AS value", f.first),
    )
    .await
    .remove(0);
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/centres/{}/closures", w.supervised),
        json!({"starts_on": third, "ends_on": third, "reason": "Staff training"}),
        201,
    )
    .await;
    let booked = post(&w, &w.coordinator, &sessions(&f),
        json!({"opening_session_id": f.slot, "date": second, "repeat": {"frequency": "weekly", "count": 3}}), 201).await;
    let dates: Vec<String> = booked["booked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| s(&b["date"]))
        .collect();
    let fourth = sql(
        &w,
        &format!("SELECT (DATE '{}' + 21)::text AS value", f.first),
    )
    .await
    .remove(0);
    assert_eq!(dates, [second.clone(), fourth]);
    assert_eq!(booked["skipped"][0]["date"], third.as_str());
    assert_eq!(booked["skipped"][0]["reason"], "closed");
    assert!(s(&booked["skipped"][0]["detail"]).contains("Staff training"));
    // One date on a closure is refused outright, naming why.
    let closed = post(
        &w,
        &w.coordinator,
        &sessions(&f),
        json!({"opening_session_id": f.slot, "date": third}),
        422,
    )
    .await;
    assert_eq!(closed["errors"][0]["code"], "closed");
    // Booked already: a 409; another weekday: a 422; before the start: a 422.
    post(
        &w,
        &w.coordinator,
        &sessions(&f),
        json!({"opening_session_id": f.slot, "date": second}),
        409,
    )
    .await;
    let monday = sql(
        &w,
        &format!("SELECT (DATE '{}' + 8)::text AS value", f.first),
    )
    .await
    .remove(0);
    let wrong = post(
        &w,
        &w.coordinator,
        &sessions(&f),
        json!({"opening_session_id": f.slot, "date": monday}),
        422,
    )
    .await;
    assert_eq!(wrong["errors"][0]["code"], "not_running");
    let before = sql(
        &w,
        &format!("SELECT (DATE '{}' - 7)::text AS value", f.first),
    )
    .await
    .remove(0);
    let early = post(
        &w,
        &w.coordinator,
        &sessions(&f),
        json!({"opening_session_id": f.slot, "date": before}),
        422,
    )
    .await;
    assert_eq!(early["errors"][0]["code"], "before_start");
    // A service the assessment did not decide is refused; so is a parent.
    let supervised = post(&w, &w.coordinator, &sessions(&f),
        json!({"opening_session_id": f.slot, "date": fourth_or(&w, &f, 28).await, "service": "supervised"}), 422).await;
    assert!(supervised["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["code"] == "not_assessed"));
    post(
        &w,
        &f.jo,
        &sessions(&f),
        json!({"opening_session_id": f.slot, "date": second}),
        403,
    )
    .await;
}

async fn fourth_or(w: &World, f: &Family, days: i32) -> String {
    sql(
        w,
        &format!("SELECT (DATE '{}' + {days})::text AS value", f.first),
    )
    .await
    .remove(0)
}

/// Copies of a started family's referral and family, `n` of them, as if
/// each had been referred, assessed and started: for many families at
/// once. Returns the copies' family ids.
async fn copies(w: &World, f: &Family, n: usize, keep_apart: bool) -> Vec<String> {
    // Each copy's ids follow from the original's and the copy's number.
    let id = &f.id;
    let new = |col: &str| format!("md5({col}::text || g::text)::uuid");
    let statements = [
        format!("INSERT INTO referrals SELECT (jsonb_populate_record(NULL::referrals, to_jsonb(o) || jsonb_build_object(
             'id', {r}, 'parties_must_not_meet', {keep_apart}))).* FROM referrals o, generate_series(1, {n}) g
             WHERE o.id = '{id}' RETURNING id::text AS value", r = new("o.id")),
        format!("INSERT INTO referral_children SELECT (jsonb_populate_record(NULL::referral_children, to_jsonb(c) || jsonb_build_object(
             'id', {c}, 'referral_id', {r}))).* FROM referral_children c, generate_series(1, {n}) g
             WHERE c.referral_id = '{id}' RETURNING id::text AS value", c = new("c.id"), r = new("c.referral_id")),
        format!("INSERT INTO referral_adults SELECT (jsonb_populate_record(NULL::referral_adults, to_jsonb(a) || jsonb_build_object(
             'id', {a}, 'referral_id', {r}, 'user_id', NULL, 'email', NULL))).* FROM referral_adults a, generate_series(1, {n}) g
             WHERE a.referral_id = '{id}' RETURNING id::text AS value", a = new("a.id"), r = new("a.referral_id")),
        format!("INSERT INTO referral_relations SELECT (jsonb_populate_record(NULL::referral_relations, to_jsonb(x) || jsonb_build_object(
             'adult_id', {a}, 'child_id', {c}))).* FROM referral_relations x, generate_series(1, {n}) g
             WHERE x.adult_id IN (SELECT id FROM referral_adults WHERE referral_id = '{id}') RETURNING adult_id::text AS value",
             a = new("x.adult_id"), c = new("x.child_id")),
        format!("INSERT INTO families (id, referral_id, centre_id) SELECT {fid}, {r}, o.centre_id
             FROM referrals o, generate_series(1, {n}) g WHERE o.id = '{id}' RETURNING id::text AS value",
             fid = new("'family' || o.id"), r = new("o.id")),
        format!("INSERT INTO referral_assessments SELECT (jsonb_populate_record(NULL::referral_assessments, to_jsonb(a) || jsonb_build_object(
             'id', {i}, 'referral_id', {r}, 'parties_must_not_meet', {keep_apart}, 'may_attend', '[]'::jsonb))).*
             FROM referral_assessments a, generate_series(1, {n}) g WHERE a.referral_id = '{id}' RETURNING id::text AS value",
             i = new("a.id"), r = new("a.referral_id")),
    ];
    for statement in &statements {
        assert!(!sql(w, statement).await.is_empty(), "{statement}");
    }
    let ids = sql(
        w,
        &format!(
            "SELECT {fid}::text AS value FROM generate_series(1, {n}) g ORDER BY g",
            fid = new(&format!("'family' || '{id}'"))
        ),
    )
    .await;
    assert_eq!(ids.len(), n);
    ids
}

#[tokio::test]
async fn fifty_bookings_at_once_fill_the_last_place_exactly() {
    let w = world().await;
    // One place is left of five: four families hold the others.
    let f = started(&w, "supported", 5).await;
    sql(&w, &format!("UPDATE referral_assessments SET parties_must_not_meet = false WHERE referral_id = '{}' RETURNING id::text AS value", f.id)).await;
    let date = fourth_or(&w, &f, 7).await;
    let families = copies(&w, &f, 54, false).await;
    let body = json!({"opening_session_id": f.slot, "date": date});
    let book = |family: &str| {
        let path = format!("/api/v1/families/{family}/contact-sessions");
        let (w, body) = (&w, &body);
        async move {
            w.app
                .send(Method::POST, Some(&w.coordinator), &path, Some(body))
                .await
                .status()
                .as_u16()
        }
    };
    for family in &families[..4] {
        assert_eq!(book(family).await, 201);
    }
    let all: Vec<u16> =
        futures_util::future::join_all(families[4..].iter().map(|fam| book(fam))).await;
    assert_eq!(all.len(), 50);
    assert_eq!(all.iter().filter(|s| **s == 201).count(), 1, "{all:?}");
    assert!(all.iter().all(|s| *s == 201 || *s == 409), "{all:?}");
    let taken = sql(&w, &format!(
        "SELECT count(*)::text AS value FROM contact_sessions WHERE opening_session_id = '{}' AND on_date = '{date}' AND status = 'scheduled'", f.slot)).await;
    assert_eq!(taken, ["5"]);
    // A cancellation frees the place for the next.
    let page = get(
        &w,
        &w.coordinator,
        &format!("/api/v1/families/{}/contact-sessions", families[0]),
        200,
    )
    .await;
    let id = s(&items(&page)[0]["id"]);
    post(
        &w,
        &w.coordinator,
        &format!(
            "/api/v1/families/{}/contact-sessions/{id}/cancel",
            families[0]
        ),
        json!({"reason": "Moved to another day"}),
        200,
    )
    .await;
    let again: Vec<u16> =
        futures_util::future::join_all(families[10..20].iter().map(|fam| book(fam))).await;
    assert_eq!(again.iter().filter(|s| **s == 201).count(), 1, "{again:?}");
}

#[tokio::test]
async fn do_not_meet_windows_never_overlap_across_families() {
    let w = world().await;
    let f = started(&w, "supported", 20).await;
    let date = fourth_or(&w, &f, 7).await;
    let others = copies(&w, &f, 12, true).await;
    let mut windows: Vec<Value> = Vec::new();
    let mut refused = None;
    for family in others.iter() {
        let path = format!("/api/v1/families/{family}/contact-sessions");
        let r = w
            .app
            .send(
                Method::POST,
                Some(&w.coordinator),
                &path,
                Some(&json!({"opening_session_id": f.slot, "date": date})),
            )
            .await;
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        match status {
            201 => windows.extend(
                body["booked"][0]["windows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .cloned(),
            ),
            409 => refused = Some(body),
            other => panic!("{other}: {body}"),
        }
    }
    // However many fit, no two families' windows share an entrance and a
    // minute.
    let minutes = |t: &Value| {
        let t = t.as_str().unwrap();
        t[..2].parse::<u32>().unwrap() * 60 + t[3..].parse::<u32>().unwrap()
    };
    let sessions: Vec<String> = sql(&w, &format!(
        "SELECT contact_session_id::text || ' ' || adult_id::text AS value FROM session_windows WHERE on_date = '{date}'")).await;
    assert!(
        sessions.len() >= 8,
        "several families fitted: {}",
        sessions.len()
    );
    let rows = sql(&w, &format!(
        "SELECT contact_session_id::text || '|' || entrance || '|' || to_char(starts, 'HH24:MI') || '|' || to_char(ends, 'HH24:MI') AS value
         FROM session_windows WHERE on_date = '{date}'")).await;
    let parsed: Vec<(String, String, u32, u32)> = rows
        .iter()
        .map(|r| {
            let p: Vec<&str> = r.split('|').collect();
            (
                p[0].into(),
                p[1].into(),
                minutes(&json!(p[2])),
                minutes(&json!(p[3])),
            )
        })
        .collect();
    for a in &parsed {
        for b in &parsed {
            if a.0 != b.0 && a.1 == b.1 {
                assert!(a.3 <= b.2 || b.3 <= a.2, "{a:?} overlaps {b:?}");
            }
        }
    }
    // The slot filled up: the next family is refused naming a time, never
    // another family.
    let refused = refused.expect("the two-hour slot cannot fit thirteen families kept apart");
    let detail = s(&refused["detail"]);
    assert!(
        detail.contains(':') && !detail.contains("Smith") && !detail.contains(&f.family),
        "{detail}"
    );
    assert!(!windows.is_empty());
}

#[tokio::test]
async fn lapsed_vetting_cannot_be_assigned() {
    let w = world().await;
    let f = prepared(&w, "supervised", 4).await;
    chris_agrees(&w, &f).await;
    let staff_id = s(&get(&w, &w.staff, "/api/v1/me", 200).await["id"]);
    let vetting = format!("/api/v1/users/{staff_id}/vetting");
    let arrangement = json!({"opening_session_id": f.slot, "frequency": "weekly", "first_on": f.first, "until": f.first, "staff_id": staff_id});
    // Someone who is not of the centre at all (no account, or the network
    // admin) is a bad field, named.
    let admin_id = s(&get(&w, &w.admin, "/api/v1/me", 200).await["id"]);
    for stranger in [uuid::Uuid::now_v7().to_string(), admin_id] {
        let mut asked = arrangement.clone();
        asked["staff_id"] = json!(stranger);
        let refused = start(&w, &f, asked, 422).await;
        assert_eq!(refused["errors"][0]["field"], "staff_id", "{refused}");
        assert_eq!(refused["errors"][0]["code"], "not_staff", "{refused}");
    }
    // No vetting recorded: not assigned.
    let none = start(&w, &f, arrangement.clone(), 409).await;
    assert!(s(&none["detail"]).contains("no session"), "{none}");
    // Vetting that lapses before the session: not assigned either.
    let today = uk_day(&w, 0).await;
    let lapses = uk_day(&w, 10).await;
    let body = |due: &str| {
        json!({"scheme": "dbs", "certificate_number": "001234567890", "issued_on": "2024-01-10",
        "renewal_due_on": due, "training": ["Safeguarding level 2"]})
    };
    // Staff do not record their own; an admin does not record staff's.
    call(
        &w,
        Method::PUT,
        &w.staff,
        &vetting,
        Some(body(&lapses)),
        403,
    )
    .await;
    call(
        &w,
        Method::PUT,
        &w.admin,
        &vetting,
        Some(body(&lapses)),
        403,
    )
    .await;
    let recorded = call(
        &w,
        Method::PUT,
        &w.coordinator,
        &vetting,
        Some(body(&lapses)),
        200,
    )
    .await;
    assert_eq!(recorded["current"], true);
    let bad = call(
        &w,
        Method::PUT,
        &w.coordinator,
        &vetting,
        Some(
            body(&today)
                .clone()
                .as_object()
                .unwrap()
                .clone()
                .into_iter()
                .chain([("issued_on".to_owned(), json!("2099-01-01"))])
                .collect(),
        ),
        422,
    )
    .await;
    assert!(bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["field"] == "issued_on"));
    start(&w, &f, arrangement.clone(), 409).await;
    // Current vetting: assigned, and theirs alone for the time.
    call(
        &w,
        Method::PUT,
        &w.coordinator,
        &vetting,
        Some(body("2029-01-10")),
        200,
    )
    .await;
    assert_eq!(
        get(&w, &w.staff, &vetting, 200).await["certificate_number"],
        "001234567890"
    );
    get(&w, &f.jo, &vetting, 404).await;
    let started = start(&w, &f, arrangement, 201).await;
    assert_eq!(started["booked"][0]["staff_id"], staff_id.as_str());
    let other = copies(&w, &f, 1, false).await.remove(0);
    let busy = post(
        &w,
        &w.coordinator,
        &format!("/api/v1/families/{other}/contact-sessions"),
        json!({"opening_session_id": f.slot, "date": f.first, "staff_id": staff_id}),
        409,
    )
    .await;
    assert!(s(&busy["detail"]).contains("another family"), "{busy}");
    // A one-to-one service needs someone; a supported one takes nobody.
    let nobody = post(
        &w,
        &w.coordinator,
        &format!("/api/v1/families/{other}/contact-sessions"),
        json!({"opening_session_id": f.slot, "date": f.first}),
        422,
    )
    .await;
    assert_eq!(nobody["errors"][0]["field"], "staff_id");
}

#[tokio::test]
async fn a_cancellation_tells_the_other_party_nothing_more() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    let page = get(&w, &f.chris, &sessions(&f), 200).await;
    let session = s(&items(&page)[0]["id"]);
    let cancel = format!("{}/{session}/cancel", sessions(&f));
    post(&w, &w.staff, &cancel, json!({"reason": "x"}), 403).await;
    post(&w, &f.chris, &cancel, json!({"reason": "  "}), 422).await;
    let cancelled = post(
        &w,
        &f.chris,
        &cancel,
        json!({"reason": "Working away that weekend"}),
        200,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        cancelled["cancellation"]["reason"],
        "Working away that weekend"
    );
    post(&w, &f.chris, &cancel, json!({"reason": "again"}), 409).await;
    // Jo is told at once, the date and nothing more.
    let told = w
        .app
        .outbox_payload("jo@example.org", "session_cancelled")
        .await;
    assert_eq!(told["contact_session_id"], session.as_str());
    assert!(!told.to_string().contains("Working away"));
    assert!(!w
        .app
        .outbox_payload("coord@penrith.example", "session_cancelled")
        .await
        .is_null());
    let jo_sees = get(&w, &f.jo, &sessions(&f), 200).await;
    let c = &items(&jo_sees)[0]["cancellation"];
    assert!(c["at"].is_string());
    assert!(c.get("reason").is_none() && c.get("by").is_none(), "{c}");
    // The centre sees who, why and the notice (three weeks: not late).
    let centre = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let c = &items(&centre)[0]["cancellation"];
    assert_eq!(
        (c["by"].as_str(), c["late"].as_bool()),
        (Some("party"), Some(false))
    );
    assert_eq!(c["reason"], "Working away that weekend");
    // The place is free again.
    let taken = sql(
        &w,
        &format!(
            "SELECT taken::text AS value FROM slot_places WHERE opening_session_id = '{}'",
            f.slot
        ),
    )
    .await;
    assert_eq!(taken, ["0"]);
}

#[tokio::test]
async fn referrers_never_see_the_parties_windows() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    let referrer = get(&w, &w.solicitor, &sessions(&f), 200).await;
    let one = &items(&referrer)[0];
    assert_eq!(
        (s(&one["starts"]), s(&one["ends"]), s(&one["status"])),
        ("10:00".into(), "12:00".into(), "scheduled".into())
    );
    assert!(one["windows"].as_array().unwrap().is_empty());
    assert!(one.get("staff_id").is_none());
    // Each party sees their own windows only.
    for (token, own, other) in [
        (&f.jo, &f.jo_id, &f.chris_id),
        (&f.chris, &f.chris_id, &f.jo_id),
    ] {
        let page = get(&w, token, &sessions(&f), 200).await;
        let windows = items(&page)[0]["windows"].as_array().unwrap().clone();
        assert_eq!(windows.len(), 2);
        assert!(windows.iter().all(|x| x["adult_id"] == own.as_str()));
        assert!(!page.to_string().contains(other.as_str()));
    }
    // Another firm, and an organisation client without `sessions:read`,
    // learn nothing.
    get(&w, &w.other_solicitor, &sessions(&f), 404).await;
    let admin_sees = get(&w, &w.admin, &sessions(&f), 403).await;
    assert_eq!(admin_sees["status"], 403);
    let client = crate::builders::integration_client(
        &w.app,
        &w.admin,
        json!({"organisation_id": w.organisation}),
        json!(["referrals:read"]),
    )
    .await;
    let token = crate::builders::client_token(&w.app, &client, None).await;
    get(&w, &token, &sessions(&f), 404).await;
    let reader = crate::builders::integration_client(
        &w.app,
        &w.admin,
        json!({"organisation_id": w.organisation}),
        json!(["sessions:read"]),
    )
    .await;
    let token = crate::builders::client_token(&w.app, &reader, None).await;
    let outline = get(&w, &token, &sessions(&f), 200).await;
    assert!(items(&outline)[0]["windows"].as_array().unwrap().is_empty());
    // A party whose identity was not checked sees no window.
    sql(&w, &format!("UPDATE pre_visits SET status = 'missed', identity_checked = false WHERE adult_id = '{}' RETURNING id::text AS value", f.chris_id)).await;
    let unchecked = get(&w, &f.chris, &sessions(&f), 200).await;
    assert!(items(&unchecked)[0]["windows"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_repeat_keeps_local_time_across_the_clock_change() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    // A Saturday slot across the last Sunday of March 2027.
    let (_, venue) = (
        0,
        s(&get(
            &w,
            &w.coordinator,
            &format!("/api/v1/centres/{}", w.supervised),
            200,
        )
        .await["venues"][0]["id"]),
    );
    let slot = post(
        &w,
        &w.coordinator,
        &format!("/api/v1/centres/{}/opening-sessions", w.supervised),
        json!({"venue_id": venue, "weekday": "saturday", "starts_at": "10:00", "ends_at": "12:00",
               "room": "Hall", "capacity": 4, "services": ["supported"]}),
        201,
    )
    .await;
    let booked = post(&w, &w.coordinator, &sessions(&f),
        json!({"opening_session_id": slot["id"], "date": "2027-03-20", "repeat": {"frequency": "weekly", "until": "2027-04-03"}}), 201).await;
    let got: Vec<(String, String, String)> = booked["booked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (s(&b["date"]), s(&b["starts"]), s(&b["starts_at"])))
        .collect();
    assert_eq!(
        got,
        [
            (
                "2027-03-20".into(),
                "10:00".into(),
                "2027-03-20T10:00:00Z".into()
            ),
            (
                "2027-03-27".into(),
                "10:00".into(),
                "2027-03-27T10:00:00Z".into()
            ),
            (
                "2027-04-03".into(),
                "10:00".into(),
                "2027-04-03T09:00:00Z".into()
            ),
        ]
    );
    let windows = booked["booked"][2]["windows"].as_array().unwrap();
    let jo_in = windows
        .iter()
        .find(|x| x["adult_id"] == f.jo_id.as_str() && x["kind"] == "arrives")
        .unwrap();
    assert_eq!(
        (s(&jo_in["starts"]), s(&jo_in["starts_at"])),
        ("10:00".into(), "2027-04-03T09:00:00Z".into())
    );
}
