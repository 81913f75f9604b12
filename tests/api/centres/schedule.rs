//! Weekly opening sessions, closures and the dated openings they give.

use super::*;

#[tokio::test]
async fn opening_sessions_are_checked_and_a_room_holds_one_at_a_time() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = centre_with(
        &app,
        &admin,
        "Slot Centre",
        &["supported", "handover"],
        true,
    )
    .await;
    let (_, coordinator) = app
        .invite_and_login(&admin, "coord@slot.org", "coordinator", &[&centre])
        .await;
    let venue = venue_at(&app, &coordinator, &centre, 54.1, -3.0).await;
    let base = json!({"venue_id": venue, "weekday": "saturday", "starts_at": "10:00", "ends_at": "12:00",
        "room": "Main hall", "capacity": 8, "services": ["supported"], "effective_from": "2026-01-03"});
    let with = |changes: Value| {
        let mut body = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };

    let bad = [
        (json!({"ends_at": "09:00"}), "ends_at", "order"),
        (json!({"starts_at": "25:00"}), "starts_at", "time"),
        (json!({"capacity": 0}), "capacity", "range"),
        (json!({"weekday": "caturday"}), "weekday", "enum"),
        (json!({"services": ["teleport"]}), "services[0]", "enum"),
        (
            json!({"services": ["supervised"]}),
            "services[0]",
            "not_offered",
        ),
        (json!({"room": "Ballroom"}), "room", "unknown_room"),
        (
            json!({"effective_to": "2025-01-01"}),
            "effective_to",
            "order",
        ),
        (
            json!({"venue_id": uuid::Uuid::now_v7()}),
            "venue_id",
            "unknown_venue",
        ),
    ];
    for (changes, field, code) in bad {
        let response = slot(&app, &coordinator, &centre, with(changes.clone())).await;
        assert_eq!(response.status(), 422, "{changes}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            error_fields(&problem),
            [(field.to_owned(), code.to_owned())],
            "{changes}"
        );
    }
    let none = app
        .query_texts("SELECT count(*)::text AS value FROM opening_sessions")
        .await;
    assert_eq!(none, ["0"], "nothing is written by a refused request");

    let first = slot(&app, &coordinator, &centre, base.clone()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    // Overlapping in the same room is refused, naming the slot in the way.
    let clash = slot(
        &app,
        &coordinator,
        &centre,
        with(json!({"starts_at": "11:30", "ends_at": "13:00"})),
    )
    .await;
    assert_eq!(clash.status(), 422);
    let problem: Value = clash.json().await.unwrap();
    assert_eq!(
        error_fields(&problem),
        [("starts_at".to_owned(), "overlap".to_owned())]
    );
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains(first["id"].as_str().unwrap()));
    // Back to back, another room, or after the first ends, is fine.
    for changes in [
        json!({"starts_at": "12:00", "ends_at": "13:00"}),
        json!({"room": "Family room", "services": ["handover"]}),
        json!({"weekday": "sunday"}),
    ] {
        assert_eq!(
            slot(&app, &coordinator, &centre, with(changes.clone()))
                .await
                .status(),
            201,
            "{changes}"
        );
    }
    let path = format!(
        "/api/v1/centres/{centre}/opening-sessions/{}",
        first["id"].as_str().unwrap()
    );
    // Ending the first slot frees its room afterwards.
    let ended = app
        .json_of(
            Method::PATCH,
            Some(&coordinator),
            &path,
            Some(&json!({"effective_to": "2026-06-27"})),
            200,
        )
        .await;
    assert_eq!(ended["effective_to"], "2026-06-27");
    let later = with(json!({"effective_from": "2026-07-04"}));
    assert_eq!(slot(&app, &coordinator, &centre, later).await.status(), 201);

    // A service a slot offers cannot be withdrawn from the centre; a room in use
    // cannot be removed from the venue.
    let withdraw = app
        .json_of(
            Method::PATCH,
            Some(&coordinator),
            &format!("/api/v1/centres/{centre}"),
            Some(&json!({"services": ["supported"]})),
            422,
        )
        .await;
    assert_eq!(
        error_fields(&withdraw),
        [("services".to_owned(), "in_use".to_owned())]
    );
    let rooms = app
        .json_of(
            Method::PATCH,
            Some(&coordinator),
            &format!("/api/v1/centres/{centre}/venues/{venue}"),
            Some(&json!({"rooms": ["Main hall"]})),
            422,
        )
        .await;
    assert_eq!(
        error_fields(&rooms),
        [("rooms".to_owned(), "in_use".to_owned())]
    );

    app.json_of(Method::DELETE, Some(&coordinator), &path, None, 204)
        .await;
    app.json_of(Method::DELETE, Some(&coordinator), &path, None, 404)
        .await;
}

