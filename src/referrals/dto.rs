//! Request and response shapes of referrals.
//!
//! Children and adults of a request name each other by `ref`, a label the
//! client chooses (`c1`, `a1`), since neither has an id yet. Enum words,
//! dates and lists are read field by field, so that a bad entry is a 422
//! naming it (`children[1].date_of_birth`).
//!
//! Long because a referral is: every shape a partner sends or reads, each field
//! with its schema annotations for the OpenAPI document; no logic lives here.

use crate::vocabulary::{AdultId, CentreId, ChildId, FamilyId, OrganisationId, ReferralId, RiskId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::ListFilter;
pub use super::model::{
    CommunicationLevel, CourtOrderKind, Frequency, HistoryVisibility, PartStatus, Party,
    ReferralSource, ReferralStatus, Relation, RiskKind,
};
use crate::error::ApiError;
use crate::pagination::{CursorKey, PageParams, PageRequest};
use crate::validation::FieldErrors;
use crate::vocabulary::{ServiceType, Weekday};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::IntoParams;

/// Who made a professional referral, and how to reach them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReferrerContactInput {
    /// The referrer's name (an integration client gives it).
    #[schema(example = "Sam Patel", max_length = 200)]
    pub name: Option<String>,
    /// The referrer's email (an integration client gives it).
    #[schema(example = "sam.patel@familylaw.example", max_length = 254, format = Email)]
    pub email: Option<String>,
    /// The referrer's phone.
    #[schema(example = "01228 000000", max_length = 40)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChildInput {
    /// A label other entries of this request use for this child.
    #[schema(example = "c1", min_length = 1, max_length = 40)]
    #[serde(rename = "ref")]
    pub reference: String,
    /// The child's full name.
    #[schema(example = "Alex", min_length = 1, max_length = 200)]
    pub name: String,
    /// The child's date of birth (under 18).
    #[schema(value_type = String, format = Date, example = "2018-04-02")]
    pub date_of_birth: String,
    /// Needs the centre should know of (health, language, behaviour).
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub needs: String,
}

/// What an adult is to one child.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RelationInput {
    /// The `ref` of a child of this request.
    #[schema(example = "c1")]
    pub child: String,
    /// How the adult is related to the child.
    #[schema(value_type = Relation)]
    pub relation: String,
    /// The child lives with this adult.
    #[serde(default)]
    pub lives_with: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AdultInput {
    /// A label other entries of this request use for this adult.
    #[schema(example = "a1", min_length = 1, max_length = 40)]
    #[serde(rename = "ref")]
    pub reference: String,
    /// Their full name.
    #[schema(example = "Jo Smith", min_length = 1, max_length = 200)]
    pub name: String,
    /// Their role in the family.
    #[schema(value_type = Party)]
    pub party: String,
    /// Needed to invite a parent to give their own part.
    #[schema(example = "jo@example.org", max_length = 254, format = Email)]
    pub email: Option<String>,
    /// Their phone, for the centre.
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    /// Their address, for the centre (never shown to the other party without consent).
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// Named to attend contact sessions.
    #[serde(default)]
    pub may_attend: bool,
    /// Their relation to each child; every adult relates to at least one.
    #[schema(min_items = 1)]
    pub relations: Vec<RelationInput>,
    /// In a self-referral: this adult is the parent making it.
    #[serde(default, rename = "self")]
    pub is_self: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"court": "Carlisle Family Court", "case_number": "CA26P00123", "next_hearing_on": "2027-02-01"}))]
