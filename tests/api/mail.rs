//! Delivering the notifications outbox to a real SMTP server that the test
//! starts: a message reaches the relay with its one-time code, the code
//! works, and the outbox keeps no code once sent; a refused message is tried
//! again later, not at once.

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::helpers::{spawn_app, spawn_app_with, test_config, TestApp};

/// An SMTP server on a free local port, speaking the part of RFC 5321 a
/// client needs to send mail (EHLO or HELO, MAIL, RCPT, DATA, RSET, NOOP,
/// QUIT). Each message's data comes out of the receiver; with `refuse`,
/// DATA is answered with that reply (451: try later; 550: never) and
/// nothing is kept.
async fn smtp_server(refuse: Option<&'static str>) -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test.relay ESMTP\r\n").await.ok();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-test.relay\r\n250 8BITMIME\r\n",
                        "DATA" if refuse.is_some() => refuse.unwrap_or_default().as_bytes(),
                        "DATA" => {
                            write.write_all(b"354 end with .\r\n").await.ok();
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            tx.send(data).ok();
                            b"250 2.0.0 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 2.0.0 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 2.0.0 ok\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, rx)
}

async fn invite(app: &TestApp, email: &str) {
    let admin = app.admin_token().await;
    let centre = app.create_centre(&admin, "Mail Centre").await;
    app.json_of(
        reqwest::Method::POST,
        Some(&admin),
        "/api/v1/users",
        Some(&json!({"email": email, "name": "New Coordinator", "role": "coordinator", "centre_ids": [centre]})),
        201,
    )
    .await;
}

fn outbox_row(email: &str) -> String {
    format!(
        "SELECT concat_ws('|', sent_at IS NOT NULL, payload ? 'token', attempts, \
         next_attempt_at > now() + interval '50 seconds', coalesce(last_error, '')) AS value \
         FROM notifications_outbox WHERE recipient = '{email}'"
    )
}

#[tokio::test]
async fn an_invitation_reaches_the_relay_and_its_code_leaves_the_outbox() {
    let (port, mut mail) = smtp_server(None).await;
    let relay = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[
        ("MAIL_TRANSPORT", "smtp"),
        ("SMTP_URL", &relay),
        ("JOBS_INTERVAL_SECS", "1"),
    ])
    .await;
    invite(&app, "new.coordinator@mail.example").await;
    // The jobs deliver it within a pass or two.
    let message = tokio::time::timeout(std::time::Duration::from_secs(30), mail.recv())
        .await
        .expect("the message reaches the relay")
        .unwrap();
    assert!(
        message.contains("To: new.coordinator@mail.example"),
        "{message}"
    );
    assert!(message.contains("Subject: You are invited"), "{message}");
    let code = message
        .lines()
        .find_map(|l| l.strip_prefix("Your one-time code: "))
        .expect("the code in the message")
        .trim()
        .to_owned();
    // The code in the mail works, once.
    app.json_of(
        reqwest::Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&json!({"token": code, "password": "a long enough password 1"})),
        204,
    )
    .await;
    app.login("new.coordinator@mail.example", "a long enough password 1")
        .await;
    // Sent, and the outbox no longer holds a working code.
    let row = app
        .query_texts(&outbox_row("new.coordinator@mail.example"))
        .await;
    assert_eq!(row.len(), 1);
    assert!(row[0].starts_with("t|f|0|"), "{row:?}");
}