#[tokio::test]
async fn openings_are_the_weekly_slots_on_their_dates_without_closures() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = centre_with(&app, &admin, "Dated Centre", &["supported"], true).await;
    let hall = venue_at(&app, &admin, &centre, 54.1, -3.0).await;
    let chapel = venue_at(&app, &admin, &centre, 54.2, -3.0).await;
    for venue in [&hall, &chapel] {
        let created = slot(&app, &admin, &centre, json!({"venue_id": venue, "weekday": "saturday", "starts_at": "10:00",
            "ends_at": "12:00", "room": "Main hall", "capacity": 8, "services": ["supported"], "effective_from": "2026-11-01"}))
            .await;
        assert_eq!(created.status(), 201);
    }
    let closures = format!("/api/v1/centres/{centre}/closures");
    app.json_of(
        Method::POST,
        Some(&admin),
        &closures,
        Some(&json!({"starts_on": "2026-12-24", "ends_on": "2027-01-01", "reason": "Christmas"})),
        201,
    )
    .await;
    let hall_closure = app
        .json_of(
            Method::POST,
            Some(&admin),
            &closures,
            Some(&json!({"venue_id": hall, "starts_on": "2026-12-05", "reason": "Hall booked"})),
            201,
        )
        .await;
    let bad = app
        .json_of(
            Method::POST,
            Some(&admin),
            &closures,
            Some(&json!({"starts_on": "2026-12-05", "ends_on": "2026-12-01", "reason": "x"})),
            422,
        )
        .await;
    assert_eq!(
        error_fields(&bad),
        [("ends_on".to_owned(), "order".to_owned())]
    );

    let openings = app
        .json_of(
            Method::GET,
            None,
            &format!("/api/v1/centres/{centre}/openings?from=2026-12-01&to=2026-12-31"),
            None,
            200,
        )
        .await;
    let got: Vec<(String, String)> = openings["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["date"].as_str().unwrap().to_owned(),
                o["venue_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut expected = vec![
        ("2026-12-05".to_owned(), chapel.clone()),
        ("2026-12-12".to_owned(), hall.clone()),
        ("2026-12-12".to_owned(), chapel.clone()),
        ("2026-12-19".to_owned(), hall.clone()),
        ("2026-12-19".to_owned(), chapel.clone()),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    expected.sort();
    assert_eq!(got_sorted, expected);
    assert_eq!(openings["items"][0]["weekday"], "saturday");

    // Removing the hall's closure brings 5 December back.
    let path = format!("{closures}/{}", hall_closure["id"].as_str().unwrap());
    app.json_of(Method::DELETE, Some(&admin), &path, None, 204)
        .await;
    let openings = app
        .json_of(
            Method::GET,
            None,
            &format!("/api/v1/centres/{centre}/openings?from=2026-12-05&to=2026-12-05"),
            None,
            200,
        )
        .await;
    assert_eq!(openings["items"].as_array().unwrap().len(), 2);

    for bad in [
        "from=9999-12-31",
        "from=-5000-01-01&to=-5000-01-02",
        "from=2026-13-01",
    ] {
        let problem = app
            .json_of(
                Method::GET,
                None,
                &format!("/api/v1/centres/{centre}/openings?{bad}"),
                None,
                422,
            )
            .await;
        assert_eq!(problem["errors"][0]["code"], "date", "{bad}");
    }
    let too_long = app
        .json_of(
            Method::GET,
            None,
            &format!("/api/v1/centres/{centre}/openings?from=2026-01-01&to=2026-12-31"),
            None,
            422,
        )
        .await;
    assert_eq!(
        error_fields(&too_long),
        [("to".to_owned(), "range".to_owned())]
    );
}

/// Coordinators saving the same room at the same time: writes to a centre's
/// schedule take a lock on the centre's row, so each sees the slots saved
/// before it and exactly one wins; the others get the plain clash's 422. Under
/// the lock, the database's exclusion constraint holds the rule for any writer.
#[tokio::test]
async fn racing_writers_cannot_double_book_a_room() {
    let app = crate::helpers::spawn_app_with(&[("DB_POOL_SIZE", "8")]).await;
    let admin = app.admin_token().await;
    let centre = centre_with(&app, &admin, "Race Centre", &["supported"], true).await;
    let (_, coordinator) = app
        .invite_and_login(&admin, "coord@race.org", "coordinator", &[&centre])
        .await;
    let venue = venue_at(&app, &coordinator, &centre, 54.1, -3.0).await;
    let attempts = (0..8).map(|i| {
        // Each overlaps every other: 10:00 to 12:00 shifted by i minutes.
        let body = json!({"venue_id": venue, "weekday": "saturday", "starts_at": format!("10:0{i}"),
            "ends_at": "12:00", "room": "Main hall", "capacity": 8, "services": ["supported"],
            "effective_from": "2026-01-03"});
        let (app, coordinator, centre) = (&app, &coordinator, &centre);
        async move {
            let response = slot(app, coordinator, centre, body).await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 422, "{body}");
        assert_eq!(
            error_fields(body),
            [("starts_at".to_owned(), "overlap".to_owned())]
        );
    }
    let stored = app
        .query_texts("SELECT count(*)::text AS value FROM opening_sessions")
        .await;
    assert_eq!(stored, ["1"]);
    // The rule is the database's own, whoever writes.
    let mut conn = app.pool.get().await.unwrap();
    let direct = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO opening_sessions (id, centre_id, venue_id, weekday, starts_at, ends_at, room, \
             capacity, services, effective_from) \
             SELECT gen_random_uuid(), centre_id, venue_id, weekday, starts_at + interval '1 hour', \
             ends_at + interval '1 hour', room, capacity, services, effective_from FROM opening_sessions",
        ),
        &mut conn,
    )
    .await
    .unwrap_err();
    assert!(
        direct.to_string().contains("opening_sessions_no_overlap"),
        "{direct}"
    );
}

