//! The centres directory: entries, venues, opening times, finding the nearest
//! centre, who sees what, and the rules that refuse bad input.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

async fn centre_with(
    app: &TestApp,
    admin: &str,
    name: &str,
    services: &[&str],
    self_referrals: bool,
) -> String {
    let body = json!({
        "name": name,
        "services": services,
        "accepts_self_referrals": self_referrals,
        "accreditation": {"body": "NACCC", "status": "accredited", "accredited_on": "2025-01-01", "expires_on": "2028-01-01"},
    });
    let centre = app
        .json_of(
            Method::POST,
            Some(admin),
            "/api/v1/centres",
            Some(&body),
            201,
        )
        .await;
    centre["id"].as_str().unwrap().to_owned()
}

/// A venue placed by coordinates (no postcode), with two rooms.
async fn venue_at(
    app: &TestApp,
    token: &str,
    centre: &str,
    latitude: f64,
    longitude: f64,
) -> String {
    let body = json!({
        "name": format!("Hall at {latitude},{longitude}"),
        "address_line1": "1 Church Road",
        "town": "Somewhere",
        "latitude": latitude,
        "longitude": longitude,
        "rooms": ["Main hall", "Family room"],
        "separate_entrances": true,
    });
    let path = format!("/api/v1/centres/{centre}/venues");
    let venue = app
        .json_of(Method::POST, Some(token), &path, Some(&body), 201)
        .await;
    venue["id"].as_str().unwrap().to_owned()
}

