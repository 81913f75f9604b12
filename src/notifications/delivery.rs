//! Delivering the outbox, run by the jobs on every instance. A pass claims
//! the due messages in a short transaction (`FOR UPDATE SKIP LOCKED`, then a
//! lease: their next attempt moved past the time a send may take), so two
//! instances never take one message and neither waits for the other; it
//! sends them with no transaction open, and marks each on its own: sent,
//! with its one-time token removed (the outbox keeps no working link once
//! the mail has it), or failed, to be tried again after a delay that doubles
//! from a minute to six hours, until a permanent refusal or the tenth try
//! ends it (`abandoned_at`). An instance that stops mid-pass leaves its
//! claimed messages to be tried again when the lease runs out.

use std::path::PathBuf;
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use time::OffsetDateTime;
use uuid::Uuid;

use super::messages::{render, Message};
use super::Template;
use crate::config::{Config, MailTransport};
use crate::db::Pool;
use crate::error::ApiError;
use crate::schema::notifications_outbox;

/// Messages taken in one pass.
pub const BATCH: i64 = 50;

/// The longest delay between two tries.
const MAX_DELAY: Duration = Duration::from_secs(6 * 3_600);

/// How long a claim holds a message: longer than a batch's sends may take
/// (each at most `SEND_TIMEOUT`).
const LEASE: time::Duration = time::Duration::minutes(30);

/// The longest one send may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// Tries before a message is given up.
pub const MAX_ATTEMPTS: i32 = 10;

/// The delay after the `attempts`-th failure: a minute, doubling, at most
/// six hours.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    Duration::from_secs(60u64 << doublings).min(MAX_DELAY)
}

enum Carrier {
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Where messages go, and as whom.
pub struct Mailer {
    carrier: Carrier,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// The configured mailer, or `None` when messages wait in the outbox
    /// (`MAIL_TRANSPORT=none`). An unusable configuration stops start-up.
    pub fn from_config(config: &Config) -> Result<Option<Self>, String> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| format!("MAIL_FROM: {e}"))?;
        let carrier = match &config.mail {
            MailTransport::None => return Ok(None),
            MailTransport::Files(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("MAIL_DIR: {e}"))?;
                Carrier::Files(dir.clone())
            }
            MailTransport::Smtp(url) => {
                let relay = Relay::parse(url.expose())
                    .ok_or("SMTP_URL: expected smtp://[user:password@]host[:port]")?;
                // Plain SMTP to a relay on a trusted network (a sidecar or
                // the host's MTA), which carries the mail on over TLS. Any
                // credentials would cross the network in the clear.
                if relay.credentials.is_some() {
                    return Err("SMTP_URL: credentials need TLS; name a relay on a trusted network that needs none".into());
                }
                let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host)
                    .port(relay.port)
                    .timeout(Some(SEND_TIMEOUT));
                Carrier::Smtp(builder.build())
            }
        };
        Ok(Some(Self {
            carrier,
            from,
            public_url: config.public_url.clone(),
        }))
    }

    /// Where messages go, to print at start.
    pub fn describe(&self) -> String {
        match &self.carrier {
            Carrier::Files(dir) => format!("messages are written to {}", dir.display()),
            Carrier::Smtp(_) => "messages are sent by SMTP".to_owned(),
        }
    }

    async fn send(&self, id: Uuid, to: &str, message: Message) -> Result<(), Failure> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| Failure::Permanent(format!("recipient: {e}")))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body)
            .map_err(|e| Failure::Permanent(format!("message: {e}")))?;
        match &self.carrier {
            Carrier::Files(dir) => {
                // The file holds a live one-time code: its owner alone reads it.
                use std::io::Write;
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .open(dir.join(format!("{id}.eml")))
                    .and_then(|mut f| f.write_all(&email.formatted()))
                    .map_err(|e| Failure::Transient(e.to_string()))
            }
            // A 5xx is the relay's final word; anything else may pass later.
            Carrier::Smtp(smtp) => {
                smtp.send(email)
                    .await
                    .map(|_| ())
                    .map_err(|e| match e.is_permanent() {
                        true => Failure::Permanent(e.to_string()),
                        false => Failure::Transient(e.to_string()),
                    })
            }
        }
    }
}

