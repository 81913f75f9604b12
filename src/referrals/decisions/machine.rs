//! The referral's status machine after it reaches the centre (DOMAIN.md
//! "Referral"): pure, so every move and refusal is decided here and tested
//! without a database.
//!
//! ```text
//! draft -> awaiting_parties -> submitted                       (intake)
//! submitted -> under_review <-> info_requested
//! under_review | info_requested -> accepted | declined | waitlisted
//! waitlisted -> accepted
//! accepted -> pre_visits (first pre-visit booked) -> declined | active
//! any open state but draft -> closed, with an outcome
//! ```
//!
//! The centre's coordinators decide; the referrer's side (the referring
//! organisation's people and clients, or the parent who referred
//! themselves) withdraws.

use crate::referrals::model::ReferralStatus;

crate::text_enum! {
    /// A move a caller may ask for, each at its own route
    /// (`POST /referrals/{id}/{move}`).
    pub enum Move {
        /// The centre starts its review of a referral that reached it.
        Review => "review",
        /// The centre accepts the family.
        Accept => "accept",
        /// The centre declines, with a reason category and the nearest
        /// alternatives.
        Decline => "decline",
        /// The centre has no place now: the family waits for one.
        Waitlist => "waitlist",
        /// The referrer's side (or the parent who referred themselves)
        /// withdraws the referral.
        Withdraw => "withdraw",
        /// The centre closes the referral with an outcome.
        Close => "close",
        /// The centre asks the referrer's side or a party a question
        /// (`POST /referrals/{id}/questions`); the referral waits for the
        /// answer.
        Question => "question",
        /// The referrer's side takes the place offered to a waitlisted
        /// family (`POST /referrals/{id}/offer/take`).
        TakeOffer => "take_offer",
        /// The centre books an accepted family's first pre-visit
        /// (`POST /referrals/{id}/pre-visits`); later ones move nothing.
        BookPreVisit => "book_pre_visit",
        /// The centre starts contact for a family ready for it
        /// (`POST /referrals/{id}/start`).
        Start => "start",
    }
}

/// Who asks for a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A coordinator of the referral's centre.
    Centre,
    /// The referring organisation's people and clients, or the parent who
    /// referred themselves.
    Referrer,
    /// Anyone else who sees the referral (staff, the other parties).
    Onlooker,
}

impl Move {
    /// Whose move it is.
    pub fn side(self) -> Side {
        match self {
            Move::Withdraw | Move::TakeOffer => Side::Referrer,
            _ => Side::Centre,
        }
    }

    /// Where the move leads from `from`, or `None` where it is not a move
    /// from there.
    pub fn target(self, from: ReferralStatus) -> Option<ReferralStatus> {
        use ReferralStatus::*;
        let deciding = matches!(from, UnderReview | InfoRequested);
        match self {
            Move::Review => (from == Submitted).then_some(UnderReview),
            Move::Accept => (deciding || from == Waitlisted).then_some(Accepted),
            // Seed 002, step 6: a family may still be declined after its
            // pre-visits, when the risk shows itself there.
            Move::Decline => (deciding || from == PreVisits).then_some(Declined),
            Move::Waitlist => deciding.then_some(Waitlisted),
            Move::Question => deciding.then_some(InfoRequested),
            Move::TakeOffer => (from == Waitlisted).then_some(Accepted),
            Move::BookPreVisit => matches!(from, Accepted | PreVisits).then_some(PreVisits),
            // Contact starts once the pre-visits are done (the readiness is
            // the start's own rule, judged with the move).
            Move::Start => (from == PreVisits).then_some(Active),
            Move::Withdraw | Move::Close => is_closable(from).then_some(Closed),
        }
    }
}

/// Every state but a draft (its author's alone, deleted rather than closed)
/// and the two ends may be closed.
fn is_closable(status: ReferralStatus) -> bool {
    !matches!(
        status,
        ReferralStatus::Draft | ReferralStatus::Declined | ReferralStatus::Closed
    )
}

/// Where an answer leaves a referral: back in review once no question is
/// left open, if it was waiting for answers; otherwise where it was.
pub fn after_answer(status: ReferralStatus, open_left: bool) -> Option<ReferralStatus> {
    (status == ReferralStatus::InfoRequested && !open_left).then_some(ReferralStatus::UnderReview)
}

/// The moves `side` may make from `from`, in a stable order.
pub fn allowed(from: ReferralStatus, side: Side) -> Vec<Move> {
    Move::ALL
        .iter()
        .copied()
        .filter(|m| m.side() == side && m.target(from).is_some())
        .collect()
}

/// Decides a move: its target, or why not.
pub fn decide(from: ReferralStatus, side: Side, wanted: Move) -> Result<ReferralStatus, Refusal> {
    if wanted.side() != side {
        return Err(Refusal::NotYours);
    }
    wanted.target(from).ok_or_else(|| Refusal::Illegal {
        from,
        allowed: allowed(from, side),
    })
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The move belongs to another side (403).
    NotYours,
    /// Not a move from this status (409), with the caller's moves from it.
    Illegal {
        from: ReferralStatus,
        allowed: Vec<Move>,
    },
}

