//! Queries of referrals; every function takes a connection.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::access::ListScope;
use super::model::{
    Adult, Child, CourtOrder, HistoryEntry, HistoryVisibility, ListFilter, Listed, Referral,
    ReferralBundle, ReferralStatus, RelationRow, Risk,
};
use crate::error::ApiError;
use crate::pagination::{beyond, Direction, PageRequest};
use crate::schema::{
    referral_adults, referral_children, referral_court_orders, referral_history,
    referral_relations, referral_risks, referrals,
};
use crate::vocabulary::{CentreId, ClientId, FamilyId, OrganisationId, ReferralId, RiskId, UserId};

pub async fn insert_bundle(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
) -> Result<(), ApiError> {
    diesel::insert_into(referrals::table)
        .values(&b.referral)
        .execute(conn)
        .await?;
    insert_contents(conn, b).await
}

/// Writes what a referral holds: children, adults, relations, orders, risks.
async fn insert_contents(conn: &mut AsyncPgConnection, b: &ReferralBundle) -> Result<(), ApiError> {
    diesel::insert_into(referral_children::table)
        .values(&b.children)
        .execute(conn)
        .await?;
    diesel::insert_into(referral_adults::table)
        .values(&b.adults)
        .execute(conn)
        .await?;
    diesel::insert_into(referral_relations::table)
        .values(&b.relations)
        .execute(conn)
        .await?;
    if !b.court_orders.is_empty() {
        diesel::insert_into(referral_court_orders::table)
            .values(&b.court_orders)
            .execute(conn)
            .await?;
    }
    insert_risks(conn, &b.risks).await
}

/// Replaces a draft's content with `b` (same id): what it holds is deleted and
/// written again, the referral row updated in place.
pub async fn replace_draft(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
) -> Result<(), ApiError> {
    let id = b.referral.id;
    diesel::delete(referral_risks::table.filter(referral_risks::referral_id.eq(id)))
        .execute(conn)
        .await?;
    diesel::delete(referral_court_orders::table.filter(referral_court_orders::referral_id.eq(id)))
        .execute(conn)
        .await?;
    // Relations go with the adults and children (ON DELETE CASCADE).
    diesel::delete(referral_adults::table.filter(referral_adults::referral_id.eq(id)))
        .execute(conn)
        .await?;
    diesel::delete(referral_children::table.filter(referral_children::referral_id.eq(id)))
        .execute(conn)
        .await?;
    let r = &b.referral;
    diesel::update(referrals::table.find(id))
        .set((
            referrals::centre_id.eq(r.centre_id),
            referrals::service.eq(&r.service),
            referrals::referrer_name.eq(&r.referrer_name),
            referrals::referrer_email.eq(&r.referrer_email),
            referrals::referrer_phone.eq(&r.referrer_phone),
            referrals::communication_level.eq(&r.communication_level),
            referrals::parties_must_not_meet.eq(r.parties_must_not_meet),
            referrals::court_name.eq(&r.court_name),
            referrals::court_case_number.eq(&r.court_case_number),
            referrals::next_hearing_on.eq(r.next_hearing_on),
            referrals::preferred_days.eq(&r.preferred_days),
            referrals::frequency.eq(&r.frequency),
        ))
        .execute(conn)
        .await?;
    insert_contents(conn, b).await
}

