//! The centre's assessment: versioned, written against the case's ETag; its
//! conditions for the centre's staff, all of it for its coordinators, none of
//! it for the referrer's side or the parties.

use super::*;

async fn put(
    w: &World,
    token: &str,
    id: &str,
    body: &Value,
    tag: Option<&str>,
) -> reqwest::Response {
    let mut request = w
        .app
        .client
        .put(w.app.url(&format!("/api/v1/referrals/{id}/assessment")))
        .bearer_auth(token)
        .json(body);
    if let Some(tag) = tag {
        request = request.header("if-match", tag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_assessment_is_versioned_and_staff_see_only_its_conditions() {
    let w = world().await;
    let (referral, jo, _) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let jo_id = adult(&referral, "Jo Smith")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let chris_id = adult(&referral, "Chris Smith")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = referral["court_orders"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = |service: &str, attend: Vec<&str>, barred: Vec<&str>| {
        json!({
            "factors": ["domestic_abuse", "domestic_abuse"],
            "checks_made": ["court_order_seen", "party_interviews"],
            "level": "medium",
            "rationale": "Rationale: order in force, both engaged",
            "conditions": {"service": service, "parties_must_not_meet": true, "may_attend": attend,
                           "court_orders": [{"court_order_id": order, "service": "supervised",
                                             "barred_adult_ids": barred, "expires_on": "2027-10-01"}]}
        })
    };
    let good = body("supervised", vec![&jo_id, &chris_id], vec![]);
    let tag = w.app.etag(&w.coordinator, &path).await;
    // A case change needs the ETag; only the coordinators assess.
    assert_eq!(put(&w, &w.coordinator, id, &good, None).await.status(), 428);
    for token in [&w.staff, &w.solicitor, &jo] {
        assert_eq!(put(&w, token, id, &good, Some(&tag)).await.status(), 403);
    }
    // Ids of this referral only; a barred adult does not attend; a service the
    // centre offers and the order requires.
    let stranger = uuid::Uuid::now_v7().to_string();
    let bad = put(
        &w,
        &w.coordinator,
        id,
        &body("handover", vec![&stranger], vec![&chris_id]),
        Some(&tag),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let bad: Value = bad.json().await.unwrap();
    let mut fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "conditions.court_orders[0].service",
            "conditions.may_attend[0]",
            "conditions.service",
        ]
    );
    let barred = put(
        &w,
        &w.coordinator,
        id,
        &body("supervised", vec![&jo_id, &chris_id], vec![&chris_id]),
        Some(&tag),
    )
    .await;
    assert_eq!(barred.status(), 422);
    assert_eq!(
        w.app.etag(&w.coordinator, &path).await,
        tag,
        "nothing was written"
    );

    let first = put(&w, &w.coordinator, id, &good, Some(&tag)).await;
    assert_eq!(first.status(), 201);
    assert_eq!(
        first.headers()["location"],
        format!("{path}/assessment").as_str()
    );
    let next_tag = first.headers()["etag"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["version"], 1);
    assert_eq!(first["factors"], json!(["domestic_abuse"]));
    // The centre's default stagger (15 minutes) when none is given.
    assert_eq!(first["conditions"]["stagger_minutes"], 15);
    // Stale once written: the next version is made against the new tag.
    assert_eq!(
        put(&w, &w.coordinator, id, &good, Some(&tag))
            .await
            .status(),
        412
    );
    let mut second = good.clone();
    second["level"] = json!("high");
    second["conditions"]["stagger_minutes"] = json!(30);
    let second = put(&w, &w.coordinator, id, &second, Some(&next_tag)).await;
    assert_eq!(second.status(), 200);

    let read = |token: &str, query: &str| {
        let token = token.to_owned();
        let url = format!("{path}/assessment{query}");
        let app = &w.app;
        async move {
            app.json_of(Method::GET, Some(&token), &url, None, 200)
                .await
        }
    };
    let latest = read(&w.coordinator, "").await;
    assert_eq!(
        (latest["version"].as_i64(), latest["level"].as_str()),
        (Some(2), Some("high"))
    );
    assert_eq!(read(&w.coordinator, "?version=1").await["level"], "medium");
    let staff = read(&w.staff, "").await;
    assert_eq!(staff["conditions"]["stagger_minutes"], 30);
    for hidden in ["factors", "checks_made", "level", "rationale"] {
        assert!(staff[hidden].is_null(), "{hidden}: {staff}");
    }
    for token in [&w.solicitor, &jo] {
        w.app
            .json_of(
                Method::GET,
                Some(token),
                &format!("{path}/assessment"),
                None,
                403,
            )
            .await;
        let view = w
            .app
            .json_of(Method::GET, Some(token), &path, None, 200)
            .await;
        assert!(!view.to_string().contains("Rationale:"));
    }
    w.app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!("{path}/assessment?version=3"),
            None,
            404,
        )
        .await;
}

/// A party may ask that the parties never meet: the referral then says so to
/// all, only the coordinators learn who asked, and no assessment lifts it.
#[tokio::test]
async fn a_partys_request_not_to_meet_holds_and_stays_anonymous() {
    let w = world().await;
    let app = &w.app;
    let mut body = family(&w.supervised, "supervised", "none");
    body["parties_must_not_meet"] = json!(false);
    let referral = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&body),
            201,
        )
        .await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let (jo, chris) = (
        invited_parent(app, "jo@example.org").await,
        invited_parent(app, "chris@example.org").await,
    );
    for (token, name, asks) in [(&jo, "Jo Smith", false), (&chris, "Chris Smith", true)] {
        let adult_id = adult(&referral, name)["id"].as_str().unwrap().to_owned();
        app.json_of(
            Method::POST,
            Some(token),
            &format!("{path}/parties/{adult_id}/part"),
            Some(&json!({"consents_to_contact": true, "asks_not_to_meet": asks})),
            200,
        )
        .await;
    }
    let as_jo = app.json_of(Method::GET, Some(&jo), &path, None, 200).await;
    assert_eq!(as_jo["parties_must_not_meet"], true);
    assert!(
        !as_jo["history"].to_string().contains("asked"),
        "{}",
        as_jo["history"]
    );
    let as_centre = app
        .json_of(Method::GET, Some(&w.coordinator), &path, None, 200)
        .await;
    assert!(as_centre["history"]
        .to_string()
        .contains("Chris Smith asked that the parties never meet"));
    // The centre's conditions keep them apart.
    let tag = app.etag(&w.coordinator, &path).await;
    let jo_id = adult(&referral, "Jo Smith")["id"].as_str().unwrap();
    let lifted = app
        .json_if_match(Method::PUT, &w.coordinator, &format!("{path}/assessment"),
            &json!({"factors": [], "checks_made": [], "level": "low", "rationale": "Fine",
                    "conditions": {"service": "supervised", "parties_must_not_meet": false, "may_attend": [jo_id]}}),
            &tag, 422)
        .await;
    assert_eq!(
        lifted["errors"][0]["field"],
        "conditions.parties_must_not_meet"
    );
}
