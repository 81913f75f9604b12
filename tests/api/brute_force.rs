//! Failed logins are limited per account and per client address; the answer does
//! not say whether the email has an account. Client addresses come from
//! `X-Forwarded-For`, as behind the load balancer the service trusts.

use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

async fn attempt(app: &TestApp, email: &str, password: &str, addr: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", addr)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_eleventh_failure_for_an_account_is_429_with_retry_after_whether_or_not_it_exists() {
    let app = spawn_app_with(&[
        ("LOGIN_MAX_FAILURES", "10"),
        ("TRUST_FORWARDED_FOR", "true"),
    ])
    .await;
    for (net, email) in [(1, ADMIN_EMAIL), (2, "nobody@nowhere.org")] {
        let mut bodies = Vec::new();
        for n in 0..10 {
            let r = attempt(
                &app,
                email,
                "wrong password guess",
                &format!("198.51.{net}.{n}"),
            )
            .await;
            assert_eq!(r.status(), 401);
            let body: Value = r.json().await.unwrap();
            bodies.push(body["detail"].clone());
        }
        // Same problem whether or not the account exists.
        assert_eq!(bodies[0], "the email or password is wrong");
        let limited = attempt(
            &app,
            email,
            "wrong password guess",
            &format!("198.51.{net}.99"),
        )
        .await;
        assert_eq!(limited.status(), 429, "{email}");
        let retry: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0 && retry <= 900, "{retry}");
    }
    // While limited, even the right password is refused.
    assert_eq!(
        attempt(&app, ADMIN_EMAIL, ADMIN_PASSWORD, "203.0.113.1")
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn failures_from_one_address_across_accounts_are_limited() {
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES", "5"), ("TRUST_FORWARDED_FOR", "true")]).await;
    for n in 0..5 {
        let r = attempt(
            &app,
            &format!("user{n}@spray.org"),
            "wrong password guess",
            "192.0.2.7",
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    let limited = attempt(
        &app,
        "another@spray.org",
        "wrong password guess",
        "192.0.2.7",
    )
    .await;
    assert_eq!(limited.status(), 429);
    // Another address is not affected.
    assert_eq!(
        attempt(&app, ADMIN_EMAIL, ADMIN_PASSWORD, "192.0.2.8")
            .await
            .status(),
        200
    );
    let denied = app
        .query_texts("SELECT count(*)::text AS value FROM audit_events WHERE action = 'login' AND outcome = 'denied'")
        .await;
    assert_eq!(denied, vec!["6"]);
}