/// An SMTP relay's address, from `smtp://[user:password@]host[:port]`.
#[derive(Debug, PartialEq, Eq)]
struct Relay {
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

impl Relay {
    fn parse(url: &str) -> Option<Self> {
        let rest = url.strip_prefix("smtp://")?.trim_end_matches('/');
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((user_info, address)) => {
                let (user, password) = user_info.split_once(':')?;
                (Some((user.to_owned(), password.to_owned())), address)
            }
            None => (None, rest),
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (address, 25),
        };
        (!host.is_empty() && !host.contains('/')).then(|| Self {
            host: host.to_owned(),
            port,
            credentials,
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = notifications_outbox)]
struct Due {
    id: Uuid,
    recipient: String,
    template: String,
    payload: serde_json::Value,
    attempts: i32,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

/// Why a send failed.
#[derive(Debug)]
enum Failure {
    /// It may pass later (a relay down, a 4xx).
    Transient(String),
    /// It never will (a 5xx, an address that is no address).
    Permanent(String),
}

/// Claims the messages due at `now` (at most [`BATCH`]): their next attempt
/// moves a lease ahead, in a transaction that ends before anything is sent.
async fn claim(conn: &mut AsyncPgConnection, now: OffsetDateTime) -> Result<Vec<Due>, ApiError> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let due: Vec<Due> = notifications_outbox::table
            .filter(notifications_outbox::sent_at.is_null())
            .filter(notifications_outbox::abandoned_at.is_null())
            .filter(notifications_outbox::next_attempt_at.le(now))
            .order(notifications_outbox::next_attempt_at)
            .limit(BATCH)
            .for_update()
            .skip_locked()
            .select(Due::as_select())
            .load(conn)
            .await?;
        let ids: Vec<Uuid> = due.iter().map(|d| d.id).collect();
        diesel::update(notifications_outbox::table.filter(notifications_outbox::id.eq_any(&ids)))
            .set(notifications_outbox::next_attempt_at.eq(now + LEASE))
            .execute(conn)
            .await?;
        Ok(due)
    })
    .await
}

/// Sends the messages due at `now`, one batch: claimed, sent with no
/// transaction open, each marked on its own.
pub async fn deliver_due(
    pool: &Pool,
    mailer: &Mailer,
    now: OffsetDateTime,
) -> Result<Delivered, ApiError> {
    let mut conn = pool.get().await?;
    let due = claim(&mut conn, now).await?;
    let mut done = Delivered::default();
    for message in due {
        let outcome = match Template::parse(&message.template) {
            Some(t) => {
                let words = render(t, &message.payload, &mailer.public_url);
                mailer.send(message.id, &message.recipient, words).await
            }
            None => Err(Failure::Permanent(format!(
                "unknown template {}",
                message.template
            ))),
        };
        match outcome {
            Ok(()) => {
                sent(&mut conn, message.id, now).await?;
                done.sent += 1;
            }
            Err(failure) => {
                failed(&mut conn, &message, failure, now).await?;
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

/// The payload without its one-time token.
fn without_token() -> diesel::expression::SqlLiteral<diesel::sql_types::Jsonb> {
    diesel::dsl::sql::<diesel::sql_types::Jsonb>("payload - 'token'")
}

/// Sent: the outbox keeps that it was, but no longer the link's token.
async fn sent(conn: &mut AsyncPgConnection, id: Uuid, now: OffsetDateTime) -> Result<(), ApiError> {
    diesel::update(notifications_outbox::table.find(id))
        .set((
            notifications_outbox::sent_at.eq(Some(now)),
            notifications_outbox::payload.eq(without_token()),
            notifications_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Failed: tried again after the next delay, or given up (a permanent
/// refusal, or the last try) and its token removed. The error is kept
/// without the recipient's address (a relay's refusal often quotes it).
async fn failed(
    conn: &mut AsyncPgConnection,
    message: &Due,
    failure: Failure,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    let attempts = message.attempts.saturating_add(1);
    let (error, permanent) = match failure {
        Failure::Transient(e) => (e, false),
        Failure::Permanent(e) => (e, true),
    };
    let error: String = error
        .replace(&message.recipient, "<recipient>")
        .chars()
        .take(500)
        .collect();
    log::warn!(
        "outbox: message {} not delivered (try {attempts}): {error}",
        message.id
    );
    let delay = time::Duration::try_from(retry_delay(attempts)).unwrap_or(time::Duration::HOUR);
    let give_up = permanent || attempts >= MAX_ATTEMPTS;
    diesel::update(notifications_outbox::table.find(message.id))
        .set((
            notifications_outbox::attempts.eq(attempts),
            notifications_outbox::next_attempt_at.eq(now + delay),
            notifications_outbox::last_error.eq(Some(error)),
            notifications_outbox::abandoned_at.eq(give_up.then_some(now)),
        ))
        .execute(conn)
        .await?;
    if give_up {
        diesel::update(notifications_outbox::table.find(message.id))
            .set(notifications_outbox::payload.eq(without_token()))
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relay_reads_from_its_url() {
        assert_eq!(
            Relay::parse("smtp://mail.internal:2525"),
            Some(Relay {
                host: "mail.internal".into(),
                port: 2525,
                credentials: None
            })
        );
        assert_eq!(
            Relay::parse("smtp://user:p@ss@relay").map(|r| (r.port, r.credentials)),
            Some((25, Some(("user".into(), "p@ss".into()))))
        );
        for bad in ["http://x", "smtp://", "smtp://host:port", "smtp://a/b"] {
            assert_eq!(Relay::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        assert_eq!(retry_delay(1), Duration::from_secs(60));
        assert_eq!(retry_delay(2), Duration::from_secs(120));
        assert_eq!(retry_delay(5), Duration::from_secs(960));
        assert_eq!(retry_delay(30), MAX_DELAY);
        assert_eq!(retry_delay(i32::MAX), MAX_DELAY);
        assert_eq!(retry_delay(0), Duration::from_secs(60));
    }
}