pub struct CourtProceedingsInput {
    /// The family court.
    #[schema(example = "Carlisle Family Court", max_length = 200)]
    pub court: Option<String>,
    /// The court's case number.
    #[schema(example = "CA26P00123", max_length = 100)]
    pub case_number: Option<String>,
    /// The date of the next hearing, if set.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_hearing_on: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"kind": "prohibited_steps", "made_on": "2026-11-20", "expires_on": "2027-11-20", "conditions": "The child is not to be removed from England and Wales"}))]
pub struct CourtOrderInput {
    /// The kind of order.
    #[schema(value_type = CourtOrderKind)]
    pub kind: String,
    /// When the court made it.
    #[schema(value_type = Option<String>, format = Date)]
    pub made_on: Option<String>,
    /// When it ends, if it says.
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<String>,
    /// What it says about contact (for the centre's coordinators and the referrer).
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub conditions: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RiskInput {
    /// The kind of risk.
    #[schema(value_type = RiskKind)]
    pub kind: String,
    /// What is known, in words.
    #[schema(min_length = 1, max_length = 4000)]
    pub details: String,
}

/// A new referral. With `submit: true` it is sent at once; otherwise it stays a
/// draft that only its author sees, to change and send later.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"centre_id": "01a2f4c0-0000-7000-8000-000000000001", "service": "supervised", "communication_level": "none", "referrer": {"phone": "01228 000000"}, "children": [{"ref": "alex", "name": "Alex Smith", "date_of_birth": "2018-04-02", "needs": "Asthma inhaler"}], "adults": [{"ref": "jo", "name": "Jo Smith", "party": "resident_parent", "email": "jo@example.org", "phone": "07700 900001", "may_attend": true, "relations": [{"child": "alex", "relation": "mother", "lives_with": true}]}, {"ref": "chris", "name": "Chris Smith", "party": "non_resident_parent", "email": "chris@example.org", "may_attend": true, "relations": [{"child": "alex", "relation": "father"}]}], "court_proceedings": {"court": "Carlisle Family Court", "case_number": "CA26P00123", "next_hearing_on": "2027-02-01"}, "court_orders": [{"kind": "child_arrangements", "made_on": "2026-10-01", "conditions": "Supervised contact fortnightly"}], "risks": [{"kind": "domestic_abuse", "details": "History of arguments at handover"}], "parties_must_not_meet": true, "preferred_days": ["saturday"], "frequency": "fortnightly", "submit": true}))]
pub struct CreateReferralRequest {
    /// The centre asked to take the family (`GET /api/v1/centres` finds one).
    #[schema(value_type = Uuid)]
    pub centre_id: CentreId,
    /// The kind of contact asked for; the centre must offer it.
    #[schema(value_type = ServiceType)]
    pub service: String,
    /// For professionals and integration clients; a parent's comes from their account.
    pub referrer: Option<ReferrerContactInput>,
    /// How the parents can communicate: with `none` or `prohibited` only a professional may refer.
    #[schema(value_type = CommunicationLevel)]
    pub communication_level: String,
    /// The children to see the adults, each with a `ref` the adults' relations name.
    #[schema(min_items = 1, max_items = 12)]
    pub children: Vec<ChildInput>,
    /// Every adult party: the parents (or others) who will attend or must give their part, each with a `ref` and their relation to each child.
    #[schema(min_items = 1, max_items = 12)]
    pub adults: Vec<AdultInput>,
    /// Proceedings in the family court, if any.
    pub court_proceedings: Option<CourtProceedingsInput>,
    /// Orders in force about the children (their conditions are for the centre and the referrer only).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub court_orders: Vec<CourtOrderInput>,
    /// What the referrer knows of risks: for the centre's coordinators, who decide what staff see.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub risks: Vec<RiskInput>,
    /// The parties must not meet (an injunction, or on request).
    #[serde(default)]
    pub parties_must_not_meet: bool,
    /// Days that suit the family, for the centre to offer a slot.
    #[serde(default)]
    #[schema(value_type = Vec<Weekday>)]
    pub preferred_days: Vec<String>,
    /// How often contact is asked for.
    #[schema(value_type = Option<Frequency>)]
    pub frequency: Option<String>,
    /// Send it to the centre now (`true`), or keep it as a draft to change and send later.
    #[serde(default)]
    pub submit: bool,
}

/// An adult's own part: their consent, availability, which of their contact
/// details the other party may see, and their view of the risks.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"consents_to_contact": true, "address": "3 New Lane, Penrith", "phone": "07700 900002", "availability": "Saturday mornings", "share": {"email": false, "phone": true, "address": false}, "risks": [{"kind": "other", "details": "Worried about late arrivals"}]}))]
pub struct GivePartRequest {
    /// They agree to contact at the centre.
    pub consents_to_contact: bool,
    /// Your address, for the centre.
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// Your phone, for the centre.
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    /// When you can attend, in your words.
    #[schema(max_length = 1000, example = "Saturdays; not school holidays")]
    pub availability: Option<String>,
    /// Which of your details the other party may see (none unless you say so).
    #[serde(default)]
    pub share: ShareInput,
    /// Risks you want the centre to know of: seen by the centre's coordinators, never by the other party.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub risks: Vec<RiskInput>,
    /// You ask that you and the other party never meet at the centre (you
    /// need not say why). The referral then says the parties must not meet;
    /// only the centre's coordinators know who asked.
    #[serde(default)]
    pub asks_not_to_meet: bool,
    /// For a coordinator entering the part from the party's signed paper
    /// form: the date it was signed (not after today, not before the
    /// referral was made). A party giving their own part leaves it out.
    #[schema(format = Date)]
    pub paper_form_signed_on: Option<String>,
}

/// Which contact details the other party may see (none unless given).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema)]
pub struct ShareInput {
    /// The other party may see your email.
    #[serde(default)]
    pub email: bool,
    /// The other party may see your phone.
    #[serde(default)]
    pub phone: bool,
    /// The other party may see your address.
    #[serde(default)]
    pub address: bool,
}

/// A contact detail as the reader may see it: absent when it is withheld.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactDetails {
    /// Their email, where the viewer may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Email)]
    pub email: Option<String>,
    /// Their phone, where the viewer may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Their address, where the viewer may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// What the adult agreed the other party may see (for the centre and the adult).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_with_other_party: Option<ShareInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildResponse {
    /// The child's id in this referral.
    #[schema(value_type = Uuid)]
    pub id: ChildId,
    /// The child's name.
    pub name: String,
    /// The child's date of birth.
    #[schema(format = Date)]
    pub date_of_birth: String,
    /// Needs the centre should know of (health, language, access).
    pub needs: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelationResponse {
    /// The child.
    #[schema(value_type = Uuid)]
    pub child_id: ChildId,
    /// How the adult is related to the child.
    pub relation: Relation,
    /// Whether the child lives with this adult.
    pub lives_with: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdultResponse {
    /// The adult's id in this referral (for their part: `/referrals/{id}/parties/{adult_id}/part`).
    #[schema(value_type = Uuid)]
    pub id: AdultId,
    /// Their name.
    pub name: String,
    /// Their role in the family.
    pub party: Party,
    /// Whether they may attend contact sessions.
    pub may_attend: bool,
    /// How they are related to each child.
    pub relations: Vec<RelationResponse>,
    /// Their contact details, as far as the viewer may see them.
    pub contact: ContactDetails,
    /// Whether their own part of the referral is awaited, given or expired.
    pub part_status: PartStatus,
    /// When an awaited part is due.
    #[schema(format = DateTime)]
    pub part_due_at: Option<String>,
    /// Whether they agree to contact (once their part is given); never shown
    /// to the other party.
    pub consents_to_contact: Option<bool>,
    /// Their availability, for the centre and themselves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<String>,
    /// When the part came on a signed paper form, entered by the centre:
    /// the date it was signed (the centre's coordinators and the adult).
    #[schema(format = Date)]
    pub part_paper_signed_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourtOrderResponse {
    /// The order's id (the assessment names what each order enforces by it).
    pub id: uuid::Uuid,
    /// The kind of order.
    pub kind: CourtOrderKind,
    /// When the court made it.
    #[schema(format = Date)]
    pub made_on: Option<String>,
    /// When it ends, if it says.
    #[schema(format = Date)]
    pub expires_on: Option<String>,
    /// The order's conditions (they may name places and people): for the
    /// centre and the referrer; absent for staff and parents.
    pub conditions: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskResponse {
    /// The statement's id (for a coordinator to show it to staff).
    #[schema(value_type = Uuid)]
    pub id: RiskId,
    /// The kind of risk.
    pub kind: RiskKind,
    /// What was said.
    pub details: String,
    /// The adult whose statement it is; absent for the referrer's.
    #[schema(value_type = Option<Uuid>)]
    pub stated_by_adult: Option<AdultId>,
    /// Whether the centre's coordinators have shown it to staff.
    pub visible_to_staff: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourtProceedingsResponse {
    /// The family court.
    pub court: Option<String>,
    /// The court's case number.
    pub case_number: Option<String>,
    /// The date of the next hearing, if set.
    #[schema(format = Date)]
    pub next_hearing_on: Option<String>,
}

/// Who made the referral. Their email and phone are absent where the viewer
/// may not see them (a parent's own referral, to the other party; any
/// professional's, to staff).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferrerResponse {
    /// The referrer's name.
    pub name: String,
    /// Their email, where the viewer may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Email)]
    pub email: Option<String>,
    /// Their phone, where the viewer may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Their organisation, for a professional.
    #[schema(value_type = Option<Uuid>)]
    pub organisation_id: Option<OrganisationId>,
}

/// Something the referral waits for, and from whom (a tracking page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingItem {
    /// What is awaited.
    pub what: Pending,
    /// The adult whose part is awaited.
    #[schema(value_type = Option<Uuid>)]
    pub adult_id: Option<AdultId>,
    /// From whom: the adult's name, or `centre`.
    pub from: String,
    /// When the part is due.
    #[schema(format = DateTime)]
    pub due_at: Option<String>,
    /// Whether it is past its time.
    pub expired: bool,
}

crate::text_enum! {
    /// What a referral waits for.
    pub enum Pending {
        /// An adult party's own part of the referral.
        PartyPart => "party_part",
        /// The centre's review of a referral with every part in.
        CentreReview => "centre_review",
        /// A place at the centre, for a family on its waiting list.
        Place => "place",
        /// The pre-visits the centre arranges for an accepted family.
        PreVisits => "pre_visits",
        /// An answer to the centre's question (shown to the centre and the
        /// recipient alone).
        Answer => "answer",
        /// A party's agreement to the centre's current ground rules.
        GroundRules => "ground_rules",
        /// A charging centre's quote for an accepted family (the centre's
        /// coordinators alone see this wait).
        Quote => "quote",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryResponse {
    /// When the status changed.
    #[schema(format = DateTime)]
    pub at: String,
    /// The status before (none for the first entry).
    pub from_status: Option<ReferralStatus>,
    /// The status after.
    pub to_status: ReferralStatus,
    /// Why, as far as the viewer may see it.
    pub note: String,
    /// `centre`: read by the centre's coordinators alone; `shared`: by
    /// everyone who sees the referral.
    pub visibility: HistoryVisibility,
}

/// A referral as its reader may see it (see the referrals section of the API
/// description for who sees what).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralResponse {
    /// The referral's id.
    #[schema(value_type = Uuid)]
    pub id: ReferralId,
    /// The centre it is made to.
    #[schema(value_type = Uuid)]
    pub centre_id: CentreId,
    /// The kind of contact asked for.
    pub service: ServiceType,
    /// Where the referral is: from `draft` through the centre's decision to `closed`.
    pub status: ReferralStatus,
    /// Who made it: a professional, a parent (self-referral) or an integration client.
    pub source: ReferralSource,
    /// Who made it, with contact details where the viewer may see them.
    pub referrer: ReferrerResponse,
    /// How the parents can communicate.
    pub communication_level: CommunicationLevel,
    /// The adults must never meet at the centre.
    pub parties_must_not_meet: bool,
    /// The children, as the viewer may see them.
    pub children: Vec<ChildResponse>,
    /// The adult parties, each with what the viewer may see of their contact details and part.
    pub adults: Vec<AdultResponse>,
    /// Proceedings in the family court (not shown to staff).
    pub court_proceedings: Option<CourtProceedingsResponse>,
    /// Orders in force (conditions only for the centre's coordinators and the referrer).
    pub court_orders: Vec<CourtOrderResponse>,
    /// The risk statements the viewer may see (see the who-sees-what table).
    pub risks: Vec<RiskResponse>,
    /// Days that suit the family.
    pub preferred_days: Vec<Weekday>,
    /// How often contact is asked for.
    pub frequency: Option<Frequency>,
    /// What the referral waits for, and from whom.
    pub pending: Vec<PendingItem>,
    /// Its changes of status, with the notes the viewer may see.
    pub history: Vec<HistoryResponse>,
    /// The family, once the referral has reached the centre.
    #[schema(value_type = Option<Uuid>)]
    pub family_id: Option<FamilyId>,
    /// For the centre: another open referral of the same child at the centre,
    /// possibly from someone else (the sender is not told).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub possible_duplicate_of: Option<ReferralId>,
    /// When it was sent to the centre.
    #[schema(format = DateTime)]
    pub submitted_at: Option<String>,
    /// When every part was in and it reached the centre (`submitted`); the
    /// centre's notice periods run from here.
    #[schema(format = DateTime)]
    pub received_at: Option<String>,
    /// How a closed referral ended.
    pub outcome: Option<crate::referrals::decisions::machine::ClosingOutcome>,
    /// Why a declined referral was declined (not shown to the parties, who
    /// read the centre's words for them in the history).
    pub decline_reason: Option<crate::referrals::decisions::machine::DeclineReason>,
    /// The centre's own reasoning for a decline: its coordinators alone see it.
    pub decline_rationale: Option<String>,
    /// Its place on the centre's waiting list for its service (from 1), while
    /// waitlisted.
    pub waiting_list_position: Option<i64>,
    /// Its latest offer of a place, if any.
    pub offer: Option<crate::referrals::waiting_list::dto::OfferView>,
    /// Why it comes first on the waiting list (the centre's people only).
    pub priority_reason: Option<String>,
    /// When it was made.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// A charging centre's quote, recorded at acceptance (the centre, the
    /// referrer's side and the parties; not staff).
    pub quote: Option<crate::referrals::quotes::QuoteResponse>,
}

/// A referral in a list: status and what it waits for, no family detail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralSummary {
    /// The referral's id.
    #[schema(value_type = Uuid)]
    pub id: ReferralId,
    /// The centre it is made to.
    #[schema(value_type = Uuid)]
    pub centre_id: CentreId,
    /// The kind of contact asked for.
    pub service: ServiceType,
    /// Where the referral is.
    pub status: ReferralStatus,
    /// Who made it: a professional, a parent or an integration client.
    pub source: ReferralSource,
    /// How many children it names.
    pub children: i64,
    /// When it was sent to the centre.
    #[schema(format = DateTime)]
    pub submitted_at: Option<String>,
    /// When it was made.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A coordinator shows a risk statement to the centre's staff, or hides it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"visible_to_staff": true}))]
pub struct RiskVisibilityRequest {
    /// Show the statement to the centre's staff (`true`) or hide it.
    pub visible_to_staff: bool,
}

/// Filters of `GET /referrals`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralListParams {
    /// A name, or part of one, of a child or adult of the referral (any case,
    /// spaces folded): `smith`, `alex sm`.
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    #[param(value_type = Option<ReferralStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub centre_id: Option<CentreId>,
    #[param(value_type = Option<crate::vocabulary::ServiceType>)]
    pub service: Option<String>,
    /// Received (sent) at or after this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub received_from: Option<String>,
    /// Received before this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub received_to: Option<String>,
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl ReferralListParams {
    /// The filters and the page asked for; every bad parameter named in one 422.
    pub fn parse(self, cursors: &CursorKey) -> Result<(ListFilter, PageRequest<i64>), ApiError> {
        let mut errors = FieldErrors::default();
        let status = self
            .status
            .as_deref()
            .and_then(|s| errors.word::<ReferralStatus>("status", s, &ReferralStatus::words()));
        let service = self
            .service
            .as_deref()
            .and_then(|s| errors.word::<ServiceType>("service", s, &ServiceType::words()));
        let mut time = |field: &str, v: Option<&str>| {
            v.and_then(|t| {
                let parsed = OffsetDateTime::parse(t, &Rfc3339).ok();
                if parsed.is_none() {
                    errors.push(field, "date_time", "must be an RFC 3339 date and time");
                }
                parsed
            })
        };
        let received_from = time("received_from", self.received_from.as_deref());
        let received_to = time("received_to", self.received_to.as_deref());
        let q = self.q.as_deref().and_then(|q| {
            let key = crate::referrals::intake::rules::name_key(q);
            if key.is_empty() || key.chars().count() > 100 || key.contains('\0') {
                errors.push("q", "length", "must be 1 to 100 characters of a name");
                return None;
            }
            Some(key)
        });
        let filter = ListFilter {
            q,
            status,
            centre_id: self.centre_id,
            service,
            received_from,
            received_to,
        };
        let page = PageParams {
            limit: self.limit,
            cursor: self.cursor,
        }
        .parse_into::<i64>(cursors.seal("referrals", &filter), &mut errors.0);
        match page {
            Some(page) => errors.finish((filter, page)),
            None => Err(ApiError::Validation(errors.0)),
        }
    }
}
