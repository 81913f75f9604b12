//! Who sees what of a referral and its family, and which referrals each caller lists.

use super::*;

#[tokio::test]
async fn each_viewer_sees_exactly_what_the_rules_allow() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let all_risks = [
        "Referrer's note: history of arguments at handover",
        "Jo's view: worried about late arrivals",
        "Chris's view: Jo is anxious",
    ];

    // The centre's coordinator: everything.
    let centre = app
        .json_of(Method::GET, Some(&w.coordinator), &path, None, 200)
        .await;
    assert_eq!(risk_texts(&centre), all_risks);
    assert_eq!(
        adult(&centre, "Jo Smith")["contact"]["address"],
        "1 Home Street, Carlisle"
    );
    assert_eq!(
        adult(&centre, "Chris Smith")["contact"]["address"],
        "3 New Lane, Penrith"
    );
    assert_eq!(
        adult(&centre, "Jo Smith")["contact"]["shared_with_other_party"]["phone"],
        true
    );
    assert_eq!(adult(&centre, "Jo Smith")["availability"], "Saturdays");

    // Staff: names, children, attendees, do-not-meet; no contact details, no risk text.
    let staff = app
        .json_of(Method::GET, Some(&w.staff), &path, None, 200)
        .await;
    assert_eq!(staff["parties_must_not_meet"], true);
    assert_eq!(staff["children"][0]["name"], "Alex Smith");
    assert_eq!(adult(&staff, "Jo Smith")["may_attend"], true);
    for name in ["Jo Smith", "Chris Smith"] {
        assert_eq!(adult(&staff, name)["contact"], json!({}), "{name}");
        assert!(adult(&staff, name).get("availability").is_none());
    }
    assert!(risk_texts(&staff).is_empty());
    // ... until the coordinator marks a statement for staff.
    let referrer_risk = centre["risks"][0]["id"].as_str().unwrap();
    app.json_of(
        Method::PATCH,
        Some(&w.staff),
        &format!("{path}/risks/{referrer_risk}"),
        Some(&json!({"visible_to_staff": true})),
        403,
    )
    .await;
    let tag = app.etag(&w.coordinator, &path).await;
    app.json_if_match(
        Method::PATCH,
        &w.coordinator,
        &format!("{path}/risks/{referrer_risk}"),
        &json!({"visible_to_staff": true}),
        &tag,
        200,
    )
    .await;
    let staff = app
        .json_of(Method::GET, Some(&w.staff), &path, None, 200)
        .await;
    assert_eq!(risk_texts(&staff), [all_risks[0]]);

    // The referrer: the referral and its status, no party's contact details,
    // only the referrer's own risk statements.
    let solicitor = app
        .json_of(Method::GET, Some(&w.solicitor), &path, None, 200)
        .await;
    assert_eq!(solicitor["status"], "submitted");
    for name in ["Jo Smith", "Chris Smith"] {
        assert_eq!(adult(&solicitor, name)["contact"], json!({}), "{name}");
    }
    assert_eq!(risk_texts(&solicitor), [all_risks[0]]);

    // Each parent: their own details; the other's only where shared (Jo shared
    // her phone, Chris nothing); only their own risk statements.
    let as_chris = app
        .json_of(Method::GET, Some(&chris), &path, None, 200)
        .await;
    assert_eq!(
        adult(&as_chris, "Jo Smith")["contact"],
        json!({"phone": "07700 900001"})
    );
    assert_eq!(
        adult(&as_chris, "Chris Smith")["contact"]["address"],
        "3 New Lane, Penrith"
    );
    assert_eq!(risk_texts(&as_chris), [all_risks[2]]);
    let as_jo = app.json_of(Method::GET, Some(&jo), &path, None, 200).await;
    assert_eq!(adult(&as_jo, "Chris Smith")["contact"], json!({}));
    assert!(
        !as_jo.to_string().contains("New Lane"),
        "Chris's address reached Jo"
    );
    assert!(adult(&as_jo, "Chris Smith").get("availability").is_none());
    assert_eq!(risk_texts(&as_jo), [all_risks[1]]);

    // Network admins: no family detail at all.
    app.json_of(Method::GET, Some(&w.admin), &path, None, 403)
        .await;
    app.json_of(Method::GET, Some(&w.admin), "/api/v1/referrals", None, 403)
        .await;

    // Every read by a person is in the audit trail, the admin's refused one too.
    let reads = app
        .query_texts(&format!("SELECT outcome || ' ' || count(*) AS value FROM audit_events WHERE action = 'read' AND resource_id = '{id}' GROUP BY outcome ORDER BY outcome"))
        .await;
    // Six reads above, and the coordinator's of the ETag before marking a risk for staff.
    assert_eq!(reads, ["denied 1", "success 7"]);
}

