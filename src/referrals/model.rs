//! The words of a referral (DOMAIN.md "Referral", "Self-referral grid",
//! "Family") and its database rows.

use diesel::prelude::*;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::schema::{
    referral_adults, referral_children, referral_court_orders, referral_history,
    referral_relations, referral_risks, referrals,
};
use crate::text_enum;
use crate::vocabulary::{
    AdultId, CentreId, ChildId, ClientId, OrganisationId, ReferralId, RiskId, ServiceType, UserId,
};

text_enum! {
    /// Where a referral is in its life.
    pub enum ReferralStatus {
        /// Being written; only its author sees it.
        Draft => "draft",
        /// Sent, waiting for the other adult parties to add their part.
        AwaitingParties => "awaiting_parties",
        /// Every part in: ready for the centre's review.
        Submitted => "submitted",
        UnderReview => "under_review",
        InfoRequested => "info_requested",
        Accepted => "accepted",
        Declined => "declined",
        Waitlisted => "waitlisted",
        PreVisits => "pre_visits",
        Active => "active",
        Closed => "closed",
    }
}

impl ReferralStatus {
    /// The status as shown to a viewer outside the centre (the referrer's
    /// side, the parties): that the centre is waiting for an answer is for the
    /// centre and the recipient (who sees it as a pending answer), so
    /// `info_requested` reads as `under_review`.
    pub fn outside_the_centre(self) -> Self {
        match self {
            Self::InfoRequested => Self::UnderReview,
            other => other,
        }
    }

    /// Open referrals count as duplicates of a new one for the same child.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Declined | Self::Closed)
    }
}

text_enum! {
    /// Who reads a history entry: its note may speak of the other party.
    pub enum HistoryVisibility {
        /// The centre's coordinators alone.
        Centre => "centre",
        /// Everyone who sees the referral.
        Shared => "shared",
    }
}

text_enum! {
    /// Who made the referral.
    pub enum ReferralSource {
        Professional => "professional",
        SelfReferral => "self_referral",
        Integration => "integration",
    }
}

text_enum! {
    /// How the parents can communicate (the self-referral grid).
    pub enum CommunicationLevel {
        /// Email or text works between them.
        Direct => "direct",
        /// A friend or relative passes messages.
        ViaThirdParty => "via_third_party",
        /// They cannot communicate at all.
        None => "none",
        /// An injunction forbids contact.
        Prohibited => "prohibited",
    }
}

impl CommunicationLevel {
    /// `direct` and `via_third_party` may self-refer where the centre accepts
    /// it; `none` and `prohibited` must be referred by a professional.
    pub fn allows_self_referral(self) -> bool {
        matches!(self, Self::Direct | Self::ViaThirdParty)
    }
}

text_enum! {
    /// An adult's role in the family.
    pub enum Party {
        ResidentParent => "resident_parent",
        NonResidentParent => "non_resident_parent",
        Grandparent => "grandparent",
        OtherRelative => "other_relative",
        Carer => "carer",
    }
}

impl Party {
    /// Parents give their own part of the referral; contact does not start
    /// on one parent's word.
    pub fn gives_own_part(self) -> bool {
        matches!(self, Self::ResidentParent | Self::NonResidentParent)
    }
}

text_enum! {
    /// What an adult is to a child.
    pub enum Relation {
        Mother => "mother",
        Father => "father",
        Grandmother => "grandmother",
        Grandfather => "grandfather",
        StepParent => "step_parent",
        Sibling => "sibling",
        Aunt => "aunt",
        Uncle => "uncle",
        Carer => "carer",
        Other => "other",
    }
}

text_enum! {
    /// The kinds of court order a referral may mention.
    pub enum CourtOrderKind {
        ChildArrangements => "child_arrangements",
        ProhibitedSteps => "prohibited_steps",
        NonMolestation => "non_molestation",
        Occupation => "occupation",
        Other => "other",
    }
}

text_enum! {
    /// The kinds of risk information a referral carries.
    pub enum RiskKind {
        DomesticAbuse => "domestic_abuse",
        AbductionRisk => "abduction_risk",
        SubstanceMisuse => "substance_misuse",
        MentalHealth => "mental_health",
        Other => "other",
    }
}

text_enum! {
    /// How often the family would like contact.
    pub enum Frequency {
        Weekly => "weekly",
        Fortnightly => "fortnightly",
        Monthly => "monthly",
        Other => "other",
    }
}

text_enum! {
    /// An adult's own part of the referral.
    pub enum PartStatus {
        /// Not asked of this adult (not a parent, or no email to invite).
        NotRequired => "not_required",
        /// Invited; waiting until `part_due_at`.
        Awaited => "awaited",
        Given => "given",
        /// Not given before `part_due_at`.
        Expired => "expired",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = referrals)]
