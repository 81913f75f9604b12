//! Intake: making a referral, sending it, and each adult party adding their
//! part. Contact does not start on one parent's word: a referral waits in
//! `awaiting_parties` until every invited parent has given their part.
//!
//! Long because intake is: sending, inviting, asking again and giving a part,
//! each with its history, events and messages in the caller's transaction.

use std::time::Duration;

use time::OffsetDateTime;

use super::rules::{self, Author, Errors};
use crate::centres::directory::Snapshot;
use crate::centres::model::CentreStatus;
use crate::error::ApiError;
use crate::events::{self, DomainEvent};
use crate::identity::accounts::{self, NewAccount};
use crate::identity::links::Purpose;
use crate::identity::roles::{Role, Scope, UserStatus};
use crate::identity::Principal;
use crate::notifications::{self, Template};
use crate::referrals::dto::GivePartRequest;
use crate::referrals::model::{
    Adult, CommunicationLevel, PartStatus, Party, ReferralBundle, ReferralSource, ReferralStatus,
};
use crate::referrals::repo::Note;
use crate::referrals::{access, problems, repo};
use crate::validation::Phone;
use crate::vocabulary::{AdultId, ReferralId, ServiceType};
use diesel_async::AsyncPgConnection;

/// How many alternative centres a refusal for a service lists.
const ALTERNATIVES: usize = 5;

/// Who is making a referral: a referrer for their organisation, a parent for
/// themselves, or an integration client with `referrals:write` for its
/// organisation. Nobody else refers.
pub async fn author_of(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
) -> Result<Author, ApiError> {
    match caller {
        Principal::User(u) => {
            let source = match u.role {
                Role::Referrer => ReferralSource::Professional,
                Role::Parent => ReferralSource::SelfReferral,
                _ => return Err(ApiError::Forbidden),
            };
            let user = crate::identity::repo::find_user(conn, u.id)
                .await?
                .ok_or(ApiError::Forbidden)?;
            Ok(Author {
                source,
                user_id: Some(u.id),
                client_id: None,
                organisation_id: u.organisation_id,
                account: Some((user.name, user.email)),
            })
        }
        Principal::Client(c) => {
            caller.require_scope(Scope::ReferralsWrite)?;
            let Some(organisation_id) = c.organisation_id else {
                // A centre's own system does not refer families to itself.
                return Err(ApiError::Forbidden);
            };
            Ok(Author {
                source: ReferralSource::Integration,
                user_id: None,
                client_id: Some(c.id),
                organisation_id: Some(organisation_id),
                account: None,
            })
        }
    }
}

/// The ids of who acted, for history.
pub fn actor_ids(caller: &Principal) -> repo::ActorIds {
    match caller {
        Principal::User(u) => (Some(u.id), None),
        Principal::Client(c) => (None, Some(c.id)),
    }
}

/// The checks a referral passes against its centre: the centre is active,
/// offers the service (else the nearest that do), and, for a self-referral,
/// accepts them for this communication level (the self-referral grid).
pub async fn check_centre(
    conn: &mut AsyncPgConnection,
    snapshot: &Snapshot,
    bundle: &ReferralBundle,
    service: ServiceType,
) -> Result<(), ApiError> {
    let r = &bundle.referral;
    let centre = crate::centres::repo::find_centre(conn, r.centre_id)
        .await?
        .filter(|c| c.status == CentreStatus::Active)
        .ok_or_else(|| ApiError::field("centre_id", "unknown_centre", "is not an active centre"))?;
    let level: CommunicationLevel = r.communication_level;
    if r.source == ReferralSource::SelfReferral {
        if !level.allows_self_referral() {
            return Err(problems::professional_referral_required(format!(
                "parents whose communication is `{}` cannot self-refer: a solicitor, family \
                 mediator, Cafcass officer or another professional must make the referral",
                level.as_str()
            )));
        }
        if !centre.accepts_self_referrals {
            return Err(problems::professional_referral_required(
                "this centre does not accept self-referrals: a solicitor, family mediator, \
                 Cafcass officer or another professional must make the referral"
                    .to_owned(),
            ));
        }
    }
    if !centre.services.contains(&service) {
        return Err(problems::service_not_offered(
            service,
            snapshot.alternatives(centre.id, service, ALTERNATIVES),
        ));
    }
    Ok(())
}