#[tokio::test]
async fn lists_are_scoped_filtered_and_paged() {
    let w = world().await;
    let app = &w.app;
    // At the supervised centre, oldest first: three sent straight to the
    // centre (one for supported contact), then one awaiting the parents' parts.
    let mut made = Vec::new();
    for (i, service, with_parents) in [
        (0, "supervised", false),
        (1, "supported", false),
        (2, "supervised", false),
        (3, "supervised", true),
    ] {
        let mut body = family(&w.supervised, service, "none");
        body["children"][0]["name"] = json!(format!("Child {i}"));
        if !with_parents {
            // No parent to invite: straight to the centre.
            body["adults"][0]["email"] = Value::Null;
            body["adults"][1]["email"] = Value::Null;
        }
        let r = app
            .json_of(
                Method::POST,
                Some(&w.solicitor),
                "/api/v1/referrals",
                Some(&body),
                201,
            )
            .await;
        made.push(r["id"].as_str().unwrap().to_owned());
    }
    // Another firm's referral to the other centre.
    let mut elsewhere = family(&w.supported_only, "supported", "none");
    elsewhere["adults"][0]["email"] = Value::Null;
    elsewhere["adults"][1]["email"] = Value::Null;
    let elsewhere = app
        .json_of(
            Method::POST,
            Some(&w.other_solicitor),
            "/api/v1/referrals",
            Some(&elsewhere),
            201,
        )
        .await;
    let elsewhere = elsewhere["id"].as_str().unwrap().to_owned();

    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |token: &str, query: &str| {
        let path = format!("/api/v1/referrals{query}");
        let token = token.to_owned();
        async move {
            app.json_of(Method::GET, Some(&token), &path, None, 200)
                .await
        }
    };
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();

    // Scoped: the centre's people see their centre's referrals, newest first;
    // each firm sees its own.
    for token in [&w.coordinator, &w.staff, &w.solicitor] {
        assert_eq!(ids(&list(token, "").await), newest_first);
    }
    assert_eq!(
        ids(&list(&w.other_solicitor, "").await),
        std::slice::from_ref(&elsewhere)
    );
    assert!(
        ids(&list(&w.coordinator, &format!("?centre_id={}", w.supported_only)).await).is_empty()
    );

    // Paged: every referral once, in order, the last page without a cursor.
    let mut paged = Vec::new();
    let mut pages = 0;
    let mut query = "?limit=3".to_owned();
    loop {
        let page = list(&w.coordinator, &query).await;
        pages += 1;
        paged.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(paged, newest_first);

    // Filtered: by status, by service, by when received.
    let submitted = list(&w.coordinator, "?status=submitted").await;
    assert_eq!(ids(&submitted), newest_first[1..]);
    assert_eq!(
        ids(&list(&w.coordinator, "?status=awaiting_parties").await),
        [made[3].clone()]
    );
    assert_eq!(
        ids(&list(&w.staff, "?service=supported").await),
        [made[1].clone()]
    );
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert!(ids(&list(&w.coordinator, &format!("?received_from={tomorrow}")).await).is_empty());
    assert_eq!(
        ids(&list(&w.coordinator, &format!("?received_to={tomorrow}")).await),
        newest_first
    );

    // By name: a child's (any case, spaces folded) or an adult's; never
    // another centre's or firm's family; `%` is a character, not a wildcard.
    assert_eq!(
        ids(&list(&w.coordinator, "?q=CHILD%20%202").await),
        [made[2].clone()]
    );
    assert_eq!(
        ids(&list(&w.coordinator, "?q=jo%20smith").await),
        newest_first
    );
    assert_eq!(
        ids(&list(&w.other_solicitor, "?q=smith").await),
        std::slice::from_ref(&elsewhere)
    );
    assert!(ids(&list(&w.coordinator, "?q=%25").await).is_empty());
    app.json_of(
        Method::GET,
        Some(&w.coordinator),
        "/api/v1/referrals?q=%20%20",
        None,
        422,
    )
    .await;

    let bad = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            "/api/v1/referrals?status=lost&received_from=yesterday",
            None,
            422,
        )
        .await;
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["status", "received_from"]);
}