pub async fn insert_risks(conn: &mut AsyncPgConnection, risks: &[Risk]) -> Result<(), ApiError> {
    if !risks.is_empty() {
        diesel::insert_into(referral_risks::table)
            .values(risks)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The referral and all it holds; with `lock`, the referral row is locked
/// until the transaction ends. Its parts are read together on the one
/// connection (pipelined: one round trip, or two with the lock, which is
/// taken first).
pub async fn load_bundle(
    conn: &mut AsyncPgConnection,
    id: ReferralId,
    lock: bool,
) -> Result<Option<ReferralBundle>, ApiError> {
    let query = referrals::table.find(id).select(Referral::as_select());
    let (referral, parts) = if lock {
        let referral = query.for_update().first(conn).await.optional()?;
        if referral.is_none() {
            return Ok(None);
        }
        (referral, parts_of(conn, id).await?)
    } else {
        let shared: &AsyncPgConnection = conn;
        let mut first = shared;
        let referral = async { query.first(&mut first).await.optional() };
        let (referral, parts) =
            futures_util::future::try_join(async { Ok(referral.await?) }, parts_of(shared, id))
                .await?;
        (referral, parts)
    };
    let Some(referral) = referral else {
        return Ok(None);
    };
    let (children, adults, relations, court_orders, risks) = parts;
    Ok(Some(ReferralBundle {
        referral,
        children,
        adults,
        relations,
        court_orders,
        risks,
    }))
}

type Parts = (
    Vec<Child>,
    Vec<Adult>,
    Vec<RelationRow>,
    Vec<CourtOrder>,
    Vec<Risk>,
);

/// A referral's children, adults, relations, court orders and risks, sent
/// together.
async fn parts_of(conn: &AsyncPgConnection, id: ReferralId) -> Result<Parts, ApiError> {
    let (mut a, mut b, mut c, mut d, mut e) = (conn, conn, conn, conn, conn);
    let children = referral_children::table
        .filter(referral_children::referral_id.eq(id))
        .order(referral_children::position)
        .select(Child::as_select())
        .load::<Child>(&mut a);
    let adults = referral_adults::table
        .filter(referral_adults::referral_id.eq(id))
        .order(referral_adults::position)
        .select(Adult::as_select())
        .load::<Adult>(&mut b);
    let of_referral = referral_adults::table
        .filter(referral_adults::referral_id.eq(id))
        .select(referral_adults::id);
    let relations = referral_relations::table
        .filter(referral_relations::adult_id.eq_any(of_referral))
        .select(RelationRow::as_select())
        .load::<RelationRow>(&mut c);
    let court_orders = referral_court_orders::table
        .filter(referral_court_orders::referral_id.eq(id))
        .order(referral_court_orders::position)
        .select(CourtOrder::as_select())
        .load::<CourtOrder>(&mut d);
    let risks = referral_risks::table
        .filter(referral_risks::referral_id.eq(id))
        .order((referral_risks::created_at, referral_risks::id))
        .select(Risk::as_select())
        .load::<Risk>(&mut e);
    Ok(futures_util::future::try_join5(children, adults, relations, court_orders, risks).await?)
}

pub async fn history_of(
    conn: &mut AsyncPgConnection,
    id: ReferralId,
) -> Result<Vec<HistoryEntry>, ApiError> {
    Ok(referral_history::table
        .filter(referral_history::referral_id.eq(id))
        .order((referral_history::at, referral_history::id))
        .select(HistoryEntry::as_select())
        .load(conn)
        .await?)
}

/// Who did something: a person or an integration client.
pub type ActorIds = (Option<UserId>, Option<ClientId>);

/// Why a status changed, and who may read it.
#[derive(Debug, Clone, Copy)]
pub struct Note<'a> {
    pub text: &'a str,
    pub visibility: HistoryVisibility,
}

impl<'a> Note<'a> {
    /// A note everyone who sees the referral reads.
    pub fn shared(text: &'a str) -> Self {
        Self {
            text,
            visibility: HistoryVisibility::Shared,
        }
    }

    /// A note for the centre alone.
    pub fn centre(text: &'a str) -> Self {
        Self {
            text,
            visibility: HistoryVisibility::Centre,
        }
    }
}

/// Keeps a status change (or, with no `from`, the creation) in the history.
pub async fn record_history(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
    actor: ActorIds,
    note: Note<'_>,
) -> Result<(), ApiError> {
    diesel::insert_into(referral_history::table)
        .values(&HistoryEntry {
            id: Uuid::now_v7(),
            referral_id,
            at: OffsetDateTime::now_utc(),
            actor_user: actor.0,
            actor_client: actor.1,
            from_status: from,
            to_status: to,
            note: note.text.to_owned(),
            visibility: note.visibility,
        })
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a referral to `to`, keeping who, when and why in its history. The
/// first move out of draft is when it was received.
pub async fn change_status(
    conn: &mut AsyncPgConnection,
    referral: &mut Referral,
    to: ReferralStatus,
    actor: ActorIds,
    note: Note<'_>,
) -> Result<(), ApiError> {
    let now = OffsetDateTime::now_utc();
    let submitted = referral
        .submitted_at
        .or_else(|| (to != ReferralStatus::Draft).then_some(now));
    // It reaches the centre when every part is in (`submitted`), once.
    let received = referral
        .received_at
        .or_else(|| (to == ReferralStatus::Submitted).then_some(now));
    diesel::update(referrals::table.find(referral.id))
        .set((
            referrals::status.eq(to),
            referrals::submitted_at.eq(submitted),
            referrals::received_at.eq(received),
        ))
        .execute(conn)
        .await?;
    record_history(conn, referral.id, Some(referral.status), to, actor, note).await?;
    referral.status = to;
    referral.submitted_at = submitted;
    referral.received_at = received;
    Ok(())
}

/// The case's version (its `ETag`), as a change in this transaction left it.
pub async fn version_of(conn: &mut AsyncPgConnection, id: ReferralId) -> Result<i64, ApiError> {
    Ok(referrals::table
        .find(id)
        .select(referrals::version)
        .first(conn)
        .await?)
}

/// The parties must not meet: once said (by the referrer or a party), only
/// ever kept.
pub async fn parties_must_not_meet(
    conn: &mut AsyncPgConnection,
    id: ReferralId,
) -> Result<(), ApiError> {
    diesel::update(referrals::table.find(id))
        .set(referrals::parties_must_not_meet.eq(true))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_adult(conn: &mut AsyncPgConnection, adult: &Adult) -> Result<(), ApiError> {
    diesel::update(referral_adults::table.find(adult.id))
        .set((
            referral_adults::email.eq(&adult.email),
            referral_adults::phone.eq(&adult.phone),
            referral_adults::address.eq(&adult.address),
            referral_adults::share_email.eq(adult.share_email),
            referral_adults::share_phone.eq(adult.share_phone),
            referral_adults::share_address.eq(adult.share_address),
            referral_adults::user_id.eq(adult.user_id),
            referral_adults::part_status.eq(&adult.part_status),
            referral_adults::part_due_at.eq(adult.part_due_at),
            referral_adults::part_given_at.eq(adult.part_given_at),
            referral_adults::consents_to_contact.eq(adult.consents_to_contact),
            referral_adults::availability.eq(&adult.availability),
            referral_adults::part_paper_signed_on.eq(adult.part_paper_signed_on),
            referral_adults::part_recorded_by.eq(adult.part_recorded_by),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// An open referral (not a draft, not declined or closed) at `centre_id` for
/// the same child (folded name and date of birth), other than `except`.
pub async fn open_referrals_for_child(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    name_key: &str,
    born: Date,
    except: ReferralId,
    limit: i64,
) -> Result<Vec<Referral>, ApiError> {
    Ok(referrals::table
        .inner_join(referral_children::table)
        .filter(referrals::centre_id.eq(centre_id))
        .filter(referrals::id.ne(except))
        .filter(referrals::status.ne_all([
            ReferralStatus::Draft,
            ReferralStatus::Declined,
            ReferralStatus::Closed,
        ]))
        .filter(referral_children::name_key.eq(name_key))
        .filter(referral_children::date_of_birth.eq(born))
        .select(Referral::as_select())
        .order((referrals::created_at, referrals::id))
        .limit(limit)
        .load(conn)
        .await?)
}

/// A page of referrals, newest first; each with how many children it names.
pub async fn list(
    conn: &AsyncPgConnection,
    scope: &ListScope,
    filter: &ListFilter,
    page: &PageRequest<i64>,
) -> Result<Vec<(Listed, i64)>, ApiError> {
    let mut query = referrals::table.into_boxed();
    match scope {
        ListScope::Centres(ids) => {
            // One centre (the usual coordinator) reads its index
            // (centre_id, created_at, id) in order; `= ANY` over several
            // centres sorts instead.
            query = match ids.as_slice() {
                [one] => query.filter(referrals::centre_id.eq(*one)),
                _ => query.filter(referrals::centre_id.eq_any(ids.clone())),
            }
            .filter(referrals::status.ne(ReferralStatus::Draft));
        }
        ListScope::Organisation {
            organisation_id,
            author,
            client,
        } => {
            let organisation = referrals::organisation_id
                .eq(organisation_id.unwrap_or(OrganisationId(Uuid::nil())))
                .and(referrals::status.ne(ReferralStatus::Draft));
            let own_draft = referrals::created_by_user
                .eq(author.unwrap_or(UserId(Uuid::nil())))
                .or(referrals::created_by_client.eq(client.unwrap_or(ClientId(Uuid::nil()))));
            query = query.filter(
                organisation.or(own_draft.and(referrals::status.eq(ReferralStatus::Draft))),
            );
        }
        ListScope::Parent(user_id) => {
            let named = referral_adults::table
                .filter(referral_adults::user_id.eq(*user_id))
                .select(referral_adults::referral_id);
            query = query.filter(
                referrals::id
                    .eq_any(named)
                    .and(referrals::status.ne(ReferralStatus::Draft))
                    .or(referrals::created_by_user.eq(*user_id)),
            );
        }
    }
    // Outside the centre `info_requested` reads as `under_review` (see
    // `ReferralStatus::outside_the_centre`), and filters as it reads.
    let inside = matches!(scope, ListScope::Centres(_));
    match filter.status {
        Some(ReferralStatus::UnderReview) if !inside => {
            query = query.filter(
                referrals::status
                    .eq_any([ReferralStatus::UnderReview, ReferralStatus::InfoRequested]),
            );
        }
        Some(ReferralStatus::InfoRequested) if !inside => {
            // Nothing outside the centre reads as `info_requested`.
            query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>("false"));
        }
        Some(status) => query = query.filter(referrals::status.eq(status)),
        None => {}
    }
    if let Some(centre_id) = filter.centre_id {
        query = query.filter(referrals::centre_id.eq(centre_id));
    }
    if let Some(q) = &filter.q {
        // A child's or adult's name holding the words asked for. Names are
        // shown to everyone who lists the referral, so the search says no
        // more than the list does. `%` and `_` in the words match themselves.
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query = query.filter(
            diesel::dsl::exists(
                referral_children::table
                    .filter(referral_children::referral_id.eq(referrals::id))
                    .filter(referral_children::name_key.like(pattern.clone())),
            )
            .or(diesel::dsl::exists(
                referral_adults::table
                    .filter(referral_adults::referral_id.eq(referrals::id))
                    .filter(
                        diesel::dsl::sql::<diesel::sql_types::Bool>(
                            "lower(referral_adults.name) LIKE ",
                        )
                        .bind::<diesel::sql_types::Text, _>(pattern),
                    ),
            )),
        );
    }
    if let Some(service) = filter.service {
        query = query.filter(referrals::service.eq(service));
    }
    if let Some(from) = filter.received_from {
        query = query.filter(referrals::submitted_at.ge(from));
    }
    if let Some(to) = filter.received_to {
        query = query.filter(referrals::submitted_at.lt(to));
    }
    if let Some(after) = &page.after {
        let at = after.instant()?;
        query = query.filter(beyond(
            referrals::created_at,
            referrals::id,
            Direction::Descending,
            at,
            after.id,
        ));
    }
    // Each row with how many children it names, in the one round trip.
    Ok(query
        .order((referrals::created_at.desc(), referrals::id.desc()))
        .limit(page.fetch_limit())
        .select((
            Listed::as_select(),
            referral_children::table
                .filter(referral_children::referral_id.eq(referrals::id))
                .count()
                .single_value(),
        ))
        .load::<(Listed, Option<i64>)>(&mut &*conn)
        .await?
        .into_iter()
        .map(|(r, children)| (r, children.unwrap_or(0)))
        .collect())
}

/// Shows a risk statement to the centre's staff, or hides it again.
pub async fn set_risk_visible_to_staff(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
    risk_id: RiskId,
    visible: bool,
) -> Result<bool, ApiError> {
    let updated = diesel::update(
        referral_risks::table
            .filter(referral_risks::id.eq(risk_id))
            .filter(referral_risks::referral_id.eq(referral_id)),
    )
    .set(referral_risks::visible_to_staff.eq(visible))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// How many referrals are in each status, drafts left out: the network's
/// counts, with no family detail.
pub async fn count_by_status(
    conn: &mut AsyncPgConnection,
) -> Result<Vec<(ReferralStatus, i64)>, ApiError> {
    Ok(referrals::table
        .filter(referrals::status.ne(ReferralStatus::Draft))
        .group_by(referrals::status)
        .select((referrals::status, diesel::dsl::count_star()))
        .load(conn)
        .await?)
}

/// The referral of a family with its adults only (no children, relations,
/// court orders or risks): enough to judge a viewer (`access::viewer_for`)
/// and nothing else, for reads of a family's other records that show none
/// of the case. Two queries sent together, each finding the referral
/// through the family: one round trip from the family's id.
pub async fn load_head_of_family(
    conn: &AsyncPgConnection,
    family_id: FamilyId,
) -> Result<Option<ReferralBundle>, ApiError> {
    let (mut a, mut b) = (conn, conn);
    let of_family = || super::family::referral_of(family_id);
    let referral = async {
        referrals::table
            .filter(referrals::id.eq_any(of_family()))
            .select(Referral::as_select())
            .first::<Referral>(&mut a)
            .await
            .optional()
    };
    let adults = referral_adults::table
        .filter(referral_adults::referral_id.eq_any(of_family()))
        .order(referral_adults::position)
        .select(Adult::as_select())
        .load::<Adult>(&mut b);
    let (referral, adults) = futures_util::future::try_join(referral, adults).await?;
    Ok(referral.map(|referral| ReferralBundle {
        referral,
        children: Vec::new(),
        adults,
        relations: Vec::new(),
        court_orders: Vec::new(),
        risks: Vec::new(),
    }))
}