crate::text_enum! {
    /// How a closed referral ended.
    pub enum ClosingOutcome {
        /// The referrer's side, or the parent who referred themselves,
        /// withdrew it.
        Withdrawn => "withdrawn",
        /// The centre ended contact (a breach of the ground rules, say).
        Terminated => "terminated",
        /// A court decided the arrangement.
        CourtDecision => "court_decision",
        /// The family moved on to handovers (at this or another centre).
        ProgressedHandover => "progressed_handover",
        /// The family arranges contact without a centre now.
        ProgressedOutsideCentre => "progressed_outside_centre",
    }
}

crate::text_enum! {
    /// Why a centre declined a referral.
    pub enum DeclineReason {
        /// The risk is more than the centre's service can hold safely.
        RiskTooHigh => "risk_too_high",
        /// The service asked for does not suit the family.
        ServiceNotSuitable => "service_not_suitable",
        /// A party does not agree to contact at the centre.
        PartyDoesNotConsent => "party_does_not_consent",
        /// Questions went unanswered.
        NoResponse => "no_response",
        Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    #[test]
    fn the_centre_reviews_then_decides() {
        assert_eq!(
            decide(Submitted, Side::Centre, Move::Review),
            Ok(UnderReview)
        );
        for from in [UnderReview, InfoRequested] {
            assert_eq!(decide(from, Side::Centre, Move::Accept), Ok(Accepted));
            assert_eq!(decide(from, Side::Centre, Move::Decline), Ok(Declined));
            assert_eq!(decide(from, Side::Centre, Move::Waitlist), Ok(Waitlisted));
        }
        assert_eq!(decide(Waitlisted, Side::Centre, Move::Accept), Ok(Accepted));
        assert_eq!(decide(PreVisits, Side::Centre, Move::Decline), Ok(Declined));
    }

    #[test]
    fn questions_wait_for_every_answer() {
        assert_eq!(
            decide(UnderReview, Side::Centre, Move::Question),
            Ok(InfoRequested)
        );
        assert_eq!(
            decide(InfoRequested, Side::Centre, Move::Question),
            Ok(InfoRequested)
        );
        assert_eq!(after_answer(InfoRequested, true), None);
        assert_eq!(after_answer(InfoRequested, false), Some(UnderReview));
        // Decided meanwhile: an answer moves nothing.
        assert_eq!(after_answer(Accepted, false), None);
    }

    #[test]
    fn a_decision_needs_a_review_first() {
        for wanted in [Move::Accept, Move::Decline, Move::Waitlist] {
            assert_eq!(
                decide(Submitted, Side::Centre, wanted),
                Err(Refusal::Illegal {
                    from: Submitted,
                    allowed: vec![Move::Review, Move::Close],
                })
            );
        }
        // Once accepted, only the pre-visits (or closing) come next.
        assert_eq!(
            decide(Accepted, Side::Centre, Move::Decline),
            Err(Refusal::Illegal {
                from: Accepted,
                allowed: vec![Move::Close, Move::BookPreVisit],
            })
        );
        assert_eq!(
            decide(Accepted, Side::Centre, Move::BookPreVisit),
            Ok(PreVisits)
        );
        // A second party's pre-visit leaves the referral where it is.
        assert_eq!(
            decide(PreVisits, Side::Centre, Move::BookPreVisit),
            Ok(PreVisits)
        );
        assert!(decide(UnderReview, Side::Centre, Move::BookPreVisit).is_err());
    }

    #[test]
    fn only_the_referrers_side_withdraws_and_only_the_centre_decides() {
        assert_eq!(
            decide(Submitted, Side::Centre, Move::Withdraw),
            Err(Refusal::NotYours)
        );
        for wanted in [
            Move::Review,
            Move::Accept,
            Move::Decline,
            Move::Waitlist,
            Move::Close,
            Move::Question,
        ] {
            assert_eq!(
                decide(UnderReview, Side::Referrer, wanted),
                Err(Refusal::NotYours)
            );
            assert_eq!(
                decide(UnderReview, Side::Onlooker, wanted),
                Err(Refusal::NotYours)
            );
        }
        assert_eq!(
            decide(UnderReview, Side::Referrer, Move::Withdraw),
            Ok(Closed)
        );
    }

    #[test]
    fn every_open_state_but_a_draft_closes_and_the_ends_stay_ended() {
        for &from in ReferralStatus::ALL {
            let closable = !matches!(from, Draft | Declined | Closed);
            assert_eq!(Move::Close.target(from).is_some(), closable, "{from:?}");
            assert_eq!(Move::Withdraw.target(from).is_some(), closable, "{from:?}");
        }
        for from in [Declined, Closed] {
            for side in [Side::Centre, Side::Referrer, Side::Onlooker] {
                assert!(allowed(from, side).is_empty(), "{from:?}");
            }
        }
    }

    #[test]
    fn allowed_lists_exactly_the_moves_that_decide_accepts() {
        for &from in ReferralStatus::ALL {
            for side in [Side::Centre, Side::Referrer, Side::Onlooker] {
                let listed = allowed(from, side);
                for &wanted in Move::ALL {
                    assert_eq!(
                        listed.contains(&wanted),
                        decide(from, side, wanted).is_ok(),
                        "{from:?} {side:?} {wanted:?}"
                    );
                }
            }
        }
    }
}