#[tokio::test]
async fn a_family_is_recorded_when_the_referral_reaches_the_centre_and_parents_keep_their_details()
{
    let w = world().await;
    let app = &w.app;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let family = referral["family_id"].as_str().unwrap();
    let path = format!("/api/v1/families/{family}");
    let centre = app
        .json_of(Method::GET, Some(&w.coordinator), &path, None, 200)
        .await;
    assert_eq!(centre["referral_id"], referral["id"]);
    assert_eq!(
        adult(&centre, "Chris Smith")["contact"]["address"],
        "3 New Lane, Penrith"
    );
    let staff = app
        .json_of(Method::GET, Some(&w.staff), &path, None, 200)
        .await;
    assert_eq!(adult(&staff, "Chris Smith")["contact"], json!({}));
    app.json_of(Method::GET, Some(&w.admin), &path, None, 403)
        .await;
    app.json_of(Method::GET, Some(&w.other_solicitor), &path, None, 404)
        .await;

    // Chris sees none of Jo's address until Jo consents to share it.
    let as_chris = app
        .json_of(Method::GET, Some(&chris), &path, None, 200)
        .await;
    assert!(adult(&as_chris, "Jo Smith")["contact"]
        .get("address")
        .is_none());
    let jo_id = adult(&centre, "Jo Smith")["id"].as_str().unwrap();
    let tag = app.etag(&jo, &path).await;
    let changed = app
        .json_if_match(Method::PATCH, &jo, &format!("{path}/adults/{jo_id}"),
            &json!({"address": "9 Moved Road, Carlisle", "share": {"address": true, "phone": false}}), &tag, 200)
        .await;
    assert_eq!(
        adult(&changed, "Jo Smith")["contact"]["address"],
        "9 Moved Road, Carlisle"
    );
    let as_chris = app
        .json_of(Method::GET, Some(&chris), &path, None, 200)
        .await;
    assert_eq!(
        adult(&as_chris, "Jo Smith")["contact"],
        json!({"address": "9 Moved Road, Carlisle"})
    );
    // Nobody changes another adult's details; a bad email changes nothing.
    app.json_of(
        Method::PATCH,
        Some(&chris),
        &format!("{path}/adults/{jo_id}"),
        Some(&json!({"address": "x"})),
        403,
    )
    .await;
    app.json_of(
        Method::PATCH,
        Some(&w.coordinator),
        &format!("{path}/adults/{jo_id}"),
        Some(&json!({"address": "x"})),
        403,
    )
    .await;
    let tag = app.etag(&jo, &path).await;
    let problem = app
        .json_if_match(
            Method::PATCH,
            &jo,
            &format!("{path}/adults/{jo_id}"),
            &json!({"email": "not an email", "address": "10 Other"}),
            &tag,
            422,
        )
        .await;
    assert_eq!(problem["errors"][0]["field"], "email");
    // Nor takes the other party's email: each hears of their own part and questions.
    let problem = app
        .json_if_match(
            Method::PATCH,
            &jo,
            &format!("{path}/adults/{jo_id}"),
            &json!({"email": "Chris@Example.org"}),
            &tag,
            422,
        )
        .await;
    assert_eq!(
        (
            problem["errors"][0]["field"].as_str(),
            problem["errors"][0]["code"].as_str()
        ),
        (Some("email"), Some("duplicate"))
    );
    let as_chris = app
        .json_of(Method::GET, Some(&chris), &path, None, 200)
        .await;
    assert_eq!(
        adult(&as_chris, "Jo Smith")["contact"]["address"],
        "9 Moved Road, Carlisle"
    );
    let reads = app
        .query_texts(&format!("SELECT count(*)::text AS value FROM audit_events WHERE action = 'read' AND resource_type = 'family' AND resource_id = '{family}' AND outcome = 'success'"))
        .await;
    // Five reads above, and Jo's two of the ETag before changing her details.
    assert_eq!(reads, ["7"]);
    // The refused reads above (the admin's, the other family's) are there too.
    let refused = app
        .query_texts(&format!("SELECT count(*)::text AS value FROM audit_events WHERE action = 'read' AND resource_type = 'family' AND resource_id = '{family}' AND outcome = 'denied'"))
        .await;
    assert_eq!(refused, ["2"]);
}

