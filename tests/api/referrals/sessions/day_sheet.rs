//! The day sheet: what the centre's people need on the day, and nothing
//! else (no address, no contact detail, no risk text not marked for staff).

use super::*;

/// An approved attendee with Jo, entered as the coordinators' decision
/// leaves it.
async fn approved_attendee(w: &World, f: &Family, name: &str) {
    sql(
        w,
        &format!(
            "INSERT INTO family_attendees (id, family_id, referral_id, accompanies, name, relation, why, \
             requested_by_user, requested_at, status, decided_at, confirmation_on) \
             SELECT gen_random_uuid(), '{}', '{}', '{}', '{name}', 'grandparent', 'Brings Alex', \
             user_id, now(), 'approved', now(), current_date FROM referral_adults \
             WHERE id = '{}' RETURNING id::text AS value",
            f.family, f.id, f.jo_id, f.jo_id
        ),
    )
    .await;
}

fn day_sheet(w: &World, date: &str) -> String {
    format!("/api/v1/centres/{}/day-sheet?date={date}", w.supervised)
}

#[tokio::test]
async fn the_day_sheet_shows_the_day_to_the_centre_and_no_address() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    // One risk statement is marked for staff; the parties' own are not.
    let risk = sql(
        &w,
        &format!(
            "SELECT id::text AS value FROM referral_risks WHERE referral_id = '{}' \
             AND details LIKE 'Referrer%'",
            f.id
        ),
    )
    .await
    .remove(0);
    let case = format!("/api/v1/referrals/{}", f.id);
    let tag = w.app.etag(&w.coordinator, &case).await;
    w.app
        .json_if_match(
            Method::PATCH,
            &w.coordinator,
            &format!("{case}/risks/{risk}"),
            &json!({"visible_to_staff": true}),
            &tag,
            200,
        )
        .await;
    approved_attendee(&w, &f, "Pat Smith").await;

    for token in [&w.staff, &w.coordinator] {
        let sheet = get(&w, token, &day_sheet(&w, &f.first), 200).await;
        assert_eq!(sheet["date"], f.first.as_str());
        let sessions = sheet["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 1, "{sheet}");
        let one = &sessions[0];
        assert_eq!(one["family_id"], f.family.as_str());
        assert_eq!(
            (s(&one["starts"]), s(&one["room"])),
            ("10:00".into(), "Hall".into())
        );
        assert_eq!(one["do_not_meet"], true);
        assert_eq!(one["children"][0]["name"], "Alex Smith");
        assert_eq!(one["children"][0]["needs"], "Asthma inhaler");
        let adults = one["adults"].as_array().unwrap();
        assert_eq!(adults.len(), 2);
        assert!(adults.iter().all(|a| a["attends"] == true));
        // In the referral's order, each with their part in the case.
        assert_eq!(adults[0]["id"], f.jo_id.as_str());
        assert_eq!(adults[1]["id"], f.chris_id.as_str());
        assert_ne!(adults[0]["party"], adults[1]["party"]);
        assert_eq!(one["children"].as_array().unwrap().len(), 1);
        assert_eq!(one["attendees"][0]["name"], "Pat Smith");
        assert_eq!(one["attendees"][0]["accompanies"], f.jo_id.as_str());
        // Both parties' windows, by separate entrances.
        let windows = one["windows"].as_array().unwrap();
        assert_eq!(windows.len(), 4);
        let entrance = |adult: &str| {
            windows
                .iter()
                .filter(|x| x["adult_id"] == adult)
                .map(|x| s(&x["entrance"]))
                .collect::<Vec<_>>()
        };
        assert_ne!(entrance(&f.jo_id), entrance(&f.chris_id));
        // Only the risk statement marked for staff.
        let risks: Vec<String> = one["risks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| s(&r["details"]))
            .collect();
        assert_eq!(risks, ["Referrer's note: history of arguments at handover"]);
        let text = sheet.to_string();
        for private in [
            "Home Street",
            "Other Road",
            "New Lane",
            "jo@example.org",
            "07700",
            "Chris's view",
            "Jo's view",
        ] {
            assert!(!text.contains(private), "{private} on the sheet: {text}");
        }
        assert!(one["observers"].as_array().unwrap().is_empty());
    }
    // Another day has nothing; a bad day is a 422 naming the field.
    let next = sql(
        &w,
        &format!("SELECT (DATE '{}' + 1)::text AS value", f.first),
    )
    .await
    .remove(0);
    let empty = get(&w, &w.staff, &day_sheet(&w, &next), 200).await;
    assert!(empty["sessions"].as_array().unwrap().is_empty());
    let bad = get(&w, &w.staff, &day_sheet(&w, "2026-02-30"), 422).await;
    assert_eq!(bad["errors"][0]["field"], "date", "{bad}");
    // A cancelled session stays on the sheet, marked, without its windows.
    let page = get(&w, &f.jo, &sessions(&f), 200).await;
    let session = s(&items(&page)[0]["id"]);
    post(
        &w,
        &f.jo,
        &format!("{}/{session}/cancel", sessions(&f)),
        json!({"reason": "Alex is unwell"}),
        200,
    )
    .await;
    let sheet = get(&w, &w.staff, &day_sheet(&w, &f.first), 200).await;
    assert_eq!(sheet["sessions"][0]["status"], "cancelled");
    assert!(sheet["sessions"][0]["windows"]
        .as_array()
        .unwrap()
        .is_empty());
    // Reads by people are audited.
    let audited = sql(
        &w,
        &format!(
            "SELECT count(*)::text AS value FROM audit_events WHERE action = 'read_day_sheet' \
             AND resource_id = '{}'",
            w.supervised
        ),
    )
    .await;
    assert_eq!(audited, ["4"]);
}

#[tokio::test]
async fn each_session_on_the_sheet_shows_its_own_family_only() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    let other = copies(&w, &f, 1, false).await.remove(0);
    let other_referral = sql(
        &w,
        &format!("SELECT referral_id::text AS value FROM families WHERE id = '{other}'"),
    )
    .await
    .remove(0);
    // The other family are the Joneses.
    for statement in [
        format!("UPDATE referral_children SET name = 'Sam Jones', needs = 'None known' WHERE referral_id = '{other_referral}' RETURNING id::text AS value"),
        format!("UPDATE referral_adults SET name = 'Lee Jones' WHERE referral_id = '{other_referral}' AND id IN (SELECT id FROM referral_adults WHERE referral_id = '{other_referral}' ORDER BY position LIMIT 1) RETURNING id::text AS value"),
        format!("UPDATE referral_adults SET name = 'Max Jones' WHERE referral_id = '{other_referral}' AND name <> 'Lee Jones' RETURNING id::text AS value"),
        // The Smiths have two statements marked for staff, the second
        // stated later; the Joneses one marked and one not.
        format!("UPDATE referral_risks SET visible_to_staff = true WHERE referral_id = '{}' AND details LIKE 'Referrer%' RETURNING id::text AS value", f.id),
        format!("INSERT INTO referral_risks (id, referral_id, kind, details, visible_to_staff, created_at) VALUES \
                 (gen_random_uuid(), '{}', 'other', 'Smith: second note for staff', true, now() + interval '1 minute'), \
                 (gen_random_uuid(), '{other_referral}', 'substance_misuse', 'Jones: note for staff', true, now()), \
                 (gen_random_uuid(), '{other_referral}', 'mental_health', 'Jones: not for staff', false, now()) \
                 RETURNING id::text AS value", f.id),
    ] {
        assert!(!sql(&w, &statement).await.is_empty(), "{statement}");
    }
    // Both families on one day, the Joneses booked second.
    let date = fourth_or(&w, &f, 7).await;
    for family in [f.family.as_str(), other.as_str()] {
        post(
            &w,
            &w.coordinator,
            &format!("/api/v1/families/{family}/contact-sessions"),
            json!({"opening_session_id": f.slot, "date": date}),
            201,
        )
        .await;
    }
    let sheet = get(&w, &w.staff, &day_sheet(&w, &date), 200).await;
    let sessions = sheet["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{sheet}");
    let names = |one: &Value, part: &str, field: &str| -> Vec<String> {
        one[part]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| s(&x[field]))
            .collect()
    };
    let smiths = sessions
        .iter()
        .find(|x| x["family_id"] == f.family.as_str())
        .unwrap();
    let joneses = sessions.iter().find(|x| x["family_id"] == other).unwrap();
    assert_eq!(names(smiths, "children", "name"), ["Alex Smith"]);
    assert_eq!(names(joneses, "children", "name"), ["Sam Jones"]);
    assert_eq!(names(joneses, "children", "needs"), ["None known"]);
    assert_eq!(names(joneses, "adults", "name"), ["Lee Jones", "Max Jones"]);
    assert!(names(smiths, "adults", "name")
        .iter()
        .all(|n| !n.contains("Jones")));
    assert_eq!(
        names(smiths, "risks", "details"),
        [
            "Referrer's note: history of arguments at handover",
            "Smith: second note for staff"
        ]
    );
    assert_eq!(names(smiths, "risks", "kind"), ["domestic_abuse", "other"]);
    assert_eq!(
        names(joneses, "risks", "details"),
        ["Jones: note for staff"]
    );
    assert_eq!(names(joneses, "risks", "kind"), ["substance_misuse"]);
    assert!(!sheet.to_string().contains("not for staff"), "{sheet}");
    // Each session's windows are its own family's adults'.
    for (one, adults) in [
        (smiths, names(smiths, "adults", "id")),
        (joneses, names(joneses, "adults", "id")),
    ] {
        let windows = names(one, "windows", "adult_id");
        assert!(!windows.is_empty());
        assert!(windows.iter().all(|a| adults.contains(a)), "{one}");
    }
}