/// Writes a new draft with its history and event.
pub async fn insert_draft(
    conn: &mut AsyncPgConnection,
    bundle: &ReferralBundle,
    caller: &Principal,
) -> Result<(), ApiError> {
    repo::insert_bundle(conn, bundle).await?;
    repo::record_history(
        conn,
        bundle.referral.id,
        None,
        ReferralStatus::Draft,
        actor_ids(caller),
        Note::shared(""),
    )
    .await?;
    event(conn, bundle, "referral.created").await
}

/// A referral with every part in reaches the centre: its family is recorded.
async fn reached_centre(conn: &mut AsyncPgConnection, b: &ReferralBundle) -> Result<(), ApiError> {
    crate::referrals::family::create_for(
        conn,
        b.referral.id,
        b.referral.centre_id,
        b.referral.organisation_id,
    )
    .await
    .map(|_| ())
}

/// Writes a draft's new content, with its event.
pub async fn replace_draft(
    conn: &mut AsyncPgConnection,
    bundle: &ReferralBundle,
) -> Result<(), ApiError> {
    repo::replace_draft(conn, bundle).await?;
    event(conn, bundle, "referral.draft_changed").await
}

async fn event(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    event_type: &'static str,
) -> Result<(), ApiError> {
    let r = &b.referral;
    // A draft is its author's alone: its events name no centre, so no
    // centre's integrations hear of it.
    let draft = r.status == ReferralStatus::Draft;
    events::record(
        conn,
        DomainEvent {
            event_type,
            resource_type: "referral",
            resource_id: r.id.into(),
            centre_id: (!draft).then_some(r.centre_id),
            organisation_id: r.organisation_id,
            payload: serde_json::json!({
                "referral_id": r.id,
                "centre_id": (!draft).then_some(r.centre_id),
                "service": r.service,
                "source": r.source,
            }),
        },
    )
    .await
}

/// What submission needs from configuration.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// How long an adult has to add their part.
    pub party_part: Duration,
    /// How long an account invitation link lives.
    pub invitation: Duration,
}

/// Sends a draft: refuses a duplicate open referral for the same child at the
/// centre, then asks each parent for their own part. Without an awaited part
/// the referral is submitted for the centre's review at once.
pub async fn submit(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    mut bundle: ReferralBundle,
    deadlines: Deadlines,
) -> Result<ReferralBundle, ApiError> {
    if bundle.referral.status != ReferralStatus::Draft {
        return Err(ApiError::Conflict(
            "only a draft can be submitted".to_owned(),
        ));
    }
    refuse_shared_emails(&bundle)?;
    refuse_duplicates(conn, caller, &bundle).await?;

    let self_referral = bundle.referral.source == ReferralSource::SelfReferral;
    let author = bundle.referral.created_by_user;
    let now = OffsetDateTime::now_utc();
    let mut errors = Errors::default();
    let mut invited = Vec::new();
    for (i, adult) in bundle.adults.iter_mut().enumerate() {
        let party: Party = adult.party;
        if self_referral && adult.user_id.is_some() && adult.user_id == author {
            // The parent making the referral gives their part by making it.
            adult.part_status = PartStatus::Given;
            adult.part_given_at = Some(now);
            adult.consents_to_contact = Some(true);
        } else if party.gives_own_part() {
            match adult.email.clone() {
                Some(email) => {
                    invite(conn, adult, &email, deadlines).await?;
                    invited.push(adult.id);
                }
                // A self-referral must reach the other parent.
                None if self_referral => errors.push(
                    format!("adults[{i}].email"),
                    "required",
                    "the other parent is invited by email to add their part",
                ),
                None => {}
            }
        }
    }
    errors.finish(())?;
    for adult in &bundle.adults {
        repo::update_adult(conn, adult).await?;
    }
    let to = if invited.is_empty() {
        ReferralStatus::Submitted
    } else {
        ReferralStatus::AwaitingParties
    };
    repo::change_status(
        conn,
        &mut bundle.referral,
        to,
        actor_ids(caller),
        Note::shared(""),
    )
    .await?;
    for adult_id in invited {
        events::record(
            conn,
            DomainEvent {
                event_type: "referral.party_invited",
                resource_type: "referral",
                resource_id: bundle.referral.id.into(),
                centre_id: Some(bundle.referral.centre_id),
                organisation_id: bundle.referral.organisation_id,
                payload: serde_json::json!({"referral_id": bundle.referral.id, "adult_id": adult_id}),
            },
        )
        .await?;
    }
    bundle.referral.status = to;
    event(
        conn,
        &bundle,
        if to == ReferralStatus::Submitted {
            "referral.submitted"
        } else {
            "referral.awaiting_parties"
        },
    )
    .await?;
    if to == ReferralStatus::Submitted {
        reached_centre(conn, &bundle).await?;
    }
    Ok(bundle)
}