async fn slot(app: &TestApp, token: &str, centre: &str, body: Value) -> reqwest::Response {
    app.send(
        Method::POST,
        Some(token),
        &format!("/api/v1/centres/{centre}/opening-sessions"),
        Some(&body),
    )
    .await
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

fn error_fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap().to_owned(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

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

#[tokio::test]
async fn postcodes_are_read_however_typed_and_districts_resolve_without_the_full_table() {
    let app = spawn_app().await;
    // Test databases carry the district centroids only (from the migration).
    let ca1 = app
        .json_of(Method::GET, None, "/api/v1/postcodes/ca1", None, 200)
        .await;
    assert_eq!(ca1["postcode"], "CA1");
    assert_eq!(ca1["precision"], "district");
    let (lat, lon) = (
        ca1["latitude"].as_f64().unwrap(),
        ca1["longitude"].as_f64().unwrap(),
    );
    assert!(
        (54.85..54.92).contains(&lat) && (-2.95..-2.87).contains(&lon),
        "{ca1}"
    );
    assert!(ca1["easting"].as_i64().unwrap() > 330_000);
    // A full postcode falls back to its district until the full table is imported.
    let unit = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/postcodes/%20ca1%201aa%20",
            None,
            200,
        )
        .await;
    assert_eq!(unit["postcode"], "CA1 1AA");
    assert_eq!(unit["precision"], "district");

    let malformed = app
        .json_of(Method::GET, None, "/api/v1/postcodes/CA1-1AA", None, 422)
        .await;
    assert_eq!(
        error_fields(&malformed),
        [("postcode".to_owned(), "postcode".to_owned())]
    );
    let unknown = app
        .json_of(Method::GET, None, "/api/v1/postcodes/ZZ99ZZ", None, 404)
        .await;
    assert_eq!(unknown["type"], "/problems/unknown-postcode");
    assert!(unknown["detail"].as_str().unwrap().contains("ZZ9 9ZZ"));
}

#[tokio::test]
async fn importing_postcodes_is_all_or_nothing_and_can_be_repeated() {
    let app = spawn_app().await;
    let dir = std::env::temp_dir().join(format!("ccc-postcodes-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "postcode,positional_quality,easting,northing\n\
         CA1 1AA,10,339560,555499\n\
         SW1A 1AA,10,529090,179645\n\
         CA1 1AB,90,0,0\n",
    )
    .unwrap();
    for _ in 0..2 {
        let report = ccc::postcodes::import::import(&app.database_url, &good)
            .await
            .unwrap();
        assert_eq!(
            (
                report.postcodes,
                report.without_coordinates,
                report.districts
            ),
            (3, 1, 2)
        );
    }
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM postcodes")
        .await;
    assert_eq!(count, ["3"]);
    // Buckingham Palace, within 5 m of its published WGS84 position (51.501009, -0.141588).
    let palace = app
        .json_of(Method::GET, None, "/api/v1/postcodes/sw1a1aa", None, 200)
        .await;
    assert_eq!(palace["precision"], "unit");
    assert!(
        (palace["latitude"].as_f64().unwrap() - 51.501009).abs() < 0.00005,
        "{palace}"
    );
    assert!(
        (palace["longitude"].as_f64().unwrap() + 0.141588).abs() < 0.00007,
        "{palace}"
    );
    // A venue at an imported postcode is placed at it, and takes no coordinates.
    let admin = app.admin_token().await;
    let centre = centre_with(&app, &admin, "Imported Centre", &["supported"], true).await;
    let venues = format!("/api/v1/centres/{centre}/venues");
    let body = json!({"name": "Hall", "address_line1": "1 Road", "town": "Carlisle", "rooms": ["Hall"], "postcode": "CA1 1AA"});
    let placed = app
        .json_of(Method::POST, Some(&admin), &venues, Some(&body), 201)
        .await;
    assert_eq!(placed["location_source"], "postcode");
    let mut with_coordinates = body.clone();
    with_coordinates["latitude"] = json!(54.9);
    with_coordinates["longitude"] = json!(-2.9);
    let problem = app
        .json_of(
            Method::POST,
            Some(&admin),
            &venues,
            Some(&with_coordinates),
            422,
        )
        .await;
    assert_eq!(
        error_fields(&problem),
        [("latitude".to_owned(), "not_allowed".to_owned())]
    );
    // Once imported, an unknown unit is unknown, not its district.
    app.json_of(Method::GET, None, "/api/v1/postcodes/CA1%209ZZ", None, 404)
        .await;
    // A known postcode without coordinates falls back to its district.
    let unpositioned = app
        .json_of(Method::GET, None, "/api/v1/postcodes/CA11AB", None, 200)
        .await;
    assert_eq!(unpositioned["precision"], "district");

    // A bad row anywhere fails the import and leaves the table as it was.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "postcode,positional_quality,easting,northing\nM1 1AE,10,384000,398000\nNOT A POSTCODE,10,1,1\n").unwrap();
    let err = ccc::postcodes::import::import(&app.database_url, &bad)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM postcodes")
        .await;
    assert_eq!(count, ["3"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_public_see_active_centres_and_a_centres_own_people_see_more() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = centre_with(&app, &admin, "Viewed Centre", &["supported"], true).await;
    venue_at(&app, &admin, &centre, 54.1, -3.0).await;
    let (_, coordinator) = app
        .invite_and_login(&admin, "coord@viewed.org", "coordinator", &[&centre])
        .await;
    let (_, staff) = app
        .invite_and_login(&coordinator, "staff@viewed.org", "staff", &[&centre])
        .await;
    let other = app.create_centre(&admin, "Other Centre").await;
    let (_, stranger) = app
        .invite_and_login(&admin, "coord@other.org", "coordinator", &[&other])
        .await;
    let path = format!("/api/v1/centres/{centre}");

    let public = app.json_of(Method::GET, None, &path, None, 200).await;
    assert!(public["venues"][0].get("rooms").is_none(), "{public}");
    let inside = app
        .json_of(Method::GET, Some(&staff), &path, None, 200)
        .await;
    assert_eq!(
        inside["venues"][0]["rooms"],
        json!(["Main hall", "Family room"])
    );
    let outside = app
        .json_of(Method::GET, Some(&stranger), &path, None, 200)
        .await;
    assert!(outside["venues"][0].get("rooms").is_none());

    // Weekly slots and closures are for the centre's own people.
    app.json_of(
        Method::GET,
        Some(&stranger),
        &format!("{path}/opening-sessions"),
        None,
        403,
    )
    .await;
    app.json_of(
        Method::GET,
        Some(&stranger),
        &format!("{path}/closures"),
        None,
        403,
    )
    .await;
    app.json_of(
        Method::GET,
        Some(&staff),
        &format!("{path}/opening-sessions"),
        None,
        200,
    )
    .await;

    // Staff and other coordinators cannot change it; its coordinator can.
    let edit = json!({"description": "Saturdays in the church hall"});
    app.json_of(Method::PATCH, Some(&staff), &path, Some(&edit), 403)
        .await;
    app.json_of(Method::PATCH, Some(&stranger), &path, Some(&edit), 403)
        .await;
    let edited = app
        .json_of(Method::PATCH, Some(&coordinator), &path, Some(&edit), 200)
        .await;
    assert_eq!(edited["description"], "Saturdays in the church hall");
    // Accreditation and status are the network's.
    let accreditation =
        json!({"body": "NACCC", "status": "accredited", "expires_on": "2029-01-01"});
    app.json_of(
        Method::PUT,
        Some(&coordinator),
        &format!("{path}/accreditation"),
        Some(&accreditation),
        403,
    )
    .await;

    // Suspended: gone from search and from the public, still there for its people.
    let suspend = json!({"status": "suspended"});
    let problem = app
        .json_of(
            Method::POST,
            Some(&admin),
            &format!("{path}/status"),
            Some(&suspend),
            422,
        )
        .await;
    assert_eq!(
        error_fields(&problem),
        [("reason".to_owned(), "required".to_owned())]
    );
    let suspend = json!({"status": "suspended", "reason": "Premises under review"});
    app.json_of(
        Method::POST,
        Some(&admin),
        &format!("{path}/status"),
        Some(&suspend),
        200,
    )
    .await;
    app.json_of(Method::GET, None, &path, None, 404).await;
    app.json_of(Method::GET, Some(&stranger), &path, None, 404)
        .await;
    let seen = app
        .json_of(Method::GET, Some(&coordinator), &path, None, 200)
        .await;
    assert_eq!(seen["status"], "suspended");
    assert_eq!(seen["status_reason"], "Premises under review");
    let search = app
        .json_of(
            Method::GET,
            None,
            "/api/v1/centres?lat=54&lon=-3",
            None,
            200,
        )
        .await;
    assert!(names(&search).is_empty());
    app.json_of(Method::GET, None, &format!("{path}/openings"), None, 404)
        .await;

    // Closed is final.
    let close = json!({"status": "closed", "reason": "Charity wound up"});
    app.json_of(
        Method::POST,
        Some(&admin),
        &format!("{path}/status"),
        Some(&close),
        200,
    )
    .await;
    let reopen = json!({"status": "active"});
    let conflict = app
        .json_of(
            Method::POST,
            Some(&admin),
            &format!("{path}/status"),
            Some(&reopen),
            409,
        )
        .await;
    assert!(conflict["detail"].as_str().unwrap().contains("closed"));

    // Every change is in the audit trail.
    let actions = app
        .query_texts(&format!(
            "SELECT action AS value FROM audit_events WHERE resource_id = '{centre}' ORDER BY at"
        ))
        .await;
    assert_eq!(actions, ["create", "update", "suspend", "close"]);
}

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

#[tokio::test]
async fn venues_are_placed_by_postcode_or_by_coordinates_inside_the_british_isles() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let centre = centre_with(&app, &admin, "Placed Centre", &["supported"], true).await;
    let path = format!("/api/v1/centres/{centre}/venues");
    let venue = |extra: Value| {
        let mut body = json!({"name": "Hall", "address_line1": "1 Road", "town": "Carlisle", "rooms": ["Hall"]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let placed = app
        .json_of(
            Method::POST,
            Some(&admin),
            &path,
            Some(&venue(json!({"postcode": "ca1 1aa"}))),
            201,
        )
        .await;
    assert_eq!(placed["address"]["postcode"], "CA1 1AA");
    assert_eq!(placed["location_source"], "postcode_district");
    assert!((54.85..54.92).contains(&placed["latitude"].as_f64().unwrap()));
    let given = app
        .json_of(
            Method::POST,
            Some(&admin),
            &path,
            Some(&venue(
                json!({"postcode": "BT1 5GS", "latitude": 54.597, "longitude": -5.93}),
            )),
            201,
        )
        .await;
    assert_eq!(given["location_source"], "given");

    for (extra, field, code) in [
        (
            json!({"latitude": 40.0, "longitude": -3.0}),
            "latitude",
            "range",
        ),
        (json!({"latitude": 54.0}), "longitude", "required"),
        (json!({}), "postcode", "required"),
        (json!({"postcode": " "}), "postcode", "postcode"),
        (json!({"postcode": "CA1"}), "postcode", "postcode"),
        (
            json!({"postcode": "CA1 1AA", "rooms": []}),
            "rooms",
            "length",
        ),
        (
            json!({"postcode": "CA1 1AA", "rooms": ["Hall", "hall"]}),
            "rooms[1]",
            "duplicate",
        ),
    ] {
        let problem = app
            .json_of(
                Method::POST,
                Some(&admin),
                &path,
                Some(&venue(extra.clone())),
                422,
            )
            .await;
        assert_eq!(
            error_fields(&problem),
            [(field.to_owned(), code.to_owned())],
            "{extra}"
        );
    }
    let unknown = app
        .json_of(
            Method::POST,
            Some(&admin),
            &path,
            Some(&venue(json!({"postcode": "ZZ9 9ZZ"}))),
            422,
        )
        .await;
    assert_eq!(unknown["type"], "/problems/unknown-postcode");
}

#[tokio::test]
async fn centres_are_created_with_their_fields_checked() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let full = json!({
        "name": "Carlisle Child Contact Centre",
        "description": "Supported contact on Saturdays.",
        "services": ["supported", "handover"],
        "accepts_self_referrals": true,
        "fees": {"kind": "free"},
        "contact": {"email": "bookings@carlisle.example", "phone": "01228 000000", "website": "https://carlisle.example"},
        "accreditation": {"body": "NACCC", "status": "accredited", "accredited_on": "2024-03-01", "expires_on": "2027-03-01"},
    });
    let centre = app
        .json_of(
            Method::POST,
            Some(&admin),
            "/api/v1/centres",
            Some(&full),
            201,
        )
        .await;
    assert_eq!(centre["min_referral_notice_days"], 14);
    assert_eq!(centre["services"], json!(["supported", "handover"]));
    assert_eq!(centre["accreditation"]["expires_on"], "2027-03-01");
    assert_eq!(centre["demo"], false);

    let problem = app
        .json_of(
            Method::POST,
            Some(&admin),
            "/api/v1/centres",
            Some(&json!({
                "name": "Bad Centre",
                "services": ["supported", "teleport", "supported"],
                "fees": {"kind": "charged", "description": "   "},
                "min_referral_notice_days": 400,
                "contact": {"email": "not an email"},
                "accreditation": {"status": "accredited", "accredited_on": "2027-01-01", "expires_on": "2026-01-01"},
            })),
            422,
        )
        .await;
    let mut fields: Vec<String> = error_fields(&problem).into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "accreditation.body",
            "accreditation.expires_on",
            "contact.email",
            "fees.description",
            "min_referral_notice_days",
            "services[1]",
            "services[2]",
        ]
    );
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM centres")
        .await;
    assert_eq!(count, ["1"]);
}

#[tokio::test]
async fn the_network_sees_counts_by_status_service_and_expiring_accreditation() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let today = app
        .query_texts("SELECT ((now() AT TIME ZONE 'Europe/London')::date + 30)::text AS value")
        .await;
    let soon = centre_with(
        &app,
        &admin,
        "Soon Centre",
        &["supported", "supervised"],
        true,
    )
    .await;
    app.json_of(
        Method::PUT,
        Some(&admin),
        &format!("/api/v1/centres/{soon}/accreditation"),
        Some(&json!({"body": "NACCC", "status": "accredited", "expires_on": today[0]})),
        200,
    )
    .await;
    centre_with(&app, &admin, "Later Centre", &["supported"], true).await;
    let gone = centre_with(&app, &admin, "Gone Centre", &["supervised"], true).await;
    app.json_of(
        Method::POST,
        Some(&admin),
        &format!("/api/v1/centres/{gone}/status"),
        Some(&json!({"status": "closed", "reason": "Merged"})),
        200,
    )
    .await;

    let summary = app
        .json_of(
            Method::GET,
            Some(&admin),
            "/api/v1/network/summary",
            None,
            200,
        )
        .await;
    assert_eq!(summary["centres"], 3);
    let count = |list: &str, key: &str, word: &str| {
        summary[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e[key] == word)
            .unwrap()["centres"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count("by_status", "status", "active"), 2);
    assert_eq!(count("by_status", "status", "closed"), 1);
    // Closed centres offer nothing.
    assert_eq!(count("by_service", "service", "supported"), 2);
    assert_eq!(count("by_service", "service", "supervised"), 1);
    assert_eq!(count("by_accreditation_status", "status", "accredited"), 3);
    let expiring: Vec<&str> = summary["accreditation_expiring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(expiring, ["Soon Centre"]);
    assert_eq!(
        summary["accreditation_expiring"][0]["expires_on"],
        today[0].as_str()
    );
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
