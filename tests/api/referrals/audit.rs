//! Every read of a family's records is in the audit trail, refused ones too,
//! and a draft names no centre until it is sent.

use super::*;

/// The trail's entries about one record, as a network admin reads them.
async fn entries_about(app: &TestApp, admin: &str, id: &str) -> Vec<Value> {
    let page = app
        .json_of(
            Method::GET,
            Some(admin),
            &format!("/api/v1/audit?resource_id={id}&limit=100"),
            None,
            200,
        )
        .await;
    page["items"].as_array().unwrap().clone()
}

fn has(entries: &[Value], action: &str, outcome: &str) -> bool {
    entries
        .iter()
        .any(|e| e["action"] == action && e["outcome"] == outcome)
}

#[tokio::test]
async fn listing_documents_and_refused_reads_of_a_family_are_audited() {
    let w = world().await;
    let app = &w.app;
    let (referral, _jo, _chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let family = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!("/api/v1/referrals/{id}"),
            None,
            200,
        )
        .await["family_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let documents = format!("/api/v1/referrals/{id}/attachments");

    // The centre lists the documents: a read, naming the centre.
    app.json_of(Method::GET, Some(&w.coordinator), &documents, None, 200)
        .await;
    let about = entries_about(app, &w.admin, id).await;
    let listed = about
        .iter()
        .find(|e| e["action"] == "list_attachments")
        .expect("the list is audited");
    assert_eq!(listed["outcome"], "success");
    assert_eq!(listed["centre_id"], w.supervised.as_str());
    assert!(!has(&about, "read", "denied"));

    // Another firm's solicitor probes the referral, its family and its
    // documents: each refusal is in the trail, naming no centre.
    let probes = [
        (format!("/api/v1/referrals/{id}"), "read", id.to_owned()),
        (documents.clone(), "list_attachments", id.to_owned()),
        (
            format!("{documents}/{}", uuid::Uuid::now_v7()),
            "read_attachment",
            id.to_owned(),
        ),
        (format!("/api/v1/families/{family}"), "read", family.clone()),
    ];
    for (path, _, _) in &probes {
        let r = app.get_as(&w.other_solicitor, path).await;
        assert_eq!(r.status(), 404, "{path}");
    }
    for (path, action, resource) in &probes {
        let denied: Vec<Value> = entries_about(app, &w.admin, resource)
            .await
            .into_iter()
            .filter(|e| e["action"] == *action && e["outcome"] == "denied")
            .collect();
        assert_eq!(denied.len(), 1, "{path}: {denied:?}");
        assert_eq!(denied[0]["actor_role"], "referrer");
        assert!(denied[0]["centre_id"].is_null(), "{path}");
    }
    // Staff may see the referral but not its documents: a 403, also audited.
    assert_eq!(app.get_as(&w.staff, &documents).await.status(), 403);
    let about = entries_about(app, &w.admin, id).await;
    assert!(about.iter().any(|e| e["action"] == "list_attachments"
        && e["outcome"] == "denied"
        && e["actor_role"] == "staff"));
}

#[tokio::test]
async fn a_drafts_audit_entries_name_no_centre_until_it_is_sent() {
    let w = world().await;
    let app = &w.app;
    let mut draft = family(&w.supervised, "supervised", "none");
    draft["submit"] = json!(false);
    let created = app
        .json_of(
            Method::POST,
            Some(&w.solicitor),
            "/api/v1/referrals",
            Some(&draft),
            201,
        )
        .await;
    let id = created["id"].as_str().unwrap();
    app.json_of(
        Method::GET,
        Some(&w.solicitor),
        &format!("/api/v1/referrals/{id}"),
        None,
        200,
    )
    .await;
    let about = entries_about(app, &w.admin, id).await;
    assert!(has(&about, "create", "success") && has(&about, "read", "success"));
    assert!(about.iter().all(|e| e["centre_id"].is_null()), "{about:?}");
    // The centre's trail does not show that a draft exists.
    let centre = app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!("/api/v1/audit?resource_id={id}"),
            None,
            200,
        )
        .await;
    assert_eq!(centre["items"], json!([]));
    // Once sent, the referral's entries name the centre.
    app.json_of(
        Method::POST,
        Some(&w.solicitor),
        &format!("/api/v1/referrals/{id}/submit"),
        None,
        200,
    )
    .await;
    let about = entries_about(app, &w.admin, id).await;
    let submitted = about.iter().find(|e| e["action"] == "submit").unwrap();
    assert_eq!(submitted["centre_id"], w.supervised.as_str());
}
