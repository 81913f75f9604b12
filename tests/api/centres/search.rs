//! Finding the nearest centre that offers a service, on every instance.

use super::*;

#[tokio::test]
async fn search_orders_centres_by_the_distance_of_their_nearest_venue() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    // From (54.0, -3.0): 0.1 degree of latitude is 6371.0088 km x 0.1 x pi/180 =
    // 11.12 km; 0.2 degree of longitude at 54 N is 22.24 km x cos 54 = 13.07 km;
    // 0.3 degree of latitude is 33.36 km.
    let north = centre_with(&app, &admin, "North Centre", &["supported"], true).await;
    venue_at(&app, &admin, &north, 54.1, -3.0).await;
    let east = centre_with(
        &app,
        &admin,
        "East Centre",
        &["supported", "supervised"],
        false,
    )
    .await;
    venue_at(&app, &admin, &east, 54.0, -2.8).await;
    let far = centre_with(
        &app,
        &admin,
        "Far Centre",
        &["supported", "supervised"],
        true,
    )
    .await;
    // Its nearest venue counts, not its first.
    venue_at(&app, &admin, &far, 55.5, -3.0).await;
    venue_at(&app, &admin, &far, 54.3, -3.0).await;

    let page = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?lat=54.0&lon=-3.0",
            None,
            200,
        )
        .await;
    assert_eq!(names(&page), ["North Centre", "East Centre", "Far Centre"]);
    let distances: Vec<f64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["distance_km"].as_f64().unwrap())
        .collect();
    assert_eq!(distances, [11.12, 13.07, 33.36]);
    assert_eq!(page["items"][2]["venue"]["latitude"], 54.3);
    assert_eq!(page["origin"]["latitude"], 54.0);
    assert!(page["attribution"]
        .as_str()
        .unwrap()
        .contains("Crown copyright"));

    // Filters: the service, self-referrals, a radius.
    let supervised = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?service=supervised&lat=54.0&lon=-3.0",
            None,
            200,
        )
        .await;
    assert_eq!(names(&supervised), ["East Centre", "Far Centre"]);
    let self_referral = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?service=supervised&self_referral=true&lat=54&lon=-3",
            None,
            200,
        )
        .await;
    assert_eq!(names(&self_referral), ["Far Centre"]);
    let near = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?radius_km=20&lat=54&lon=-3",
            None,
            200,
        )
        .await;
    assert_eq!(names(&near), ["North Centre", "East Centre"]);

    // Pages follow on without repeats, nearest first.
    let first = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?lat=54&lon=-3&limit=2",
            None,
            200,
        )
        .await;
    assert_eq!(names(&first), ["North Centre", "East Centre"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .json_of(
            Method::GET,
            None,
            &format!("/api/v1/centres?lat=54&lon=-3&limit=2&cursor={cursor}"),
            None,
            200,
        )
        .await;
    assert_eq!(names(&second), ["Far Centre"]);
    assert!(second["next_cursor"].is_null());

    // Without a location: alphabetical, no distance.
    let by_name = app
        .json_of(Method::GET, None, "/api/v1/centres", None, 200)
        .await;
    assert_eq!(
        names(&by_name),
        ["East Centre", "Far Centre", "North Centre"]
    );
    assert!(by_name["items"][0]["distance_km"].is_null());
    assert!(by_name["origin"].is_null());
}

#[tokio::test]
async fn open_on_finds_centres_with_a_slot_that_day_for_the_service() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let saturday = centre_with(
        &app,
        &admin,
        "Saturday Centre",
        &["supported", "supervised"],
        true,
    )
    .await;
    let venue = venue_at(&app, &admin, &saturday, 54.1, -3.0).await;
    let created = slot(
        &app,
        &admin,
        &saturday,
        json!({"venue_id": venue, "weekday": "saturday", "starts_at": "10:00",
        "ends_at": "12:00", "room": "Main hall", "capacity": 8, "services": ["supported"]}),
    )
    .await;
    assert_eq!(created.status(), 201);
    let wednesday = centre_with(&app, &admin, "Wednesday Centre", &["supported"], true).await;
    let venue = venue_at(&app, &admin, &wednesday, 54.2, -3.0).await;
    let created = slot(
        &app,
        &admin,
        &wednesday,
        json!({"venue_id": venue, "weekday": "wednesday", "starts_at": "16:00",
        "ends_at": "18:00", "room": "Main hall", "capacity": 6, "services": ["supported"]}),
    )
    .await;
    assert_eq!(created.status(), 201);

    let on = |day: &str, service: &str| {
        format!("/api/v1/centres?lat=54&lon=-3&open_on={day}&service={service}")
    };
    let sat = app
        .json_of(Method::GET, None, &on("saturday", "supported"), None, 200)
        .await;
    assert_eq!(names(&sat), ["Saturday Centre"]);
    let wed = app
        .json_of(Method::GET, None, &on("wednesday", "supported"), None, 200)
        .await;
    assert_eq!(names(&wed), ["Wednesday Centre"]);
    // Saturday Centre offers supervised contact, but no Saturday slot offers it.
    let sat_supervised = app
        .json_of(Method::GET, None, &on("saturday", "supervised"), None, 200)
        .await;
    assert!(names(&sat_supervised).is_empty());
}

