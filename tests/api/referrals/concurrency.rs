//! Concurrent edits of a case: reads carry the case's version as an `ETag`;
//! a case change needs it in `If-Match` (428 without), and a stale one is
//! refused (412) with nothing written.

use super::*;

async fn status_with(
    w: &World,
    method: Method,
    token: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = w
        .app
        .client
        .request(method, w.app.url(path))
        .bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_stale_if_match_is_refused() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, _) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let family = format!(
        "/api/v1/families/{}",
        referral["family_id"].as_str().unwrap()
    );
    let risk = referral["risks"][0]["id"].as_str().unwrap();
    let risk_path = format!("{path}/risks/{risk}");
    // One version for the case, whoever reads it and through which resource.
    let read = app.etag(&w.coordinator, &path).await;
    assert_eq!(read, app.etag(&jo, &path).await);
    assert_eq!(read, app.etag(&w.coordinator, &family).await);
    // Never 304: parts of a case move without its version (an offer's lapse,
    // a place in line), so a held copy is never known to be current.
    let held = status_with(
        &w,
        Method::GET,
        &w.coordinator,
        &path,
        &[("if-none-match", &read)],
    )
    .await;
    assert_eq!(held.status(), 200);
    assert!(held.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));

    // A case change without If-Match: 428, nothing written.
    let unsure = app
        .json_of(
            Method::PATCH,
            Some(&w.coordinator),
            &risk_path,
            Some(&json!({"visible_to_staff": true})),
            428,
        )
        .await;
    assert_eq!(unsure["type"], "/problems/if-match-required");
    assert_eq!(app.etag(&w.coordinator, &path).await, read);

    // Jo changes her details meanwhile: the case moves on.
    let jo_id = adult(&referral, "Jo Smith")["id"].as_str().unwrap();
    let response = w
        .app
        .client
        .patch(app.url(&format!("{family}/adults/{jo_id}")))
        .bearer_auth(&jo)
        .header("if-match", &read)
        .json(&json!({"phone": "07700 900555"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let after_jo = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(after_jo, read);
    assert_eq!(app.etag(&w.coordinator, &path).await, after_jo);

    // The coordinator's change, made against what they read before: 412,
    // naming the current tag, and nothing written.
    let stale = app
        .json_if_match(
            Method::PATCH,
            &w.coordinator,
            &risk_path,
            &json!({"visible_to_staff": true}),
            &read,
            412,
        )
        .await;
    assert_eq!(stale["type"], "/problems/stale");
    assert_eq!(stale["current_etag"], after_jo.as_str());
    let staff_view = app
        .json_of(Method::GET, Some(&w.staff), &path, None, 200)
        .await;
    assert!(risk_texts(&staff_view).is_empty());
    // Read again, then change: accepted.
    app.json_if_match(
        Method::PATCH,
        &w.coordinator,
        &risk_path,
        &json!({"visible_to_staff": true}),
        &after_jo,
        200,
    )
    .await;
    let staff_view = app
        .json_of(Method::GET, Some(&w.staff), &path, None, 200)
        .await;
    assert_eq!(risk_texts(&staff_view).len(), 1);

    // A move checks If-Match when sent (after who may move: staff get 403, not
    // the current tag); a question moves the version too.
    let now = app.etag(&w.coordinator, &path).await;
    let refused = app
        .json_if_match(
            Method::POST,
            &w.staff,
            &format!("{path}/review"),
            &json!({"reason": "x"}),
            &after_jo,
            403,
        )
        .await;
    assert!(refused.get("current_etag").is_none());
    app.json_if_match(
        Method::POST,
        &w.coordinator,
        &format!("{path}/review"),
        &json!({"reason": "Checks"}),
        &after_jo,
        412,
    )
    .await;
    app.json_if_match(
        Method::POST,
        &w.coordinator,
        &format!("{path}/review"),
        &json!({"reason": "Checks"}),
        &now,
        200,
    )
    .await;
    let reviewed = app.etag(&w.coordinator, &path).await;
    app.json_of(
        Method::POST,
        Some(&w.coordinator),
        &format!("{path}/questions"),
        Some(&json!({"to": "referrer", "question": "Any newer order?"})),
        201,
    )
    .await;
    assert_ne!(app.etag(&w.coordinator, &path).await, reviewed);
}
