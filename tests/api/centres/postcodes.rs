//! Postcodes: reading them however typed, and importing Code-Point Open.

use super::*;

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

    // The published file comes gzipped: read as it is, by its content, whatever
    // its name; the import replaces the table.
    let gzipped = dir.join("codepoint.csv");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut encoder,
        b"postcode,positional_quality,easting,northing\nM1 1AE,10,384000,398000\nCA1 1AA,10,339560,555499\n",
    )
    .unwrap();
    std::fs::write(&gzipped, encoder.finish().unwrap()).unwrap();
    let report = ccc::postcodes::import::import(&app.database_url, &gzipped)
        .await
        .unwrap();
    assert_eq!((report.postcodes, report.districts), (2, 2));
    let manchester = app
        .json_of(Method::GET, None, "/api/v1/postcodes/M11AE", None, 200)
        .await;
    assert_eq!(manchester["precision"], "unit");
    app.json_of(Method::GET, None, "/api/v1/postcodes/SW1A1AA", None, 404)
        .await;
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM postcodes")
        .await;
    assert_eq!(count, ["2"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
