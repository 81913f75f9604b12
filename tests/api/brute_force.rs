//! Failed logins are limited per client address, per account and address
//! pair, and by a growing delay per account that spares addresses the owner
//! signed in from; the answer does
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
async fn the_eleventh_failure_from_one_address_for_an_account_is_429_whether_or_not_it_exists() {
    let app = spawn_app_with(&[
        ("LOGIN_MAX_FAILURES", "10"),
        ("TRUST_FORWARDED_FOR", "true"),
    ])
    .await;
    for (net, email) in [(1, ADMIN_EMAIL), (2, "nobody@nowhere.org")] {
        let addr = format!("198.51.{net}.1");
        let mut bodies = Vec::new();
        for _ in 0..10 {
            let r = attempt(&app, email, "wrong password guess", &addr).await;
            assert_eq!(r.status(), 401);
            let body: Value = r.json().await.unwrap();
            bodies.push(body["detail"].clone());
        }
        // Same problem whether or not the account exists.
        assert!(bodies.iter().all(|b| b == "the email or password is wrong"));
        let limited = attempt(&app, email, "wrong password guess", &addr).await;
        assert_eq!(limited.status(), 429, "{email}");
        let retry: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0 && retry <= 900, "{retry}");
    }
    // From the guessing address even the right password waits.
    assert_eq!(
        attempt(&app, ADMIN_EMAIL, ADMIN_PASSWORD, "198.51.1.1")
            .await
            .status(),
        429
    );
}

/// Guesses at one account from many addresses (a botnet) are spaced out by
/// a growing delay; the owner, at an address where they signed in before, is
/// never held up by them.
#[tokio::test]
async fn many_addresses_slow_an_account_down_but_never_lock_its_owner_out() {
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES", "5"), ("TRUST_FORWARDED_FOR", "true")]).await;
    let home = "203.0.113.10";
    assert_eq!(
        attempt(&app, ADMIN_EMAIL, ADMIN_PASSWORD, home)
            .await
            .status(),
        200
    );
    // Five guesses from five addresses are answered; the account then takes
    // one attempt at a time, the next after a second.
    for n in 0..5 {
        let r = attempt(
            &app,
            ADMIN_EMAIL,
            "wrong password guess",
            &format!("192.0.2.{n}"),
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    // An attack already well under way: a dozen more failures, from a dozen
    // more addresses, in the last half minute.
    let added = app
        .query_texts(&format!(
            "WITH added AS (INSERT INTO login_attempts (email_key, client_addr, succeeded, at) \
             SELECT encode(sha256(convert_to('{ADMIN_EMAIL}', 'UTF8')), 'hex'), \
                    '198.18.0.' || n, false, now() - interval '30 seconds' + n * interval '1 second' \
             FROM generate_series(1, 12) AS n RETURNING 1) \
             SELECT count(*)::text AS value FROM added"
        ))
        .await;
    assert_eq!(added, ["12"]);
    // A fresh address now waits out the account's delay (at most a minute),
    // whatever password it brings.
    for password in ["wrong password guess", ADMIN_PASSWORD] {
        let held = attempt(&app, ADMIN_EMAIL, password, "192.0.2.200").await;
        assert_eq!(held.status(), 429);
        let retry: u64 = held.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // The owner at home: a neighbour on the same network guessing at other
    // accounts, and the owner's own typo, do not hold the owner back.
    for n in 0..5 {
        let stranger = format!("someone{n}@elsewhere.org");
        attempt(&app, &stranger, "wrong password guess", home).await;
    }
    assert_eq!(
        attempt(&app, "someone@elsewhere.org", "wrong password guess", home)
            .await
            .status(),
        429,
        "the address itself is limited for strangers"
    );
    assert_eq!(
        attempt(&app, ADMIN_EMAIL, "a typo of mine", home)
            .await
            .status(),
        401
    );
    assert_eq!(
        attempt(&app, ADMIN_EMAIL, ADMIN_PASSWORD, home)
            .await
            .status(),
        200
    );
    // Away from home, the owner proves the mailbox with a reset link; the
    // address it is used from is then known, and the login goes through.
    let away = "192.0.2.200";
    app.client
        .post(app.url("/api/v1/auth/password-reset"))
        .json(&json!({"email": ADMIN_EMAIL}))
        .send()
        .await
        .unwrap();
    let token = app.outbox_token(ADMIN_EMAIL, "password_reset").await;
    let new_password = "a brand new passphrase for the owner";
    let reset = app
        .client
        .post(app.url("/api/v1/auth/password-reset/confirm"))
        .header("x-forwarded-for", away)
        .json(&json!({"token": token, "password": new_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    assert_eq!(
        attempt(&app, ADMIN_EMAIL, new_password, away)
            .await
            .status(),
        200
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
    // Each failure is audited; the refusal that costs nothing is not, so a
    // flood of them cannot fill the append-only trail.
    let denied = app
        .query_texts("SELECT count(*)::text AS value FROM audit_events WHERE action = 'login' AND outcome = 'denied'")
        .await;
    assert_eq!(denied, vec!["5"]);
}