#[tokio::test]
async fn court_order_conditions_and_the_other_partys_consent_stay_with_the_centre() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, _chris) = referred_and_completed(&w).await;
    let path = format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap());
    let conditions = "Supervised contact fortnightly";
    let centre = app
        .json_of(Method::GET, Some(&w.coordinator), &path, None, 200)
        .await;
    assert_eq!(centre["court_orders"][0]["conditions"], conditions);
    let solicitor = app
        .json_of(Method::GET, Some(&w.solicitor), &path, None, 200)
        .await;
    assert_eq!(solicitor["court_orders"][0]["conditions"], conditions);
    for token in [&w.staff, &jo] {
        let seen = app
            .json_of(Method::GET, Some(token), &path, None, 200)
            .await;
        assert_eq!(seen["court_orders"][0]["kind"], "child_arrangements");
        assert!(seen["court_orders"][0]["conditions"].is_null(), "{seen}");
    }
    let as_jo = app.json_of(Method::GET, Some(&jo), &path, None, 200).await;
    assert!(adult(&as_jo, "Chris Smith")["consents_to_contact"].is_null());
    assert_eq!(adult(&as_jo, "Jo Smith")["consents_to_contact"], true);
    // A forged list cursor is a 422, not a 500.
    let forged = "eyJrZXkiOjkyMjMzNzIwMzY4NTQ3NzU4MDcsImlkIjoiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIn0";
    app.json_of(
        Method::GET,
        Some(&w.coordinator),
        &format!("/api/v1/referrals?cursor={forged}"),
        None,
        422,
    )
    .await;
}

/// Network admins see no family detail: parents' accounts are neither listed
/// nor read by them, and their audit trail never names a parent; the parent
/// reads their own account, and the centre's coordinator sees the trail of
/// the family's reads.
#[tokio::test]
async fn network_admins_see_no_parents_accounts_and_no_parent_in_the_audit_trail() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, _chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    app.json_of(
        Method::GET,
        Some(&jo),
        &format!("/api/v1/referrals/{id}"),
        None,
        200,
    )
    .await;
    let jo_id = app
        .json_of(Method::GET, Some(&jo), "/api/v1/me", None, 200)
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let parents = app
        .query_texts("SELECT id::text AS value FROM users WHERE role = 'parent'")
        .await;
    assert_eq!(parents.len(), 2);

    let listed = app
        .json_of(
            Method::GET,
            Some(&w.admin),
            "/api/v1/users?role=parent",
            None,
            200,
        )
        .await;
    assert_eq!(listed["items"], json!([]));
    let everyone = app
        .json_of(
            Method::GET,
            Some(&w.admin),
            "/api/v1/users?limit=100",
            None,
            200,
        )
        .await;
    let roles: Vec<&str> = everyone["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["role"].as_str().unwrap())
        .collect();
    assert!(!roles.is_empty() && !roles.contains(&"parent"), "{roles:?}");
    for parent in &parents {
        let path = format!("/api/v1/users/{parent}");
        app.json_of(Method::GET, Some(&w.admin), &path, None, 404)
            .await;
        app.json_of(
            Method::POST,
            Some(&w.admin),
            &format!("{path}/disable"),
            None,
            404,
        )
        .await;
    }
    let own = app
        .json_of(
            Method::GET,
            Some(&jo),
            &format!("/api/v1/users/{jo_id}"),
            None,
            200,
        )
        .await;
    assert_eq!(own["email"], "jo@example.org");

    // The trail holds the parents' logins and reads; the admin's view of it
    // names neither parent anywhere, the coordinator's names Jo's read.
    let trail = whole_trail(app, &w.admin).await;
    assert!(trail
        .iter()
        .any(|e| e["actor_role"] == "parent" && e["action"] == "read"));
    let text = Value::from(trail).to_string();
    for parent in &parents {
        assert!(
            !text.contains(parent.as_str()),
            "admin sees parent {parent}"
        );
    }
    // Nor can the admin pick out a parent's own trail by filtering on their id,
    // as actor or as subject; the coordinator can.
    for filter in ["actor_id", "resource_id"] {
        let by_jo = app
            .json_of(
                Method::GET,
                Some(&w.admin),
                &format!("/api/v1/audit?{filter}={jo_id}"),
                None,
                200,
            )
            .await;
        assert!(by_jo["items"].as_array().unwrap().is_empty(), "{by_jo}");
    }
    let by_jo = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!("/api/v1/audit?actor_id={jo_id}"),
            None,
            200,
        )
        .await;
    assert!(!by_jo["items"].as_array().unwrap().is_empty(), "{by_jo}");
    let centre_trail = whole_trail(app, &w.coordinator).await;
    assert!(centre_trail
        .iter()
        .any(|e| e["actor_id"] == jo_id.as_str() && e["action"] == "read"));
}

