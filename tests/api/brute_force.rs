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

/// Wrong guesses until the limit, then the next status, for each address.
async fn statuses(app: &TestApp, email: &str, forwarded: &[&str]) -> Vec<u16> {
    let mut got = Vec::new();
    for addr in forwarded {
        got.push(
            attempt(app, email, "wrong password guess", addr)
                .await
                .status()
                .as_u16(),
        );
    }
    got
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_trusted_and_then_its_last_hop_counts() {
    // Not trusted: every request comes from the test's own address, whatever
    // the header claims, so three guesses "from three addresses" are one's.
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES", "3")]).await;
    let got = statuses(
        &app,
        ADMIN_EMAIL,
        &["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"],
    )
    .await;
    assert_eq!(got, [401, 401, 401, 429]);

    // Trusted: the hop the load balancer appended (the last) is the address;
    // the hops before it are the client's to forge and change nothing.
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES", "3"), ("TRUST_FORWARDED_FOR", "true")]).await;
    let forged = [
        "1.1.1.1, 192.0.2.9",
        "2.2.2.2, 192.0.2.9",
        "3.3.3.3,192.0.2.9",
        "4.4.4.4, 192.0.2.9",
    ];
    assert_eq!(
        statuses(&app, ADMIN_EMAIL, &forged).await,
        [401, 401, 401, 429]
    );
    // The address is limited for any account; another last hop is another
    // address, even with the same first hop. (Another account, as the admin's
    // own failures now space its attempts out wherever they come from.)
    let other = "nobody@nowhere.org";
    assert_eq!(statuses(&app, other, &["5.5.5.5, 192.0.2.9"]).await, [429]);
    assert_eq!(statuses(&app, other, &["1.1.1.1, 192.0.2.10"]).await, [401]);
}

#[tokio::test]
async fn parallel_guesses_through_two_instances_get_exactly_the_limit() {
    let database_url = crate::helpers::fresh_database().await;
    let limits = [("LOGIN_MAX_FAILURES", "5"), ("TRUST_FORWARDED_FOR", "true")];
    let first = crate::helpers::spawn_app_on(&database_url, &limits).await;
    let second = crate::helpers::spawn_app_on(&database_url, &limits).await;
    let guesses = (0..24).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        async move {
            attempt(app, ADMIN_EMAIL, "wrong password guess", "198.51.100.7")
                .await
                .status()
                .as_u16()
        }
    });
    let got = futures_util::future::join_all(guesses).await;
    let wrong = got.iter().filter(|s| **s == 401).count();
    let limited = got.iter().filter(|s| **s == 429).count();
    assert_eq!((wrong, limited), (5, 19), "{got:?}");
}

#[tokio::test]
async fn a_wrong_current_password_counts_as_a_failed_login() {
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES", "2")]).await;
    let token = app.admin_token().await;
    let change = |current: &'static str| {
        let body = json!({"current_password": current, "new_password": "a brand new pass phrase"});
        let token = token.clone();
        let app = &app;
        async move {
            app.post_json(Some(&token), "/api/v1/auth/password", &body)
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(change("wrong guess one").await, 422);
    assert_eq!(change("wrong guess two").await, 422);
    // The third guess, even the right one, waits; so does a login from there.
    assert_eq!(change(ADMIN_PASSWORD).await, 429);
    let login = app
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": ADMIN_EMAIL, "password": "another guess"}),
        )
        .await;
    assert_eq!(login.status(), 429);
}

#[tokio::test]
async fn the_limit_lifts_when_the_window_passes() {
    let app = spawn_app_with(&[
        ("LOGIN_MAX_FAILURES", "2"),
        ("LOGIN_WINDOW_SECS", "2"),
        ("TRUST_FORWARDED_FOR", "true"),
    ])
    .await;
    let addr = ["203.0.113.50"];
    assert_eq!(statuses(&app, ADMIN_EMAIL, &addr).await, [401]);
    assert_eq!(statuses(&app, ADMIN_EMAIL, &addr).await, [401]);
    let limited = attempt(&app, ADMIN_EMAIL, "wrong password guess", addr[0]).await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    assert_eq!(
        attempt(&app, ADMIN_EMAIL, ADMIN_PASSWORD, addr[0])
            .await
            .status(),
        200,
        "the window has passed"
    );
}