/// A centre's weekly slots and closures are pages like every other list:
/// slots by weekday and start, closures by start date, each cursor good for
/// its own list of its own centre.
#[tokio::test]
async fn slots_and_closures_are_listed_in_pages_in_order() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = centre_with(&app, &admin, "Paged Centre", &["supported"], true).await;
    let other = centre_with(&app, &admin, "Other Centre", &["supported"], true).await;
    let venue = venue_at(&app, &admin, &centre, 54.1, -3.0).await;
    for (weekday, starts, ends) in [
        ("sunday", "09:00", "10:00"),
        ("monday", "14:00", "15:00"),
        ("monday", "09:00", "10:00"),
    ] {
        let body = json!({"venue_id": venue, "weekday": weekday, "starts_at": starts, "ends_at": ends,
            "room": "Main hall", "capacity": 8, "services": ["supported"], "effective_from": "2026-01-05"});
        assert_eq!(slot(&app, &admin, &centre, body).await.status(), 201);
    }
    let closures = format!("/api/v1/centres/{centre}/closures");
    for day in ["2027-05-03", "2026-12-25", "2027-01-01"] {
        app.json_of(
            Method::POST,
            Some(&admin),
            &closures,
            Some(&json!({"starts_on": day, "reason": "Bank holiday"})),
            201,
        )
        .await;
    }
    let read_all = |path: String, field: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let mut seen = Vec::new();
            let mut query = "?limit=2".to_owned();
            let mut pages = 0;
            loop {
                let page = app
                    .json_of(
                        Method::GET,
                        Some(admin),
                        &format!("{path}{query}"),
                        None,
                        200,
                    )
                    .await;
                pages += 1;
                for item in page["items"].as_array().unwrap() {
                    seen.push(
                        format!(
                            "{} {}",
                            item[field].as_str().unwrap_or_default(),
                            item["starts_at"].as_str().unwrap_or_default()
                        )
                        .trim()
                        .to_owned(),
                    );
                }
                match page["next_cursor"].as_str() {
                    Some(c) => query = format!("?limit=2&cursor={c}"),
                    None => break (seen, pages, query),
                }
            }
        }
    };
    let slots = format!("/api/v1/centres/{centre}/opening-sessions");
    let (seen, pages, _) = read_all(slots.clone(), "weekday").await;
    assert_eq!(seen, ["monday 09:00", "monday 14:00", "sunday 09:00"]);
    assert_eq!(pages, 2);
    let (seen, pages, _) = read_all(closures.clone(), "starts_on").await;
    assert_eq!(seen, ["2026-12-25", "2027-01-01", "2027-05-03"]);
    assert_eq!(pages, 2);

    // A cursor is good for its own list of its own centre only.
    let first = app
        .json_of(
            Method::GET,
            Some(&admin),
            &format!("{closures}?limit=1"),
            None,
            200,
        )
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    for path in [
        format!("{slots}?cursor={cursor}"),
        format!("/api/v1/centres/{other}/closures?cursor={cursor}"),
    ] {
        let refused = app
            .json_of(Method::GET, Some(&admin), &path, None, 422)
            .await;
        assert_eq!(refused["errors"][0]["field"], "cursor", "{path}");
    }
}