/// Each adult's part is theirs alone: two adults of one referral never share
/// an email, so one account can never answer for both parties.
fn refuse_shared_emails(bundle: &ReferralBundle) -> Result<(), ApiError> {
    let mut errors = Errors::default();
    for (i, adult) in bundle.adults.iter().enumerate() {
        let Some(email) = adult.email.as_deref() else {
            continue;
        };
        if bundle.adults[..i]
            .iter()
            .any(|a| a.email.as_deref() == Some(email))
        {
            errors.push(
                format!("adults[{i}].email"),
                "duplicate",
                "two adults cannot share an email: each gives their own part",
            );
        }
    }
    errors.finish(())
}

/// A 409 for a child already in an open referral at the centre, for a caller
/// who may see that referral (it is named).
async fn refuse_duplicates(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    bundle: &ReferralBundle,
) -> Result<(), ApiError> {
    let r = &bundle.referral;
    // One submission per centre at a time, so two racing duplicates cannot
    // both pass the check.
    crate::db::advisory_xact_lock(conn, "referral-centre", r.centre_id.into()).await?;
    for child in &bundle.children {
        let open = repo::open_referrals_for_child(
            conn,
            r.centre_id,
            &child.name_key,
            child.date_of_birth,
            r.id,
            // Enough for any real family; a bound on the work all the same.
            100,
        )
        .await?;
        // Every open referral of the child is weighed, not only the oldest:
        // another side's referral the caller may not see must not hide the
        // caller's own.
        for other in open {
            let Some(existing) = repo::load_bundle(conn, other.id, false).await? else {
                continue;
            };
            // Telling a caller who may not see the other referral that it
            // exists would say where the child is: theirs goes ahead, and the
            // centre sees the two side by side (`possible_duplicate_of`).
            if access::viewer(caller, &existing).is_ok() {
                return Err(problems::duplicate_referral(&child.name, other.id));
            }
        }
    }
    Ok(())
}

/// Asks an adult for their part: through their parent account if they have
/// one, or a new one whose invitation link is sent by email.
async fn invite(
    conn: &mut AsyncPgConnection,
    adult: &mut Adult,
    email: &str,
    deadlines: Deadlines,
) -> Result<(), ApiError> {
    let existing = accounts::find_claimed(conn, email).await?;
    match existing {
        Some(user) if user.role == Role::Parent => {
            adult.user_id = Some(user.id);
            notifications::enqueue(
                conn,
                &user.email,
                Template::ReferralPart,
                serde_json::json!({"referral_id": adult.referral_id, "adult_id": adult.id}),
            )
            .await?;
        }
        // An email that belongs to a staff or professional account cannot
        // answer as a parent, but the referral does not say so (that would
        // tell a parent who holds a professional account): the address is
        // asked like any other, the part waits, and the centre, which sees
        // every adult's details, follows it up when it falls due.
        Some(professional) => {
            notifications::enqueue(
                conn,
                &professional.email,
                Template::ReferralPart,
                serde_json::json!({"referral_id": adult.referral_id, "adult_id": adult.id}),
            )
            .await?;
        }
        None => {
            let account = NewAccount {
                email,
                name: &adult.name,
                role: Role::Parent,
                referrer_type: None,
                organisation_id: None,
                centre_ids: &[],
            };
            let context =
                serde_json::json!({"referral_id": adult.referral_id, "adult_id": adult.id});
            let ttl = deadlines.invitation;
            let user = accounts::open(conn, account, Purpose::Invitation, ttl, context).await?;
            adult.user_id = Some(user.id);
        }
    }
    adult.part_status = PartStatus::Awaited;
    adult.part_due_at = Some(OffsetDateTime::now_utc() + deadlines.party_part);
    Ok(())
}

