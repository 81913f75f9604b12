//! Reading a referral: load it, decide the caller's viewer, redact, and audit
//! the read, in one step. Every read of a family's data by a person is in the
//! audit trail (DOMAIN.md, "Rules that protect people"), so no route reads a
//! referral or its family any other way.

use diesel_async::AsyncPgConnection;
use time::OffsetDateTime;

use super::dto::ReferralResponse;
use super::model::{ReferralBundle, ReferralStatus};
use super::{access, repo, views};
use crate::audit::{self, Event};
use crate::error::ApiError;
use crate::identity::{Caller, Principal};
use crate::vocabulary::{CentreId, ReferralId};

/// A view of a case with the case's version, its `ETag`
/// (`http::preconditions`).
#[derive(Debug)]
pub struct Versioned<T> {
    pub body: T,
    pub version: i64,
}

/// One referral as the caller may see it, its read audited.
pub async fn referral(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: ReferralId,
) -> Result<Versioned<ReferralResponse>, ApiError> {
    let bundle = repo::load_bundle(conn, id, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    let body = respond(conn, caller, &bundle).await?;
    audited(
        conn,
        caller,
        "referral",
        id,
        bundle.referral.centre_if_sent(),
    )
    .await?;
    Ok(Versioned {
        body,
        version: bundle.referral.version,
    })
}

/// Records that the caller read a family's record (`referral`, `family`) of
/// a centre (none for a draft).
pub async fn audited(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    resource_type: &'static str,
    id: impl ToString,
    centre_id: Option<CentreId>,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event::new(caller, "read", resource_type)
            .resource(id)
            .centre(centre_id),
    )
    .await
}

/// A read of a family's record that was refused (404 or 403 to a caller
/// who tried) is audited as denied, naming no centre, so that probing other
/// families' records shows in the trail. Called with the read's outcome once
/// its transaction has ended, so the entry outlives the rollback.
pub async fn refusal_audited<T>(
    conn: &mut AsyncPgConnection,
    event: Event<'_>,
    outcome: Result<T, ApiError>,
) -> Result<T, ApiError> {
    if matches!(outcome, Err(ApiError::NotFound | ApiError::Forbidden)) {
        audit::record(conn, event.denied()).await?;
    }
    outcome
}

/// Reads back a referral as the caller may see it.
pub async fn respond(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    bundle: &ReferralBundle,
) -> Result<ReferralResponse, ApiError> {
    let viewer = access::viewer(caller, bundle)?;
    let history = repo::history_of(conn, bundle.referral.id).await?;
    let mut view = views::referral(bundle, &history, &viewer, OffsetDateTime::now_utc())?;
    view.family_id = super::family::of_referral(conn, bundle.referral.id).await?;
    view.pending
        .extend(super::questions::pending(conn, caller, bundle).await?);
    view.pending
        .extend(super::agreements::pending(conn, caller, bundle).await?);
    (view.waiting_list_position, view.offer) =
        super::waiting_list::handlers::standing(conn, bundle).await?;
    // A quote exists once the centre accepted the family.
    let accepted = matches!(
        bundle.referral.status,
        ReferralStatus::Accepted
            | ReferralStatus::PreVisits
            | ReferralStatus::Active
            | ReferralStatus::Closed
    );
    if accepted && viewer != access::Viewer::Staff {
        let quote = super::quotes::of_referral(conn, bundle.referral.id).await?;
        // A charging centre's family accepted without one (a place taken
        // from the waiting list): the coordinators' to record.
        if quote.is_none()
            && viewer == access::Viewer::Centre
            && bundle.referral.status != ReferralStatus::Closed
            && super::quotes::charges(conn, bundle).await?
        {
            view.pending.push(super::dto::PendingItem {
                what: super::dto::Pending::Quote,
                adult_id: None,
                from: "centre".to_owned(),
                due_at: None,
                expired: false,
            });
        }
        view.quote = quote
            .filter(|q| super::quotes::shown_to(q, &viewer, bundle))
            .map(Into::into);
    }
    if viewer == access::Viewer::Centre {
        for child in &bundle.children {
            let others = repo::open_referrals_for_child(
                conn,
                bundle.referral.centre_id,
                &child.name_key,
                child.date_of_birth,
                bundle.referral.id,
                1,
            )
            .await?;
            if let Some(other) = others.first() {
                view.possible_duplicate_of = Some(other.id);
                break;
            }
        }
    }
    Ok(view)
}

/// Audits a change to a referral, then reads it back as the caller may see it.
pub async fn audited_answer(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    id: ReferralId,
) -> Result<Versioned<ReferralResponse>, ApiError> {
    let bundle = repo::load_bundle(conn, id, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    audit::record(
        conn,
        Event::new(caller, action, "referral")
            .resource(id)
            .centre(bundle.referral.centre_if_sent()),
    )
    .await?;
    Ok(Versioned {
        body: respond(conn, caller, &bundle).await?,
        version: bundle.referral.version,
    })
}
