//! The centre's case notes: its coordinators alone write and read them.

use super::*;

#[tokio::test]
async fn case_notes_are_the_coordinators_alone() {
    let w = world().await;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let path = format!("/api/v1/referrals/{id}");
    let notes = format!("{path}/notes");
    let note = json!({"text": "Note: Chris asked to arrive by the side door"});
    // A case change: without the case's tag, 428; with a stale one, 412.
    w.app
        .json_of(Method::POST, Some(&w.coordinator), &notes, Some(&note), 428)
        .await;
    let tag = w.app.etag(&w.coordinator, &path).await;
    w.app
        .json_if_match(Method::POST, &w.coordinator, &notes, &note, "\"0\"", 412)
        .await;
    // Only the coordinators write.
    for token in [&w.staff, &w.solicitor, &jo] {
        w.app
            .json_if_match(Method::POST, token, &notes, &note, &tag, 403)
            .await;
    }
    w.app
        .json_if_match(Method::POST, &w.other_solicitor, &notes, &note, &tag, 404)
        .await;
    let blank = w
        .app
        .json_if_match(
            Method::POST,
            &w.coordinator,
            &notes,
            &json!({"text": " "}),
            &tag,
            422,
        )
        .await;
    assert_eq!(blank["errors"][0]["field"], "text");
    let written = w
        .app
        .json_if_match(Method::POST, &w.coordinator, &notes, &note, &tag, 201)
        .await;
    assert_eq!(written["text"], note["text"]);
    assert_ne!(w.app.etag(&w.coordinator, &path).await, tag);
    // Only the coordinators read them; nobody else finds them anywhere.
    let listed = w
        .app
        .json_of(Method::GET, Some(&w.coordinator), &notes, None, 200)
        .await;
    assert_eq!(listed["items"][0]["id"], written["id"]);
    for token in [&w.staff, &w.solicitor, &jo, &chris] {
        w.app
            .json_of(Method::GET, Some(token), &notes, None, 403)
            .await;
        let view = w
            .app
            .json_of(Method::GET, Some(token), &path, None, 200)
            .await;
        assert!(!view.to_string().contains("side door"));
    }
}
