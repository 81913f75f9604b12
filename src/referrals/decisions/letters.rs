//! The letters a decision sends: a decline tells each party the centre's
//! words for the family and the nearest alternatives (the referrer also the
//! category; nobody the rationale); a closing tells everyone the outcome,
//! with the reason when it was given for all to read.

use diesel_async::AsyncPgConnection;

use super::machine::{ClosingOutcome, DeclineReason};
use crate::centres::dto::AlternativeCentre;
use crate::error::ApiError;
use crate::referrals::letters::{self, Draft, LetterKind, Recipient};
use crate::referrals::model::{HistoryVisibility, ReferralBundle};
use crate::referrals::repo::Note;

/// A word as a person reads it (`virtual_supervised` as "virtual supervised").
pub fn plain(word: &str) -> String {
    word.replace('_', " ")
}

/// A decline: the family's words and the alternatives to every party; the
/// same with the reason category to the referrer.
pub async fn declined(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    reason: DeclineReason,
    words: &str,
    alternatives: &[AlternativeCentre],
) -> Result<(), ApiError> {
    let centre = crate::centres::repo::name_of(conn, b.referral.centre_id).await?;
    let mut body = format!("{centre} cannot offer the family contact.\n\n{words}\n");
    if !alternatives.is_empty() {
        body.push_str("\nCentres nearby that offer the service:\n");
        for a in alternatives {
            match a.distance_km {
                Some(km) => body.push_str(&format!("- {} ({km:.0} km away)\n", a.name)),
                None => body.push_str(&format!("- {}\n", a.name)),
            }
        }
    }
    let subject = format!("Your referral to {centre}");
    for adult in &b.adults {
        let draft = Draft {
            kind: LetterKind::Decline,
            to: Recipient::Party(adult),
            subject: subject.clone(),
            body: body.clone(),
        };
        letters::send(conn, &b.referral, draft).await?;
    }
    let draft = Draft {
        kind: LetterKind::Decline,
        to: Recipient::Referrer,
        subject: format!("Referral declined by {centre}"),
        body: format!("{body}\nReason: {}.\n", plain(reason.as_str())),
    };
    letters::send(conn, &b.referral, draft).await
}

/// A closing: the outcome to every party and the referrer, with the reason
/// when it was recorded for all to read.
pub async fn closed(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    outcome: ClosingOutcome,
    note: &Note<'_>,
) -> Result<(), ApiError> {
    let centre = crate::centres::repo::name_of(conn, b.referral.centre_id).await?;
    let mut body = format!(
        "The referral to {centre} is closed: {}.\n",
        plain(outcome.as_str())
    );
    if note.visibility == HistoryVisibility::Shared {
        body.push_str(&format!("\n{}\n", note.text));
    }
    letters::send_to_all(
        conn,
        b,
        LetterKind::Closing,
        &format!("Your referral to {centre} is closed"),
        &body,
    )
    .await
}
