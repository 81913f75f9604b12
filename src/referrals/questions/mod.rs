//! The centre's questions about a referral in review (DOMAIN.md "Referral":
//! the centre may ask for more information): each to the referrer's side or
//! to one adult party. Asking moves the referral to `info_requested`; when the
//! last open question is answered it returns to `under_review`.
//!
//! | caller | may |
//! | --- | --- |
//! | the centre's coordinators | ask; read every question |
//! | the recipient (the referrer's side, or the party asked) | read and answer their own |
//! | anyone else who sees the referral | nothing: the list is empty, one question is a 404 |
//!
//! A question may speak of the other party, so nobody but the centre and its
//! recipient learns that it was asked: not the other party, nor staff, nor
//! (for a question to a party) the referrer's side.

pub mod dto;
pub mod handlers;
pub mod repo;

use crate::error::ApiError;
use crate::identity::Principal;
use crate::referrals::access::{self, Viewer};
use crate::referrals::decisions::{machine::Side, side_of};
use crate::referrals::model::ReferralBundle;
use repo::Question;

/// How the caller stands to a referral's questions. A parent who referred
/// themselves is both the referrer's side and a party.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reader {
    /// The centre's coordinators: every question.
    pub centre: bool,
    /// The referrer's side: the questions to it.
    pub referrer: bool,
    /// A parent: the questions to their own adult records.
    pub adults: Vec<crate::vocabulary::AdultId>,
}

impl Reader {
    /// 404 for a caller who may not see the referral (403 for admins).
    pub fn of(caller: &Principal, bundle: &ReferralBundle) -> Result<Self, ApiError> {
        let viewer = access::viewer(caller, bundle)?;
        let side = side_of(caller, bundle)?;
        Ok(Reader {
            centre: side == Side::Centre,
            // Reading needs no write scope: the referring organisation's
            // read-only client reads the questions to its side too.
            referrer: side == Side::Referrer || viewer == Viewer::Referrer,
            adults: match viewer {
                Viewer::Parent { adult_ids } => adult_ids,
                _ => Vec::new(),
            },
        })
    }

    /// Whether the caller reads no question at all.
    pub fn is_nobody(&self) -> bool {
        *self == Reader::default()
    }

    /// Whether the caller is the question's recipient.
    pub fn receives(&self, q: &Question) -> bool {
        match q.to_adult_id {
            None => self.referrer,
            Some(adult) => self.adults.contains(&adult),
        }
    }

    /// Whether the caller reads the question: the centre, or its recipient.
    pub fn reads(&self, q: &Question) -> bool {
        self.centre || self.receives(q)
    }
}

/// The open questions the caller may read, as pending answers: for the
/// centre, every one; for a recipient, their own; for anyone else, none.
pub async fn pending(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Principal,
    bundle: &ReferralBundle,
) -> Result<Vec<crate::referrals::dto::PendingItem>, ApiError> {
    let who = Reader::of(caller, bundle)?;
    if who.is_nobody() {
        return Ok(Vec::new());
    }
    Ok(repo::of_referral(conn, bundle.referral.id)
        .await?
        .into_iter()
        .filter(|q| q.answered_at.is_none() && who.reads(q))
        .map(|q| crate::referrals::dto::PendingItem {
            what: crate::referrals::dto::Pending::Answer,
            adult_id: q.to_adult_id,
            from: q
                .to_adult_id
                .and_then(|id| bundle.adults.iter().find(|a| a.id == id))
                .map_or_else(|| bundle.referral.referrer_name.clone(), |a| a.name.clone()),
            due_at: None,
            expired: false,
        })
        .collect())
}