#[tokio::test]
async fn only_the_centres_people_and_its_sessions_client_read_the_day_sheet() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    let path = day_sheet(&w, &f.first);
    for token in [&w.admin, &w.solicitor, &f.jo, &f.chris] {
        get(&w, token, &path, 403).await;
    }
    // The other centre's coordinator reads their own centre only.
    let (_, carlisle) = w
        .app
        .invite_and_login(
            &w.admin,
            "coord@carlisle.example",
            "coordinator",
            &[&w.supported_only],
        )
        .await;
    get(&w, &carlisle, &path, 403).await;
    let own = format!(
        "/api/v1/centres/{}/day-sheet?date={}",
        w.supported_only, f.first
    );
    let theirs = get(&w, &carlisle, &own, 200).await;
    assert!(theirs["sessions"].as_array().unwrap().is_empty());
    get(
        &w,
        &w.staff,
        &format!(
            "/api/v1/centres/{}/day-sheet?date={}",
            uuid::Uuid::now_v7(),
            f.first
        ),
        404,
    )
    .await;
    // The centre's client reads it with `sessions:read`, never without;
    // an organisation's client never.
    let token_of = |binding: Value, scopes: Value| {
        let w = &w;
        async move {
            // A centre's family scopes are its coordinator's to give.
            let maker = if binding.get("centre_id").is_some() {
                &w.coordinator
            } else {
                &w.admin
            };
            let client = crate::builders::integration_client(&w.app, maker, binding, scopes).await;
            crate::builders::client_token(&w.app, &client, None).await
        }
    };
    let reader = token_of(json!({"centre_id": w.supervised}), json!(["sessions:read"])).await;
    let sheet = get(&w, &reader, &path, 200).await;
    assert_eq!(sheet["sessions"].as_array().unwrap().len(), 1);
    let without = token_of(json!({"centre_id": w.supervised}), json!(["centres:read"])).await;
    get(&w, &without, &path, 403).await;
    let organisation = token_of(
        json!({"organisation_id": w.organisation}),
        json!(["sessions:read"]),
    )
    .await;
    get(&w, &organisation, &path, 403).await;
}

