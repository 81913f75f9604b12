//! Delivering the outbox, run by the jobs on every instance. A pass takes
//! the due messages under `FOR UPDATE SKIP LOCKED`, so two instances never
//! send one message twice and neither waits for the other; each message is
//! sent, then marked sent with its one-time token removed (the outbox keeps
//! no working link once the mail has it), or, when sending fails, tried
//! again after a delay that doubles from a minute to six hours.

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
                // the host's MTA), which carries the mail on over TLS.
                let mut builder =
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host)
                        .port(relay.port)
                        .timeout(Some(Duration::from_secs(20)));
                if let Some((user, password)) = relay.credentials {
                    builder = builder.credentials(
                        lettre::transport::smtp::authentication::Credentials::new(user, password),
                    );
                }
                Carrier::Smtp(builder.build())
            }
        };
        Ok(Some(Self {
            carrier,
            from,
            public_url: config.public_url.clone(),
        }))
    }

    /// Where files go, to print at start.
    pub fn describe(&self) -> String {
        match &self.carrier {
            Carrier::Files(dir) => format!("messages are written to {}", dir.display()),
            Carrier::Smtp(_) => "messages are sent by SMTP".to_owned(),
        }
    }

    async fn send(&self, id: Uuid, to: &str, message: Message) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body)
            .map_err(|e| format!("message: {e}"))?;
        match &self.carrier {
            Carrier::Files(dir) => {
                let path = dir.join(format!("{id}.eml"));
                std::fs::write(&path, email.formatted()).map_err(|e| e.to_string())
            }
            Carrier::Smtp(smtp) => smtp
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
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

/// Sends the messages due at `now`, one batch, in one transaction that
/// holds only their rows.
pub async fn deliver_due(
    pool: &Pool,
    mailer: &Mailer,
    now: OffsetDateTime,
) -> Result<Delivered, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let due: Vec<Due> = notifications_outbox::table
            .filter(notifications_outbox::sent_at.is_null())
            .filter(notifications_outbox::next_attempt_at.le(now))
            .order(notifications_outbox::next_attempt_at)
            .limit(BATCH)
            .for_update()
            .skip_locked()
            .select(Due::as_select())
            .load(conn)
            .await?;
        let mut done = Delivered::default();
        for message in due {
            let outcome = match Template::parse(&message.template) {
                Some(t) => {
                    let words = render(t, &message.payload, &mailer.public_url);
                    mailer.send(message.id, &message.recipient, words).await
                }
                None => Err(format!("unknown template {}", message.template)),
            };
            match outcome {
                Ok(()) => {
                    sent(conn, message.id, now).await?;
                    done.sent += 1;
                }
                Err(error) => {
                    log::warn!("outbox: message {} not delivered: {error}", message.id);
                    failed(conn, &message, &error, now).await?;
                    done.failed += 1;
                }
            }
        }
        Ok(done)
    })
    .await
}

/// Sent: the outbox keeps that it was, but no longer the link's token.
async fn sent(conn: &mut AsyncPgConnection, id: Uuid, now: OffsetDateTime) -> Result<(), ApiError> {
    diesel::update(notifications_outbox::table.find(id))
        .set((
            notifications_outbox::sent_at.eq(Some(now)),
            notifications_outbox::payload.eq(diesel::dsl::sql::<diesel::sql_types::Jsonb>(
                "payload - 'token'",
            )),
            notifications_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

async fn failed(
    conn: &mut AsyncPgConnection,
    message: &Due,
    error: &str,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    let attempts = message.attempts.saturating_add(1);
    let delay = time::Duration::try_from(retry_delay(attempts)).unwrap_or(time::Duration::HOUR);
    let error: String = error.chars().take(500).collect();
    diesel::update(notifications_outbox::table.find(message.id))
        .set((
            notifications_outbox::attempts.eq(attempts),
            notifications_outbox::next_attempt_at.eq(now + delay),
            notifications_outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)
        .await?;
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