#[tokio::test]
async fn a_supported_only_centre_is_never_found_for_supervised_contact_in_the_demo_directory() {
    let app = spawn_app().await;
    let loaded = ccc::centres::demo::seed(&app.database_url, false)
        .await
        .unwrap();
    assert!(loaded.starts_with("loaded the demo directory"), "{loaded}");
    let again = ccc::centres::demo::seed(&app.database_url, true)
        .await
        .unwrap();
    assert!(
        again.starts_with("demo directory already loaded"),
        "{again}"
    );

    // Every page of supervised centres near Carlisle, by district.
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    let mut last = 0.0;
    loop {
        let mut path = "/api/v1/centres?service=supervised&postcode=CA1&limit=100".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.json_of(Method::GET, None, &path, None, 200).await;
        assert_eq!(page["origin"]["postcode"], "CA1");
        assert_eq!(page["origin"]["precision"], "district");
        for item in page["items"].as_array().unwrap() {
            let services: Vec<&str> = item["services"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert!(services.contains(&"supervised"), "{item}");
            let d = item["distance_km"].as_f64().unwrap();
            assert!(d >= last, "not nearest first: {d} after {last}");
            last = d;
            seen.push(item["name"].as_str().unwrap().to_owned());
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    assert!(seen.len() > 100, "{}", seen.len());
    assert!(!seen.iter().any(|n| n == "Carlisle Child Contact Centre"));
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "a centre was repeated across pages"
    );
    // Carlisle is found for the services it offers, nearest of all to CA1.
    let supported = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?service=handover&postcode=ca1&limit=3",
            None,
            200,
        )
        .await;
    assert!(
        names(&supported)
            .iter()
            .any(|n| n == "Carlisle Child Contact Centre"),
        "{supported}"
    );
    // Northern Ireland centres are placed by coordinates.
    let belfast = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?lat=54.6&lon=-5.93&limit=1",
            None,
            200,
        )
        .await;
    assert_eq!(names(&belfast), ["Belfast Child Contact Centre"]);
    assert!(belfast["items"][0]["venue"]["postcode"].is_null());
}

