//! The waiting list: first come unless a recorded reason prioritises; an
//! offer holds a place until it expires; a refused or lapsed place passes to
//! the next family that has not had it.

use super::*;

/// A referral of a family with child `child`, in review at the supervised
/// centre (its parties' parts are not what this is about: set in the database).
async fn in_review(w: &World, child: &str) -> String {
    let mut body = family(&w.supervised, "supervised", "none");
    body["children"][0]["name"] = json!(child);
    for (i, adult) in ["jo", "chris"].iter().enumerate() {
        body["adults"][i]["email"] = json!(format!(
            "{adult}.{}@example.org",
            child.to_lowercase().replace(' ', ".")
        ));
    }
    let made = w
        .app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&body),
            201,
        )
        .await;
    let id = made["id"].as_str().unwrap().to_owned();
    w.app
        .query_texts(&format!(
            "UPDATE referrals SET status = 'under_review', received_at = now() WHERE id = '{id}' RETURNING id::text AS value"
        ))
        .await;
    id
}

async fn post(w: &World, token: &str, path: &str, body: Value, status: u16) -> Value {
    w.app
        .json_of(Method::POST, Some(token), path, Some(&body), status)
        .await
}

async fn line(w: &World) -> Vec<(String, i64, Option<String>)> {
    let list = w
        .app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!(
                "/api/v1/centres/{}/waiting-list?service=supervised",
                w.supervised
            ),
            None,
            200,
        )
        .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["referral_id"].as_str().unwrap().to_owned(),
                e["position"].as_i64().unwrap(),
                e["offer"]["state"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_offer_lapses_and_passes_to_the_next_family() {
    let w = world().await;
    let (a, b, c) = (
        in_review(&w, "Ann Able").await,
        in_review(&w, "Ben Baker").await,
        in_review(&w, "Cat Cole").await,
    );
    for id in [&a, &b, &c] {
        post(
            &w,
            &w.coordinator,
            &format!("/api/v1/referrals/{id}/waitlist"),
            json!({"reason": "No supervised place"}),
            200,
        )
        .await;
    }
    let ids = |l: &[(String, i64, Option<String>)]| {
        l.iter()
            .map(|(id, p, _)| (id.clone(), *p))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&line(&w).await),
        [(a.clone(), 1), (b.clone(), 2), (c.clone(), 3)]
    );
    // The list is the centre's: staff read it, the referrer does not.
    let list = format!("/api/v1/centres/{}/waiting-list", w.supervised);
    w.app
        .json_of(Method::GET, Some(&w.staff), &list, None, 200)
        .await;
    w.app
        .json_of(Method::GET, Some(&w.solicitor), &list, None, 403)
        .await;

    // A recorded reason puts Cat first.
    let path_c = format!("/api/v1/referrals/{c}");
    let tag = w.app.etag(&w.coordinator, &path_c).await;
    w.app
        .json_if_match(
            Method::PUT,
            &w.coordinator,
            &format!("{path_c}/priority"),
            &json!({"reason": "Final hearing in three weeks"}),
            &tag,
            200,
        )
        .await;
    assert_eq!(
        ids(&line(&w).await),
        [(c.clone(), 1), (a.clone(), 2), (b.clone(), 3)]
    );
    let seen = w
        .app
        .json_of(Method::GET, Some(&w.solicitor), &path_c, None, 200)
        .await;
    assert_eq!(seen["waiting_list_position"], 1);
    assert!(
        seen["priority_reason"].is_null(),
        "the reason is the centre's"
    );

    // Cat is offered the place; the referrer's side is told.
    let offered = post(
        &w,
        &w.coordinator,
        &format!("{path_c}/offer"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(offered["offer"]["state"], "open");
    w.app
        .outbox_payload("solicitor@familylaw.example", "place_offered")
        .await;
    post(
        &w,
        &w.coordinator,
        &format!("{path_c}/offer"),
        json!({}),
        409,
    )
    .await;
    // Only the referrer's side takes or refuses it.
    post(
        &w,
        &w.coordinator,
        &format!("{path_c}/offer/take"),
        json!({}),
        403,
    )
    .await;

    // It expires unanswered: every read shows it lapsed at once, and it can
    // no longer be taken.
    w.app
        .query_texts(&format!(
            "UPDATE referral_offers SET offered_at = now() - interval '8 days', expires_at = now() - interval '1 day' \
             WHERE referral_id = '{c}' RETURNING id::text AS value"
        ))
        .await;
    let seen = w
        .app
        .json_of(Method::GET, Some(&w.solicitor), &path_c, None, 200)
        .await;
    assert_eq!(seen["offer"]["state"], "lapsed");
    let late = post(
        &w,
        &w.solicitor,
        &format!("{path_c}/offer/take"),
        json!({}),
        409,
    )
    .await;
    assert!(
        late["detail"].as_str().unwrap().contains("lapsed"),
        "{late}"
    );

    // The place passes to Ann, next in line; Cat keeps her place.
    let now = line(&w).await;
    assert_eq!(now[0], (c.clone(), 1, Some("lapsed".to_owned())));
    assert_eq!(now[1], (a.clone(), 2, Some("open".to_owned())));
    assert_eq!(now[2].2, None);
    // Ann refuses: it passes to Ben, who takes it and is accepted.
    post(
        &w,
        &w.solicitor,
        &format!("/api/v1/referrals/{a}/offer/refuse"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(line(&w).await[2], (b.clone(), 3, Some("open".to_owned())));
    let taken = post(
        &w,
        &w.solicitor,
        &format!("/api/v1/referrals/{b}/offer/take"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(
        (taken["status"].as_str(), taken["offer"]["state"].as_str()),
        (Some("accepted"), Some("taken"))
    );
    assert_eq!(ids(&line(&w).await), [(c.clone(), 1), (a.clone(), 2)]);
    // Everyone waiting has had the place: it passes to nobody else.
    assert_eq!(
        w.app
            .query_texts("SELECT count(*)::text AS value FROM referral_offers")
            .await,
        ["3"]
    );
}

/// A family that leaves the list (closed, or accepted by the centre) settles
/// its offer: a closed family's place passes on; an accepted one's is taken,
/// never offered again.
#[tokio::test]
async fn leaving_the_list_settles_its_offer_and_frees_the_place() {
    let w = world().await;
    let (a, b) = (
        in_review(&w, "Ann Able").await,
        in_review(&w, "Ben Baker").await,
    );
    for id in [&a, &b] {
        post(
            &w,
            &w.coordinator,
            &format!("/api/v1/referrals/{id}/waitlist"),
            json!({"reason": "No place"}),
            200,
        )
        .await;
    }
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{a}/offer"),
        json!({}),
        200,
    )
    .await;
    // An answer made against a stale tag is refused, and changes nothing.
    w.app
        .json_if_match(
            Method::POST,
            &w.solicitor,
            &format!("/api/v1/referrals/{a}/offer/take"),
            &json!({}),
            "\"0\"",
            412,
        )
        .await;
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{a}/close"),
        json!({"outcome": "progressed_outside_centre", "reason": "Arrangements agreed"}),
        200,
    )
    .await;
    let states = "SELECT coalesce(outcome, 'open') || ' ' || r.children_name AS value FROM referral_offers o \
                  JOIN (SELECT referral_id, min(name) AS children_name FROM referral_children GROUP BY referral_id) r \
                  USING (referral_id) ORDER BY offered_at";
    assert_eq!(
        w.app.query_texts(states).await,
        ["refused Ann Able", "open Ben Baker"]
    );
    // The centre accepts Ben itself: his offer is taken with it.
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{b}/accept"),
        json!({"reason": "Place confirmed by phone"}),
        200,
    )
    .await;
    assert_eq!(
        w.app.query_texts(states).await,
        ["refused Ann Able", "taken Ben Baker"]
    );
    assert!(line(&w).await.is_empty());
}

/// The jobs pass a lapsed place on without waiting for a read of the list,
/// once, however many instances run them; and forget what the limits no
/// longer read.
#[tokio::test]
async fn the_jobs_pass_a_lapsed_place_on_and_prune_the_limits() {
    let w = world().await;
    let (a, b) = (
        in_review(&w, "Ann Able").await,
        in_review(&w, "Ben Baker").await,
    );
    for id in [&a, &b] {
        post(
            &w,
            &w.coordinator,
            &format!("/api/v1/referrals/{id}/waitlist"),
            json!({"reason": "No place"}),
            200,
        )
        .await;
    }
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{a}/offer"),
        json!({}),
        200,
    )
    .await;
    w.app
        .query_texts(&format!(
            "UPDATE referral_offers SET offered_at = now() - interval '8 days', expires_at = now() - interval '1 day' \
             WHERE referral_id = '{a}' RETURNING id::text AS value"
        ))
        .await;
    let old = "now() - interval '40 days'";
    w.app
        .query_texts(&format!(
            "WITH l AS (INSERT INTO login_attempts (email_key, client_addr, succeeded, at) VALUES ('k', '192.0.2.1', false, {old}) RETURNING 1), \
                  u AS (INSERT INTO unsolicited_requests (client_addr, at) VALUES ('192.0.2.1', {old}) RETURNING 1), \
                  r AS (INSERT INTO refused_token_marks (client_addr, kind, minute) VALUES ('192.0.2.1', 'forged', {old}) RETURNING 1) \
             SELECT 'seeded' AS value"
        ))
        .await;
    // Two instances' passes at once: the place is offered to Ben once.
    let now = time::OffsetDateTime::now_utc();
    let (first, second) = tokio::join!(
        ccc::jobs::run_once(&w.app.pool, now),
        ccc::jobs::run_once(&w.app.pool, now)
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert!(first.centres_swept + second.centres_swept >= 1);
    assert_eq!(
        w.app
            .query_texts(&format!(
                "SELECT count(*)::text AS value FROM referral_offers WHERE referral_id = '{b}' AND outcome IS NULL"
            ))
            .await,
        ["1"]
    );
    let left = w
        .app
        .query_texts(&format!(
            "SELECT ((SELECT count(*) FROM login_attempts WHERE at < {old} + interval '1 day') + \
                     (SELECT count(*) FROM unsolicited_requests WHERE at < {old} + interval '1 day') + \
                     (SELECT count(*) FROM refused_token_marks WHERE minute < {old} + interval '1 day'))::text AS value"
        ))
        .await;
    assert_eq!(left, ["0"]);
    // The next pass has nothing to do.
    let again = ccc::jobs::run_once(&w.app.pool, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(again.centres_swept, 0);
}