/// Client secrets are guessed no faster than passwords: wrong secrets, or
/// made-up client ids, from one address meet 429 at the limit, and the trail
/// holds only the failures; the client at its own address still gets tokens.
#[tokio::test]
async fn client_secret_guesses_are_limited_like_passwords() {
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES", "5"), ("TRUST_FORWARDED_FOR", "true")]).await;
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Centre").await;
    let created = crate::builders::integration_client(
        &app,
        &admin,
        json!({"centre_id": centre}),
        json!(["centres:read"]),
    )
    .await;
    let client_id = created["client"]["id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    let token = |id: String, secret: String, addr: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/token"))
            .header("x-forwarded-for", addr)
            .form(&[
                ("grant_type", "client_credentials".to_owned()),
                ("client_id", id),
                ("client_secret", secret),
            ])
            .send()
    };
    // The client's own address, known from a token it was given.
    let own = token(client_id.clone(), secret.clone(), "192.0.2.50")
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    for n in 0..5 {
        let r = token(client_id.clone(), format!("guess-{n}"), "192.0.2.66")
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let limited = token(client_id.clone(), secret.clone(), "192.0.2.66")
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    // Made-up ids from another address count towards that address's limit.
    for n in 0..5 {
        let r = token(
            uuid::Uuid::now_v7().to_string(),
            format!("guess-{n}"),
            "192.0.2.67",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 401);
    }
    let limited = token(uuid::Uuid::now_v7().to_string(), "x".into(), "192.0.2.67")
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    // The client is not held up where it works from.
    let own = token(client_id.clone(), secret.clone(), "192.0.2.50")
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let denied = app
        .query_texts("SELECT count(*)::text AS value FROM audit_events WHERE action = 'token' AND outcome = 'denied'")
        .await;
    assert_eq!(denied, vec!["10"]);
}

/// Requests anyone may make without signing in, for ever-new email
/// addresses, are limited per client address (each email address has its own
/// allowance besides): one address cannot fill the audit trail or the outbox.
#[tokio::test]
async fn one_address_cannot_flood_registrations_and_resets() {
    let app = spawn_app_with(&[
        ("TRUST_FORWARDED_FOR", "true"),
        ("UNSOLICITED_PER_ADDRESS", "12"),
    ])
    .await;
    let allowance = 12;
    let ask = |path: &'static str, n: i64, addr: &'static str| {
        let body = match path {
            "/api/v1/auth/register-parent" => {
                json!({"email": format!("p{n}@flood.example"), "name": "P"})
            }
            _ => json!({"email": format!("r{n}@flood.example")}),
        };
        app.client
            .post(app.url(path))
            .header("x-forwarded-for", addr)
            .json(&body)
            .send()
    };
    // Registrations and resets share the address's allowance.
    for n in 0..allowance {
        let path = if n % 2 == 0 {
            "/api/v1/auth/password-reset"
        } else {
            "/api/v1/auth/register-parent"
        };
        assert_eq!(ask(path, n, "203.0.113.9").await.unwrap().status(), 202);
    }
    for path in [
        "/api/v1/auth/password-reset",
        "/api/v1/auth/register-parent",
    ] {
        let limited = ask(path, allowance, "203.0.113.9").await.unwrap();
        assert_eq!(limited.status(), 429, "{path}");
        assert!(limited.headers().contains_key("retry-after"));
    }
    // Another address is not affected.
    let other = ask("/api/v1/auth/password-reset", 0, "203.0.113.10")
        .await
        .unwrap();
    assert_eq!(other.status(), 202);
    // The refusals left nothing in the trail.
    let entries = app
        .query_texts("SELECT count(*)::text AS value FROM audit_events WHERE action IN ('register', 'request_password_reset')")
        .await;
    assert_eq!(entries, vec![(allowance + 1).to_string()]);
}