#[tokio::test]
async fn a_refused_message_is_tried_again_later_not_at_once() {
    let app = spawn_app().await;
    invite(&app, "later@mail.example").await;
    let (refusing, _) = smtp_server(Some("451 4.3.0 try again later\r\n")).await;
    let config = |port: u16| {
        test_config(
            &app.database_url,
            &[
                ("MAIL_TRANSPORT", "smtp"),
                ("SMTP_URL", &format!("smtp://127.0.0.1:{port}")),
            ],
        )
    };
    let mailer = ccc::notifications::delivery::Mailer::from_config(&config(refusing))
        .unwrap()
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let pass = ccc::jobs::deliver(&app.pool, &mailer, now).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (0, 1));
    let row = app.query_texts(&outbox_row("later@mail.example")).await;
    // Not sent, the code kept for the next try, a minute away, and why.
    assert!(row[0].starts_with("f|t|1|t|"), "{row:?}");
    assert!(row[0].contains("451"), "{row:?}");
    // Nothing is due again at once.
    let again = ccc::jobs::deliver(&app.pool, &mailer, now).await.unwrap();
    assert_eq!((again.sent, again.failed), (0, 0));
    // A minute on, a working relay takes it.
    let (working, mut mail) = smtp_server(None).await;
    let mailer = ccc::notifications::delivery::Mailer::from_config(&config(working))
        .unwrap()
        .unwrap();
    let later = now + time::Duration::seconds(61);
    let pass = ccc::jobs::deliver(&app.pool, &mailer, later).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (1, 0));
    assert!(mail.recv().await.unwrap().contains("later@mail.example"));
    let row = app.query_texts(&outbox_row("later@mail.example")).await;
    assert!(row[0].starts_with("t|f|1|"), "{row:?}");
}

#[tokio::test]
async fn a_message_refused_for_good_is_given_up_and_keeps_no_code() {
    let app = spawn_app().await;
    invite(&app, "never@mail.example").await;
    let (refusing, _) = smtp_server(Some("550 5.1.1 <never@mail.example>: no such user\r\n")).await;
    let config = test_config(
        &app.database_url,
        &[
            ("MAIL_TRANSPORT", "smtp"),
            ("SMTP_URL", &format!("smtp://127.0.0.1:{refusing}")),
        ],
    );
    let mailer = ccc::notifications::delivery::Mailer::from_config(&config)
        .unwrap()
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let pass = ccc::jobs::deliver(&app.pool, &mailer, now).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (0, 1));
    let row = app
        .query_texts(
            "SELECT concat_ws('|', abandoned_at IS NOT NULL, payload ? 'token', last_error) AS value \
             FROM notifications_outbox WHERE recipient = 'never@mail.example'",
        )
        .await;
    // Given up, without its code, and the error without the address.
    assert!(row[0].starts_with("t|f|"), "{row:?}");
    assert!(
        row[0].contains("550") && !row[0].contains("never@mail.example"),
        "{row:?}"
    );
    // Never tried again, however late.
    let later = now + time::Duration::days(2);
    let again = ccc::jobs::deliver(&app.pool, &mailer, later).await.unwrap();
    assert_eq!((again.sent, again.failed), (0, 0));
}

#[test]
fn a_relay_with_credentials_is_refused_without_tls() {
    let config = test_config(
        "postgres://localhost/none",
        &[
            ("MAIL_TRANSPORT", "smtp"),
            ("SMTP_URL", "smtp://user:secret@relay.example:587"),
        ],
    );
    let refused = ccc::notifications::delivery::Mailer::from_config(&config).err();
    assert!(refused.is_some_and(|e| e.contains("TLS")));
}

#[tokio::test]
async fn make_runs_messages_are_files_a_newcomer_opens() {
    let dir = std::env::temp_dir().join(format!("ccc-mail-{}", uuid::Uuid::now_v7()));
    let app = spawn_app_with(&[
        ("MAIL_TRANSPORT", "files"),
        ("MAIL_DIR", dir.to_str().unwrap()),
        ("JOBS_INTERVAL_SECS", "1"),
    ])
    .await;
    invite(&app, "file.reader@mail.example").await;
    let mut found = None;
    for _ in 0..60 {
        if let Some(entry) = std::fs::read_dir(&dir).unwrap().flatten().next() {
            found = Some(entry.path());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let path = found.expect("a message written within 30 seconds");
    assert_eq!(path.extension().and_then(|e| e.to_str()), Some("eml"));
    // Its owner alone reads it: it holds a live code.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("To: file.reader@mail.example"), "{text}");
    let code = text
        .lines()
        .find_map(|l| l.strip_prefix("Your one-time code: "))
        .expect("the code")
        .trim()
        .to_owned();
    app.json_of(
        reqwest::Method::POST,
        None,
        "/api/v1/auth/accept-invitation",
        Some(&json!({"token": code, "password": "a long enough password 1"})),
        204,
    )
    .await;
    std::fs::remove_dir_all(&dir).ok();
}