/// The text of an unauthenticated GET, with its status and content type.
async fn fetch(w: &World, path: &str) -> (u16, String, String) {
    let r = w.app.client.get(w.app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

#[tokio::test]
async fn a_calendar_feed_shows_a_party_their_own_times_until_revoked() {
    let w = world().await;
    let f = started(&w, "supported", 8).await;
    let feeds = format!("/api/v1/families/{}/calendar-feeds", f.family);
    // Only a party makes one, for themself.
    post(&w, &w.coordinator, &feeds, json!({}), 403).await;
    post(&w, &w.solicitor, &feeds, json!({}), 403).await;
    post(&w, &w.other_solicitor, &feeds, json!({}), 404).await;
    post(&w, &f.jo, &feeds, json!({"adult_id": f.chris_id}), 422).await;
    let made = post(&w, &f.jo, &feeds, json!({}), 201).await;
    let url = s(&made["url"]);
    assert_eq!(made["adult_id"], f.jo_id.as_str());
    let (status, kind, ics) = fetch(&w, &url).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("BEGIN:VEVENT"),
        "{ics}"
    );
    // Jo's own windows, never Chris's.
    let page = get(&w, &w.coordinator, &sessions(&f), 200).await;
    let windows = items(&page)[0]["windows"].as_array().unwrap().clone();
    let between = |adult: &str| {
        windows
            .iter()
            .filter(|x| x["adult_id"] == adult)
            .map(|x| format!("between {} and {}", s(&x["starts"]), s(&x["ends"])))
            .collect::<Vec<_>>()
    };
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        between(&f.jo_id)
            .iter()
            .all(|b| unfolded.contains(b.as_str())),
        "{unfolded}"
    );
    assert!(
        between(&f.chris_id)
            .iter()
            .all(|b| !unfolded.contains(b.as_str())),
        "{unfolded}"
    );
    assert!(!unfolded.contains("Chris"));
    // The list never shows the URL again; Chris sees only his own feeds and
    // cannot revoke Jo's.
    let listed = get(&w, &f.jo, &feeds, 200).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0].get("url").is_none());
    let revoke = format!("{feeds}/{}", s(&made["id"]));
    call(&w, Method::DELETE, &f.chris, &revoke, None, 404).await;
    call(&w, Method::DELETE, &f.jo, &revoke, None, 204).await;
    // A feed lives as long as its maker's access.
    let chris_feed = s(&post(&w, &f.chris, &feeds, json!({}), 201).await["url"]);
    assert_eq!(fetch(&w, &chris_feed).await.0, 200);
    let chris_id = s(&get(&w, &f.chris, "/api/v1/me", 200).await["id"]);
    sql(
        &w,
        &format!("UPDATE users SET status = 'disabled' WHERE id = '{chris_id}' RETURNING id::text AS value"),
    )
    .await;
    assert_eq!(fetch(&w, &chris_feed).await.0, 404);
    assert_eq!(fetch(&w, &url).await.0, 404);
    assert_eq!(fetch(&w, "/api/v1/calendar/not-a-feed.ics").await.0, 404);
}