/// Every entry of the audit trail the caller may see, page after page.
async fn whole_trail(app: &TestApp, token: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut path = "/api/v1/audit?limit=100".to_owned();
    loop {
        let page = app
            .json_of(Method::GET, Some(token), &path, None, 200)
            .await;
        entries.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/audit?limit=100&cursor={cursor}"),
            None => return entries,
        }
    }
}

/// History entries carry a visibility: the centre's coordinators read every
/// note; staff, the referrer's side and the parents only the shared ones (a decision's
/// reasons may speak of the other party).
#[tokio::test]
async fn history_notes_for_the_centre_reach_no_parent_or_referrer() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    // A centre note as a review writes one.
    let added = app
        .query_texts(&format!(
            "WITH added AS (INSERT INTO referral_history \
             (id, referral_id, from_status, to_status, note, visibility) \
             VALUES (gen_random_uuid(), '{id}', 'submitted', 'submitted', \
             'Chris disclosed a conviction', 'centre') RETURNING 1) \
             SELECT count(*)::text AS value FROM added"
        ))
        .await;
    assert_eq!(added, ["1"]);
    let path = format!("/api/v1/referrals/{id}");
    for (who, token, sees_centre_note) in [
        ("coordinator", &w.coordinator, true),
        ("staff", &w.staff, false),
        ("solicitor", &w.solicitor, false),
        ("jo", &jo, false),
        ("chris", &chris, false),
    ] {
        let seen = app
            .json_of(Method::GET, Some(token), &path, None, 200)
            .await;
        let history = seen["history"].as_array().unwrap();
        let notes: Vec<&str> = history
            .iter()
            .map(|h| h["note"].as_str().unwrap())
            .collect();
        assert_eq!(
            notes.contains(&"Chris disclosed a conviction"),
            sees_centre_note,
            "{who}: {notes:?}"
        );
        // The shared entries (created, sent, every part given) reach everyone.
        assert!(notes.contains(&"every part given"), "{who}: {notes:?}");
        let shared = history
            .iter()
            .filter(|h| h["visibility"] == "shared")
            .count();
        assert_eq!(
            shared,
            history.len() - usize::from(sees_centre_note),
            "{who}"
        );
    }
}

/// The network summary counts referrals by status and nothing more: every
/// status but draft is listed (zero included), and a draft is nobody's
/// business but its author's.
#[tokio::test]
async fn the_network_summary_counts_referrals_by_status_leaving_drafts_out() {
    let w = world().await;
    let app = &w.app;
    referred_and_completed(&w).await;
    let mut awaiting = family(&w.supervised, "supervised", "none");
    awaiting["children"][0]["name"] = json!("Sam Jones");
    awaiting["adults"][0]["email"] = json!("pat@example.org");
    awaiting["adults"][1]["email"] = json!("lee@example.org");
    app.json_of(
        Method::POST,
        Some(&w.solicitor),
        "/api/v1/referrals",
        Some(&awaiting),
        201,
    )
    .await;
    let mut draft = family(&w.supported_only, "supported", "none");
    draft["submit"] = json!(false);
    draft["children"][0]["name"] = json!("Kim Brown");
    app.json_of(
        Method::POST,
        Some(&w.other_solicitor),
        "/api/v1/referrals",
        Some(&draft),
        201,
    )
    .await;

    let summary = app
        .json_of(
            Method::GET,
            Some(&w.admin),
            "/api/v1/network/summary",
            None,
            200,
        )
        .await;
    let counts: Vec<(String, i64)> = summary["referrals_by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_owned(),
                c["referrals"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, i64)> = [
        ("awaiting_parties", 1),
        ("submitted", 1),
        ("under_review", 0),
        ("info_requested", 0),
        ("accepted", 0),
        ("declined", 0),
        ("waitlisted", 0),
        ("pre_visits", 0),
        ("active", 0),
        ("closed", 0),
    ]
    .iter()
    .map(|(s, n)| ((*s).to_owned(), *n))
    .collect();
    assert_eq!(counts, expected, "{summary}");
    // Counts only: no referral, child or person is named.
    for word in ["Alex", "Sam Jones", "Kim", "example.org"] {
        assert!(!summary.to_string().contains(word), "{word} in {summary}");
    }
}