/// Asks an adult again for a part still awaited or past its time: a new due
/// date, and a fresh invitation link if their account is still to be set up.
/// For the referral's author, its organisation's referrers and the centre.
pub async fn invite_again(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    referral_id: ReferralId,
    adult_id: AdultId,
    deadlines: Deadlines,
) -> Result<ReferralBundle, ApiError> {
    let mut bundle = repo::load_bundle(conn, referral_id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    match access::viewer(caller, &bundle)? {
        access::Viewer::Centre | access::Viewer::Referrer => {}
        _ => return Err(ApiError::Forbidden),
    }
    access::require_write(caller, &bundle)?;
    if bundle.referral.status != ReferralStatus::AwaitingParties {
        return Err(ApiError::Conflict(
            "the referral is not waiting for a part".to_owned(),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let adult = bundle
        .adults
        .iter_mut()
        .find(|a| a.id == adult_id)
        .ok_or(ApiError::NotFound)?;
    if !matches!(
        crate::referrals::views::part_status(adult, now)?,
        PartStatus::Awaited | PartStatus::Expired
    ) {
        return Err(ApiError::Conflict(
            "this adult's part is not awaited".to_owned(),
        ));
    }
    let user = match adult.user_id {
        Some(id) => crate::identity::repo::find_user(conn, id).await?,
        None => None,
    };
    match user {
        Some(user) if user.status == UserStatus::Invited => {
            let context = serde_json::json!({"referral_id": referral_id, "adult_id": adult_id});
            let ttl = deadlines.invitation;
            accounts::send_link(conn, &user, Purpose::Invitation, ttl, context).await?;
        }
        Some(user) => {
            notifications::enqueue(
                conn,
                &user.email,
                Template::ReferralPart,
                serde_json::json!({"referral_id": referral_id, "adult_id": adult_id}),
            )
            .await?;
        }
        // No parent account behind the part (its address is a professional's):
        // the address is asked again just as the first time, so asking again
        // says no more about it than the referral did.
        None => {
            let email = adult
                .email
                .clone()
                .ok_or_else(|| ApiError::Conflict("this adult has no address to ask".to_owned()))?;
            invite(conn, adult, &email, deadlines).await?;
        }
    }
    adult.part_status = PartStatus::Awaited;
    adult.part_due_at = Some(now + deadlines.party_part);
    let adult = adult.clone();
    repo::update_adult(conn, &adult).await?;
    events::record(
        conn,
        DomainEvent {
            event_type: "referral.party_invited",
            resource_type: "referral",
            resource_id: referral_id.into(),
            centre_id: Some(bundle.referral.centre_id),
            organisation_id: bundle.referral.organisation_id,
            payload: serde_json::json!({"referral_id": referral_id, "adult_id": adult_id}),
        },
    )
    .await?;
    Ok(bundle)
}

/// A parent adds their own part; the last awaited part submits the referral.
pub async fn give_part(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    referral_id: ReferralId,
    adult_id: AdultId,
    part: &GivePartRequest,
) -> Result<ReferralBundle, ApiError> {
    let mut bundle = repo::load_bundle(conn, referral_id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let viewer = access::viewer(caller, &bundle)?;
    let now = OffsetDateTime::now_utc();
    let made = bundle.referral.created_at.date();
    let status = bundle.referral.status;
    let Some(adult) = bundle.adults.iter_mut().find(|a| a.id == adult_id) else {
        return Err(ApiError::NotFound);
    };
    // The party in the service, or a coordinator of the centre from the
    // party's signed paper form (a party without an account or email, or
    // who prefers paper).
    let paper = match (caller, viewer, part.paper_form_signed_on.as_deref()) {
        (Principal::User(u), _, None) if u.role == Role::Parent && adult.user_id == Some(u.id) => {
            None
        }
        (Principal::User(u), access::Viewer::Centre, Some(signed))
            if u.role == Role::Coordinator =>
        {
            let signed = crate::vocabulary::calendar::parse_date("paper_form_signed_on", signed)
                .map_err(|e| ApiError::Validation(vec![e]))?;
            let today = crate::vocabulary::calendar::uk_today(conn).await?;
            if signed > today || signed < made {
                return Err(ApiError::field(
                    "paper_form_signed_on",
                    "range",
                    format!("must be from the referral's making ({made}) to today"),
                ));
            }
            // A part the referral still takes: sent and open, from a parent
            // (whose own word contact waits for).
            let open = !matches!(
                status,
                ReferralStatus::Draft | ReferralStatus::Declined | ReferralStatus::Closed
            );
            if !open || !adult.party.gives_own_part() {
                return Err(ApiError::Conflict(
                    "this part is not one the referral takes now".to_owned(),
                ));
            }
            Some((signed, u.id))
        }
        (Principal::User(u), access::Viewer::Centre, None) if u.role == Role::Coordinator => {
            return Err(ApiError::field(
                "paper_form_signed_on",
                "required",
                "a coordinator enters a part from the party's signed paper form: give its date",
            ))
        }
        (Principal::User(u), _, Some(_))
            if u.role == Role::Parent && adult.user_id == Some(u.id) =>
        {
            return Err(ApiError::field(
                "paper_form_signed_on",
                "coordinators_only",
                "a party gives their own part here; a paper form is entered by the centre",
            ))
        }
        _ => return Err(ApiError::Forbidden),
    };
    match crate::referrals::views::part_status(adult, now)? {
        PartStatus::Awaited => {}
        // A paper form is the centre's record: it may come for a party never
        // invited (no email) or after the time to give it online.
        PartStatus::NotRequired | PartStatus::Expired if paper.is_some() => {}
        PartStatus::Expired => {
            return Err(ApiError::Conflict(
                "the time to add this part has passed; ask the referrer to invite you again"
                    .to_owned(),
            ))
        }
        _ => return Err(ApiError::Conflict("this part is not awaited".to_owned())),
    }
    let mut errors = Errors::default();
    let risks = rules::risks(&mut errors, "risks", &part.risks, Some(adult.id));
    let address = errors.optional_text("address", part.address.as_deref(), 500);
    let phone = errors
        .optional_phone("phone", part.phone.as_deref())
        .map(Phone::into_inner);
    let availability = errors.optional_text("availability", part.availability.as_deref(), 1000);
    errors.finish(())?;
    let mut risks = risks;
    for r in &mut risks {
        r.referral_id = referral_id;
    }
    adult.address = address.or(adult.address.take());
    adult.phone = phone.or(adult.phone.take());
    // What the form leaves out, the record keeps.
    adult.availability = availability.or(adult.availability.take());
    adult.share_email = part.share.email;
    adult.share_phone = part.share.phone;
    adult.share_address = part.share.address;
    adult.consents_to_contact = Some(part.consents_to_contact);
    adult.part_status = PartStatus::Given;
    adult.part_given_at = Some(now);
    (adult.part_paper_signed_on, adult.part_recorded_by) = paper.unzip();
    let adult = adult.clone();
    repo::update_adult(conn, &adult).await?;
    repo::insert_risks(conn, &risks).await?;
    if part.asks_not_to_meet {
        // A party's word is enough to keep the parties apart; who asked is
        // for the centre's coordinators alone.
        repo::parties_must_not_meet(conn, referral_id).await?;
        bundle.referral.parties_must_not_meet = true;
        let status = bundle.referral.status;
        let note = format!("{} asked that the parties never meet", adult.name);
        repo::record_history(
            conn,
            referral_id,
            Some(status),
            status,
            actor_ids(caller),
            Note::centre(&note),
        )
        .await?;
    }
    bundle.risks.extend(risks);
    events::record(
        conn,
        DomainEvent {
            event_type: "referral.part_given",
            resource_type: "referral",
            resource_id: referral_id.into(),
            centre_id: Some(bundle.referral.centre_id),
            organisation_id: bundle.referral.organisation_id,
            payload: serde_json::json!({"referral_id": referral_id, "adult_id": adult_id}),
        },
    )
    .await?;
    let waiting = bundle
        .adults
        .iter()
        .any(|a| a.part_status == PartStatus::Awaited);
    if !waiting && bundle.referral.status == ReferralStatus::AwaitingParties {
        repo::change_status(
            conn,
            &mut bundle.referral,
            ReferralStatus::Submitted,
            actor_ids(caller),
            Note::shared("every part given"),
        )
        .await?;
        bundle.referral.status = ReferralStatus::Submitted;
        event(conn, &bundle, "referral.submitted").await?;
        reached_centre(conn, &bundle).await?;
    }
    Ok(bundle)
}
