//! The centre's decisions: review, accept, decline, waitlist, close; the
//! referrer's side withdraws. Each move keeps its reason at its visibility; an
//! illegal one is a 409 naming the caller's moves.

use super::*;

async fn move_as(w: &World, token: &str, id: &str, route: &str, body: Value, status: u16) -> Value {
    w.app
        .json_of(
            Method::POST,
            Some(token),
            &format!("/api/v1/referrals/{id}/{route}"),
            Some(&body),
            status,
        )
        .await
}

#[tokio::test]
async fn an_illegal_move_lists_the_allowed_ones() {
    let w = world().await;
    let (referral, jo, _) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    assert_eq!(referral["status"], "submitted");
    assert!(referral["received_at"].is_string(), "{referral}");
    // Accepting before the review: refused, naming what the coordinator may do.
    let refused = move_as(
        &w,
        &w.coordinator,
        id,
        "accept",
        json!({"reason": "Fine"}),
        409,
    )
    .await;
    assert_eq!(refused["type"], "/problems/illegal-move");
    assert_eq!(refused["current_status"], "submitted");
    assert_eq!(refused["allowed_moves"], json!(["review", "close"]));
    // Not the referrer's move, nor a parent's, nor staff's: 403, whatever the status.
    for token in [&w.solicitor, &jo, &w.staff] {
        move_as(&w, token, id, "review", json!({"reason": "x"}), 403).await;
    }
    // Nothing was written by the refusals.
    let read = w
        .app
        .json_of(
            Method::GET,
            Some(&w.coordinator),
            &format!("/api/v1/referrals/{id}"),
            None,
            200,
        )
        .await;
    assert_eq!(read["status"], "submitted");
    // A blank reason is a field error, and writes nothing.
    let problem = move_as(
        &w,
        &w.coordinator,
        id,
        "review",
        json!({"reason": "  "}),
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "reason");
    let reviewed = move_as(
        &w,
        &w.coordinator,
        id,
        "review",
        json!({"reason": "Assigned to Sam"}),
        200,
    )
    .await;
    assert_eq!(reviewed["status"], "under_review");
    assert_eq!(reviewed["pending"][0]["what"], "centre_review");
    // Once closed, nobody has a move left.
    let closed = move_as(
        &w,
        &w.coordinator,
        id,
        "close",
        json!({"outcome": "court_decision", "reason": "Final order made", "visibility": "shared"}),
        200,
    )
    .await;
    assert_eq!(
        (closed["status"].as_str(), closed["outcome"].as_str()),
        (Some("closed"), Some("court_decision"))
    );
    let refused = move_as(
        &w,
        &w.solicitor,
        id,
        "withdraw",
        json!({"reason": "Agreed"}),
        409,
    )
    .await;
    assert_eq!(refused["allowed_moves"], json!([]));
}

#[tokio::test]
async fn a_declined_family_reads_the_words_for_it_never_the_rationale() {
    let w = world().await;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let keswick = centre(
        &w.app,
        &w.admin,
        "Keswick Contact Centre",
        &["supervised"],
        54.6,
    )
    .await;
    move_as(
        &w,
        &w.coordinator,
        id,
        "review",
        json!({"reason": "Checks made"}),
        200,
    )
    .await;
    let declined = move_as(&w, &w.coordinator, id, "decline", json!({
        "reason": "risk_too_high",
        "words_for_family": "We cannot offer supervised contact safely here; the centres below may.",
        "rationale": "Police disclosure shows a recent breach of the non-molestation order."
    }), 200).await;
    assert_eq!(declined["referral"]["status"], "declined");
    assert_eq!(declined["referral"]["decline_reason"], "risk_too_high");
    assert!(declined["referral"]["decline_rationale"]
        .as_str()
        .unwrap()
        .contains("Police"));
    // The nearest other centre that offers the service is named.
    assert_eq!(
        declined["alternatives"][0]["centre_id"],
        keswick.as_str(),
        "{declined}"
    );
    for (token, sees_reason) in [
        (&w.solicitor, true),
        (&w.staff, true),
        (&jo, false),
        (&chris, false),
    ] {
        let read = w
            .app
            .json_of(
                Method::GET,
                Some(token),
                &format!("/api/v1/referrals/{id}"),
                None,
                200,
            )
            .await;
        let text = read.to_string();
        assert!(!text.contains("Police disclosure"), "{text}");
        assert!(read["decline_rationale"].is_null());
        assert_eq!(read["decline_reason"].is_string(), sees_reason, "{text}");
        assert!(
            text.contains("We cannot offer supervised contact safely here"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_referrers_side_withdraws_and_a_waitlisted_family_is_accepted() {
    let w = world().await;
    let (referral, _, _) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    move_as(
        &w,
        &w.coordinator,
        id,
        "review",
        json!({"reason": "Checks made"}),
        200,
    )
    .await;
    let waiting = move_as(
        &w,
        &w.coordinator,
        id,
        "waitlist",
        json!({"reason": "No Saturday place"}),
        200,
    )
    .await;
    assert_eq!(waiting["pending"][0]["what"], "place");
    let accepted = move_as(
        &w,
        &w.coordinator,
        id,
        "accept",
        json!({"reason": "A place came free"}),
        200,
    )
    .await;
    assert_eq!(accepted["pending"][0]["what"], "pre_visits");
    // The centre's note stays with the centre by default.
    let read = w
        .app
        .json_of(
            Method::GET,
            Some(&w.solicitor),
            &format!("/api/v1/referrals/{id}"),
            None,
            200,
        )
        .await;
    assert!(!read.to_string().contains("A place came free"));
    let withdrawn = move_as(
        &w,
        &w.solicitor,
        id,
        "withdraw",
        json!({"reason": "The parents agreed arrangements", "visibility": "shared"}),
        200,
    )
    .await;
    assert_eq!(
        (withdrawn["status"].as_str(), withdrawn["outcome"].as_str()),
        (Some("closed"), Some("withdrawn"))
    );
    let events = w
        .app
        .query_texts(&format!(
            "SELECT event_type AS value FROM domain_events WHERE resource_id = '{id}' \
             AND event_type IN ('referral.under_review', 'referral.waitlisted', 'referral.accepted', 'referral.withdrawn') ORDER BY occurred_at, id"
        ))
        .await;
    assert_eq!(events.len(), 4, "{events:?}");
}
