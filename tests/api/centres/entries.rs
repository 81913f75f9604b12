//! Centres' entries and venues: who sees and changes what, and the rules on their fields.

use super::*;

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
    // A suspension says why: a blank reason is no reason.
    for (suspend, code) in [
        (json!({"status": "suspended"}), "required"),
        (json!({"status": "suspended", "reason": "  "}), "length"),
    ] {
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
            [("reason".to_owned(), code.to_owned())]
        );
    }
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