pub struct Referral {
    pub id: ReferralId,
    pub centre_id: CentreId,
    pub service: ServiceType,
    pub status: ReferralStatus,
    pub source: ReferralSource,
    pub created_by_user: Option<UserId>,
    pub created_by_client: Option<ClientId>,
    pub organisation_id: Option<OrganisationId>,
    pub referrer_name: String,
    pub referrer_email: String,
    pub referrer_phone: Option<String>,
    pub communication_level: CommunicationLevel,
    pub parties_must_not_meet: bool,
    pub court_name: Option<String>,
    pub court_case_number: Option<String>,
    pub next_hearing_on: Option<Date>,
    pub preferred_days: Vec<Option<i16>>,
    pub frequency: Option<Frequency>,
    pub submitted_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// When every part was in and the referral reached the centre.
    pub received_at: Option<OffsetDateTime>,
    /// How a closed referral ended.
    pub outcome: Option<super::decisions::machine::ClosingOutcome>,
    /// Why a declined referral was declined.
    pub decline_reason: Option<super::decisions::machine::DeclineReason>,
    /// The centre's reasoning for a decline (its coordinators alone read it).
    pub decline_rationale: Option<String>,
    /// Moved by every change to the case (database triggers): its `ETag`.
    pub version: i64,
    /// When it joined its centre's waiting list.
    pub waitlisted_at: Option<OffsetDateTime>,
    /// Why it comes first on the waiting list, if it does.
    pub priority_reason: Option<String>,
}

impl Referral {
    /// The centre, once the referral is sent. A draft is its author's alone:
    /// its audit entries and events name no centre, so neither the centre's
    /// trail nor its integrations hear of it.
    pub fn centre_if_sent(&self) -> Option<CentreId> {
        (self.status != ReferralStatus::Draft).then_some(self.centre_id)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = referral_children)]
pub struct Child {
    pub id: ChildId,
    pub referral_id: ReferralId,
    pub name: String,
    pub name_key: String,
    pub date_of_birth: Date,
    pub needs: String,
    pub position: i16,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = referral_adults)]
pub struct Adult {
    pub id: AdultId,
    pub referral_id: ReferralId,
    pub name: String,
    pub party: Party,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub share_email: bool,
    pub share_phone: bool,
    pub share_address: bool,
    pub may_attend: bool,
    pub user_id: Option<UserId>,
    pub part_status: PartStatus,
    pub part_due_at: Option<OffsetDateTime>,
    pub part_given_at: Option<OffsetDateTime>,
    pub consents_to_contact: Option<bool>,
    pub availability: Option<String>,
    pub position: i16,
    /// A part entered by a coordinator from a signed paper form: the date
    /// it was signed.
    pub part_paper_signed_on: Option<Date>,
    /// Who entered it.
    pub part_recorded_by: Option<UserId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_relations)]
pub struct RelationRow {
    pub adult_id: AdultId,
    pub child_id: ChildId,
    pub relation: Relation,
    pub lives_with: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = referral_court_orders)]
pub struct CourtOrder {
    pub id: Uuid,
    pub referral_id: ReferralId,
    pub kind: CourtOrderKind,
    pub made_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub conditions: String,
    pub position: i16,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = referral_risks)]
pub struct Risk {
    pub id: RiskId,
    pub referral_id: ReferralId,
    pub kind: RiskKind,
    pub details: String,
    pub stated_by_adult: Option<AdultId>,
    pub visible_to_staff: bool,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = referral_history)]
pub struct HistoryEntry {
    pub id: Uuid,
    pub referral_id: ReferralId,
    pub at: OffsetDateTime,
    pub actor_user: Option<UserId>,
    pub actor_client: Option<ClientId>,
    pub from_status: Option<ReferralStatus>,
    pub to_status: ReferralStatus,
    pub note: String,
    pub visibility: HistoryVisibility,
}

/// What a list entry shows of a referral: the columns the list reads.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = referrals)]
pub struct Listed {
    pub id: ReferralId,
    pub centre_id: CentreId,
    pub service: ServiceType,
    pub status: ReferralStatus,
    pub source: ReferralSource,
    pub submitted_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// A referral with everything it holds, as read or as about to be written.
#[derive(Debug, Clone)]
pub struct ReferralBundle {
    pub referral: Referral,
    pub children: Vec<Child>,
    pub adults: Vec<Adult>,
    pub relations: Vec<RelationRow>,
    pub court_orders: Vec<CourtOrder>,
    pub risks: Vec<Risk>,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// A name (folded as `intake::rules::name_key`) that a child or adult of
    /// the referral has in part.
    pub q: Option<String>,
    pub status: Option<ReferralStatus>,
    pub centre_id: Option<CentreId>,
    pub service: Option<ServiceType>,
    pub received_from: Option<OffsetDateTime>,
    pub received_to: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_sends_its_database_word() {
        crate::text_enum::assert_wire_words(ReferralStatus::ALL, ReferralStatus::as_str);
        crate::text_enum::assert_wire_words(ReferralSource::ALL, ReferralSource::as_str);
        crate::text_enum::assert_wire_words(CommunicationLevel::ALL, CommunicationLevel::as_str);
        crate::text_enum::assert_wire_words(Party::ALL, Party::as_str);
        crate::text_enum::assert_wire_words(Relation::ALL, Relation::as_str);
        crate::text_enum::assert_wire_words(CourtOrderKind::ALL, CourtOrderKind::as_str);
        crate::text_enum::assert_wire_words(RiskKind::ALL, RiskKind::as_str);
        crate::text_enum::assert_wire_words(Frequency::ALL, Frequency::as_str);
        crate::text_enum::assert_wire_words(PartStatus::ALL, PartStatus::as_str);
    }

    #[test]
    fn only_direct_or_relayed_communication_may_self_refer() {
        let allowed: Vec<_> = CommunicationLevel::ALL
            .iter()
            .filter(|c| c.allows_self_referral())
            .collect();
        assert_eq!(
            allowed,
            [
                &CommunicationLevel::Direct,
                &CommunicationLevel::ViaThirdParty
            ]
        );
    }
}
