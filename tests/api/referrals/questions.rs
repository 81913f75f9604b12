//! The centre's questions: to the referrer's side or one party; the referral
//! waits for every answer; only the centre and the recipient see a question.

use super::*;

async fn post(w: &World, token: &str, path: &str, body: Value, status: u16) -> Value {
    w.app
        .json_of(Method::POST, Some(token), path, Some(&body), status)
        .await
}

async fn get(w: &World, token: &str, path: &str, status: u16) -> Value {
    w.app
        .json_of(Method::GET, Some(token), path, None, status)
        .await
}

#[tokio::test]
async fn a_question_waits_for_its_answer_and_only_its_recipient_sees_it() {
    let w = world().await;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let jo_id = adult(&referral, "Jo Smith")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let questions = format!("/api/v1/referrals/{id}/questions");
    // Not before the review.
    let early = post(
        &w,
        &w.coordinator,
        &questions,
        json!({"to": "referrer", "question": "Any order?"}),
        409,
    )
    .await;
    assert_eq!(early["allowed_moves"], json!(["review", "close"]));
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{id}/review"),
        json!({"reason": "Checks"}),
        200,
    )
    .await;
    // A party question names its party, a party of this referral.
    let bad = post(
        &w,
        &w.coordinator,
        &questions,
        json!({"to": "party", "question": "When?"}),
        422,
    )
    .await;
    assert_eq!(bad["errors"][0]["field"], "adult_id");
    let stranger = uuid::Uuid::now_v7();
    let bad = post(
        &w,
        &w.coordinator,
        &questions,
        json!({"to": "party", "adult_id": stranger, "question": "When?"}),
        422,
    )
    .await;
    assert_eq!(bad["errors"][0]["field"], "adult_id");
    // Only the centre's coordinators ask.
    post(
        &w,
        &w.solicitor,
        &questions,
        json!({"to": "referrer", "question": "x"}),
        403,
    )
    .await;
    let to_jo = w
        .app
        .post_json(Some(&w.coordinator), &questions,
            &json!({"to": "party", "adult_id": jo_id, "question": "Jo, does Chris know the new address?"}))
        .await;
    assert_eq!(to_jo.status(), 201);
    let location = to_jo.headers()["location"].to_str().unwrap().to_owned();
    let to_jo: Value = to_jo.json().await.unwrap();
    assert_eq!(
        location,
        format!("{questions}/{}", to_jo["id"].as_str().unwrap())
    );
    let to_referrer = post(
        &w,
        &w.coordinator,
        &questions,
        json!({"to": "referrer", "question": "Is there a newer order?"}),
        201,
    )
    .await;
    let read = get(&w, &w.coordinator, &format!("/api/v1/referrals/{id}"), 200).await;
    assert_eq!(read["status"], "info_requested");
    let waiting: Vec<&str> = read["pending"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["what"] == "answer")
        .map(|p| p["from"].as_str().unwrap())
        .collect();
    assert_eq!(waiting, ["Jo Smith", "Sam Patel"]);
    // Jo was told there is a question, not what it is.
    let told = w
        .app
        .outbox_payload("jo@example.org", "referral_question")
        .await;
    assert!(!told.to_string().contains("address"), "{told}");

    // Each recipient reads their own; Chris and staff read none.
    let listed = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["question"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        listed(&get(&w, &w.coordinator, &questions, 200).await).len(),
        2
    );
    assert_eq!(
        listed(&get(&w, &jo, &questions, 200).await),
        ["Jo, does Chris know the new address?"]
    );
    assert_eq!(
        listed(&get(&w, &w.solicitor, &questions, 200).await),
        ["Is there a newer order?"]
    );
    for token in [&chris, &w.staff] {
        assert!(listed(&get(&w, token, &questions, 200).await).is_empty());
        get(&w, token, &location, 404).await;
        let pending =
            get(&w, token, &format!("/api/v1/referrals/{id}"), 200).await["pending"].to_string();
        assert!(!pending.contains("answer"), "{pending}");
        post(
            &w,
            token,
            &format!("{location}/answer"),
            json!({"answer": "x"}),
            404,
        )
        .await;
    }
    // The referrer's side waits on its own answer only: Jo's question is not its to know.
    let solicitor_view = get(&w, &w.solicitor, &format!("/api/v1/referrals/{id}"), 200).await;
    let answers_awaited: Vec<&str> = solicitor_view["pending"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["what"] == "answer")
        .map(|p| p["from"].as_str().unwrap())
        .collect();
    assert_eq!(answers_awaited, ["Sam Patel"]);

    // The centre does not answer its own question; Jo does, once.
    post(
        &w,
        &w.coordinator,
        &format!("{location}/answer"),
        json!({"answer": "Yes"}),
        403,
    )
    .await;
    let answered = post(
        &w,
        &jo,
        &format!("{location}/answer"),
        json!({"answer": "No, and he must not."}),
        200,
    )
    .await;
    assert_eq!(answered["answer"], "No, and he must not.");
    post(
        &w,
        &jo,
        &format!("{location}/answer"),
        json!({"answer": "Again"}),
        409,
    )
    .await;
    let read = get(&w, &w.coordinator, &format!("/api/v1/referrals/{id}"), 200).await;
    assert_eq!(
        read["status"], "info_requested",
        "the referrer's answer is awaited"
    );
    let referrer_question = format!("{questions}/{}/answer", to_referrer["id"].as_str().unwrap());
    post(
        &w,
        &w.solicitor,
        &referrer_question,
        json!({"answer": "No newer order."}),
        200,
    )
    .await;
    let read = get(&w, &w.coordinator, &format!("/api/v1/referrals/{id}"), 200).await;
    assert_eq!(read["status"], "under_review");
    // The firm's read-only client reads the questions to its side, too.
    let client = crate::builders::integration_client(
        &w.app,
        &w.admin,
        json!({"organisation_id": w.organisation}),
        json!(["referrals:read"]),
    )
    .await;
    let read_only = crate::builders::client_token(&w.app, &client, None).await;
    assert_eq!(
        listed(&get(&w, &read_only, &questions, 200).await),
        ["Is there a newer order?"]
    );
    let answers = get(&w, &w.coordinator, &questions, 200).await;
    assert!(answers["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["answered_at"].is_string()));
}

#[tokio::test]
async fn the_other_party_sees_no_rationale_question_or_centre_note() {
    let w = world().await;
    let (referral, jo, chris) = referred_and_completed(&w).await;
    let id = referral["id"].as_str().unwrap();
    let jo_id = adult(&referral, "Jo Smith")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{id}/review"),
        json!({"reason": "Centre note: police check pending on Chris"}),
        200,
    )
    .await;
    post(&w, &w.coordinator, &format!("/api/v1/referrals/{id}/questions"),
        json!({"to": "party", "adult_id": jo_id, "question": "Question for Jo about the injunction"}), 201).await;
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{id}/decline"),
        json!({
            "reason": "risk_too_high",
            "words_for_family": "We cannot offer contact here.",
            "rationale": "Rationale: injunction breached in November"
        }),
        200,
    )
    .await;
    for (token, sees_question) in [(&chris, false), (&jo, true)] {
        let view = get(&w, token, &format!("/api/v1/referrals/{id}"), 200)
            .await
            .to_string();
        let questions = get(&w, token, &format!("/api/v1/referrals/{id}/questions"), 200)
            .await
            .to_string();
        for secret in ["Centre note", "Rationale:", "risk_too_high"] {
            assert!(!view.contains(secret), "{secret} in {view}");
        }
        assert_eq!(
            questions.contains("Question for Jo"),
            sees_question,
            "{questions}"
        );
        assert!(!view.contains("Question for Jo"));
        assert!(view.contains("We cannot offer contact here."));
    }
}