#[tokio::test]
async fn search_answers_carry_an_etag_and_a_matching_if_none_match_gets_304() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = centre_with(&app, &admin, "Tagged Centre", &["supported"], true).await;
    venue_at(&app, &admin, &centre, 54.1, -3.0).await;
    let path = "/api/v1/centres?service=supported&lat=54&lon=-3";
    let first = app.get(path).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers()["cache-control"], "public, no-cache");

    let again = app
        .client
        .get(app.url(path))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.text().await.unwrap().is_empty());

    // A change to the directory changes the tag.
    app.json_of(
        Method::PATCH,
        Some(&admin),
        &format!("/api/v1/centres/{centre}"),
        Some(&json!({"accepts_self_referrals": false})),
        200,
    )
    .await;
    let changed = app
        .client
        .get(app.url(path))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn search_parameters_are_checked_one_by_one() {
    let app = spawn_app().await;
    let problem = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?service=teleport&open_on=caturday&lat=70&radius_km=0",
            None,
            422,
        )
        .await;
    let fields: Vec<String> = error_fields(&problem).into_iter().map(|(f, _)| f).collect();
    for field in ["service", "open_on", "lat", "lon", "radius_km"] {
        assert!(
            fields.iter().any(|f| f == field),
            "{field} missing from {problem}"
        );
    }
    let malformed = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?postcode=CA1-1AA",
            None,
            422,
        )
        .await;
    assert_eq!(
        error_fields(&malformed),
        [("postcode".to_owned(), "postcode".to_owned())]
    );
    let unknown = app
        .json_of(Method::GET, None, "/api/v1/centres?postcode=ZZ9", None, 422)
        .await;
    assert_eq!(unknown["type"], "/problems/unknown-postcode");
    let bad_cursor = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?cursor=nonsense",
            None,
            422,
        )
        .await;
    assert_eq!(error_fields(&bad_cursor)[0].0, "cursor");
}

/// Polls a search until `check` holds, for at most two seconds.
async fn eventually(app: &TestApp, path: &str, check: impl Fn(&Value) -> bool) -> Value {
    let started = std::time::Instant::now();
    loop {
        let page = app.json_of(Method::GET, None, path, None, 200).await;
        if check(&page) || started.elapsed() > std::time::Duration::from_secs(2) {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn every_instance_searches_the_directory_as_the_database_has_it() {
    // Three instances on one database, each with its own copy of the directory:
    // `a` writes, `strict` asks the database on every search, `b` at most every
    // 250 ms (the default).
    let a = spawn_app().await;
    let strict =
        crate::helpers::spawn_app_on(&a.database_url, &[("DIRECTORY_RECHECK_MS", "0")]).await;
    let b = crate::helpers::spawn_app_on(&a.database_url, &[]).await;
    let search = "/api/v1/centres?service=supported&lat=54&lon=-3";
    // Each instance holds an (empty) snapshot before the change.
    for app in [&a, &strict, &b] {
        assert!(names(&app.json_of(Method::GET, None, search, None, 200).await).is_empty());
    }
    let admin = a.admin_token().await;
    let centre = centre_with(&a, &admin, "Shared Centre", &["supported"], true).await;
    venue_at(&a, &admin, &centre, 54.1, -3.0).await;
    // The writing instance and the strict one see it at once; the other within
    // its recheck interval.
    assert_eq!(
        names(&a.json_of(Method::GET, None, search, None, 200).await),
        ["Shared Centre"]
    );
    assert_eq!(
        names(&strict.json_of(Method::GET, None, search, None, 200).await),
        ["Shared Centre"]
    );
    let seen = eventually(&b, search, |p| !names(p).is_empty()).await;
    assert_eq!(names(&seen), ["Shared Centre"]);

    a.json_of(
        Method::PATCH,
        Some(&admin),
        &format!("/api/v1/centres/{centre}"),
        Some(&json!({"services": ["handover"]})),
        200,
    )
    .await;
    assert!(names(&strict.json_of(Method::GET, None, search, None, 200).await).is_empty());
    let gone = eventually(&b, search, |p| names(p).is_empty()).await;
    assert!(names(&gone).is_empty());
    let moved = venue_at(&a, &admin, &centre, 54.0, -3.1).await;
    let handover = strict
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?service=handover&lat=54&lon=-3",
            None,
            200,
        )
        .await;
    assert_eq!(handover["items"][0]["venue"]["id"], moved.as_str());
}