/// A parent who referred themselves is both the referrer's side and a party:
/// a question to them as either reaches them. Outside the centre a referral
/// waiting for an answer reads as under review, so the other party does not
/// learn that a question was asked, nor can find it by filter.
#[tokio::test]
async fn a_self_referring_parent_answers_as_a_party_and_the_wait_reads_as_review() {
    let w = world().await;
    let app = &w.app;
    let jo = registered_parent(app, "jo@example.org").await;
    let mut body = family(&w.supervised, "supported", "direct");
    body["adults"][0]["self"] = json!(true);
    body["referrer"] = Value::Null;
    let referral = app
        .json_of(
            Method::POST,
            Some(&jo),
            "/api/v1/referrals",
            Some(&body),
            201,
        )
        .await;
    let id = referral["id"].as_str().unwrap();
    let chris = invited_parent(app, "chris@example.org").await;
    let chris_id = adult(&referral, "Chris Smith")["id"].as_str().unwrap();
    post(
        &w,
        &chris,
        &format!("/api/v1/referrals/{id}/parties/{chris_id}/part"),
        json!({"consents_to_contact": true}),
        200,
    )
    .await;
    post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{id}/review"),
        json!({"reason": "Checks"}),
        200,
    )
    .await;
    let jo_id = adult(&referral, "Jo Smith")["id"].as_str().unwrap();
    let asked = post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{id}/questions"),
        json!({"to": "party", "adult_id": jo_id, "question": "Which Saturdays suit?"}),
        201,
    )
    .await;
    let question = format!(
        "/api/v1/referrals/{id}/questions/{}",
        asked["id"].as_str().unwrap()
    );
    get(&w, &jo, &question, 200).await;
    // Inside the centre the wait shows; outside it reads as review, and the
    // filter finds it as it reads.
    assert_eq!(
        get(&w, &w.coordinator, &format!("/api/v1/referrals/{id}"), 200).await["status"],
        "info_requested"
    );
    for token in [&jo, &chris] {
        assert_eq!(
            get(&w, token, &format!("/api/v1/referrals/{id}"), 200).await["status"],
            "under_review"
        );
        let listed = get(&w, token, "/api/v1/referrals?status=under_review", 200).await;
        assert_eq!(listed["items"][0]["status"], "under_review");
        let listed = get(&w, token, "/api/v1/referrals?status=info_requested", 200).await;
        assert!(listed["items"].as_array().unwrap().is_empty(), "{listed}");
    }
    post(
        &w,
        &jo,
        &format!("{question}/answer"),
        json!({"answer": "The first and third"}),
        200,
    )
    .await;
    assert_eq!(
        get(&w, &w.coordinator, &format!("/api/v1/referrals/{id}"), 200).await["status"],
        "under_review"
    );
    // Once the referral ends, its questions are closed.
    let late = post(
        &w,
        &w.coordinator,
        &format!("/api/v1/referrals/{id}/questions"),
        json!({"to": "party", "adult_id": jo_id, "question": "One more?"}),
        201,
    )
    .await;
    post(
        &w,
        &jo,
        &format!("/api/v1/referrals/{id}/withdraw"),
        json!({"reason": "Agreed between us"}),
        200,
    )
    .await;
    post(
        &w,
        &jo,
        &format!(
            "/api/v1/referrals/{id}/questions/{}/answer",
            late["id"].as_str().unwrap()
        ),
        json!({"answer": "Too late"}),
        409,
    )
    .await;
}
