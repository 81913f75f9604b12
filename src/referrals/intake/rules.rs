//! A referral request checked and turned into rows, every broken rule named
//! by its field.
//!
//! One rule per field of a long request; its unit tests sit beside it.

use std::collections::HashMap;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::vocabulary::{AdultId, ChildId, ClientId, OrganisationId, ReferralId, RiskId, UserId};

use crate::error::ApiError;
use crate::referrals::dto::{
    AdultInput, ChildInput, CourtOrderInput, CourtProceedingsInput, CreateReferralRequest,
    RiskInput,
};
use crate::referrals::model::{
    Adult, Child, CommunicationLevel, CourtOrder, CourtOrderKind, Frequency, PartStatus, Party,
    Referral, ReferralBundle, ReferralSource, ReferralStatus, Relation, RelationRow, Risk,
    RiskKind,
};
use crate::vocabulary::calendar::parse_date;
use crate::vocabulary::calendar::parse_weekday;
use crate::vocabulary::ServiceType;

pub use crate::validation::FieldErrors as Errors;
use crate::validation::{Email, Name, Phone};

fn words<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> String {
    all.iter()
        .map(|v| as_str(*v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An email address: something@domain, at most 254 characters.
pub fn email(errors: &mut Errors, field: &str, text: Option<&str>) -> Option<String> {
    let email = errors.email(field, text?);
    Some(email.map(Email::into_inner).unwrap_or_default())
}

/// A person's name (a child, an adult, a referrer); the error, if any, is kept.
fn name(errors: &mut Errors, field: &str, text: &str) -> String {
    errors
        .name(field, text)
        .map(Name::into_inner)
        .unwrap_or_default()
}

/// Folds a child's name for matching "the same child" across referrals.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The referrer of a request: who it comes from and how to reach them.
#[derive(Debug, Clone)]
pub struct Author {
    pub source: ReferralSource,
    pub user_id: Option<UserId>,
    pub client_id: Option<ClientId>,
    pub organisation_id: Option<OrganisationId>,
    /// Name and email from the account, for people; `None` for clients.
    pub account: Option<(String, String)>,
}

/// The day a child born on `born` turns 18 (1 March for 29 February in a
/// year that is not a leap year).
fn eighteenth_birthday(born: Date) -> Date {
    let year = born.year() + 18;
    born.replace_year(year)
        .or_else(|_| Date::from_calendar_date(year, time::Month::March, 1))
        .unwrap_or(born)
}

/// Children must be under 18 and born by today.
fn child(
    errors: &mut Errors,
    i: usize,
    input: &ChildInput,
    today: Date,
) -> Option<(String, Child)> {
    let f = |name: &str| format!("children[{i}].{name}");
    let reference = errors.text(&f("ref"), &input.reference, 1, 40);
    let name = name(errors, &f("name"), &input.name);
    let needs = errors.text(&f("needs"), &input.needs, 0, 2000);
    let born = errors.take(parse_date(&f("date_of_birth"), &input.date_of_birth))?;
    if born > today {
        errors.push(f("date_of_birth"), "future", "cannot be in the future");
    } else if eighteenth_birthday(born) <= today {
        errors.push(
            f("date_of_birth"),
            "adult",
            "a child contact centre is for children under 18",
        );
    }
    Some((
        reference,
        Child {
            id: ChildId::new(),
            referral_id: ReferralId(Uuid::nil()),
            name_key: name_key(&name),
            name,
            date_of_birth: born,
            needs,
            position: i as i16,
        },
    ))
}

fn risk(
    errors: &mut Errors,
    field: &str,
    input: &RiskInput,
    adult: Option<AdultId>,
) -> Option<Risk> {
    let kind: RiskKind = errors.word(
        &format!("{field}.kind"),
        &input.kind,
        &words(RiskKind::ALL, RiskKind::as_str),
    )?;
    let details = errors.text(&format!("{field}.details"), &input.details, 1, 4000);
    Some(Risk {
        id: RiskId::new(),
        referral_id: ReferralId(Uuid::nil()),
        kind,
        details,
        stated_by_adult: adult,
        visible_to_staff: false,
        created_at: OffsetDateTime::now_utc(),
    })
}

/// Risk statements of a request, attributed to `adult` (or the referrer).
pub fn risks(
    errors: &mut Errors,
    field: &str,
    inputs: &[RiskInput],
    adult: Option<AdultId>,
) -> Vec<Risk> {
    if inputs.len() > 20 {
        errors.push(field, "length", "at most 20 risk statements");
    }
    inputs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| risk(errors, &format!("{field}[{i}]"), r, adult))
        .collect()
}

fn adult(
    errors: &mut Errors,
    i: usize,
    input: &AdultInput,
    children: &HashMap<String, ChildId>,
    relations: &mut Vec<RelationRow>,
) -> Option<Adult> {
    let f = |name: &str| format!("adults[{i}].{name}");
    let name = name(errors, &f("name"), &input.name);
    errors.text(&f("ref"), &input.reference, 1, 40);
    let party: Option<Party> =
        errors.word(&f("party"), &input.party, &words(Party::ALL, Party::as_str));
    let email = email(errors, &f("email"), input.email.as_deref());
    let phone = errors
        .optional_phone(&f("phone"), input.phone.as_deref())
        .map(Phone::into_inner);
    let address = errors.optional_text(&f("address"), input.address.as_deref(), 500);
    let id = AdultId::new();
    // An adult with no relation to any child of the referral has no place in it.
    if input.relations.is_empty() {
        errors.push(
            f("relations"),
            "required",
            "say what this adult is to at least one child",
        );
    }
    let mut seen = Vec::new();
    for (j, r) in input.relations.iter().enumerate() {
        let rf = format!("adults[{i}].relations[{j}]");
        let relation: Option<Relation> = errors.word(
            &format!("{rf}.relation"),
            &r.relation,
            &words(Relation::ALL, Relation::as_str),
        );
        let Some(&child_id) = children.get(r.child.trim()) else {
            errors.push(
                format!("{rf}.child"),
                "unknown_child",
                "is not the ref of a child of this referral",
            );
            continue;
        };
        if seen.contains(&child_id) {
            errors.push(
                format!("{rf}.child"),
                "duplicate",
                "this child is already related to this adult",
            );
            continue;
        }
        seen.push(child_id);
        if let Some(relation) = relation {
            relations.push(RelationRow {
                adult_id: id,
                child_id,
                relation,
                lives_with: r.lives_with,
            });
        }
    }
    Some(Adult {
        id,
        referral_id: ReferralId(Uuid::nil()),
        name,
        party: party?,
        email,
        phone,
        address,
        share_email: false,
        share_phone: false,
        share_address: false,
        may_attend: input.may_attend,
        user_id: None,
        part_status: PartStatus::NotRequired,
        part_due_at: None,
        part_given_at: None,
        consents_to_contact: None,
        availability: None,
        position: i as i16,
        part_paper_signed_on: None,
        part_recorded_by: None,
    })
}

/// Checks a whole request and builds the referral as a draft. The caller
/// checks what needs the database (the centre, its services, duplicates).
pub fn new_referral(
    req: &CreateReferralRequest,
    author: &Author,
    today: Date,
) -> Result<(ReferralBundle, ServiceType), ApiError> {
    let mut errors = Errors::default();
    let service: Option<ServiceType> = errors.word(
        "service",
        &req.service,
        &words(ServiceType::ALL, ServiceType::as_str),
    );
    let level: Option<CommunicationLevel> = errors.word(
        "communication_level",
        &req.communication_level,
        &words(CommunicationLevel::ALL, CommunicationLevel::as_str),
    );

    // Children first: adults refer to them by `ref`.
    if req.children.is_empty() || req.children.len() > 12 {
        errors.push("children", "length", "list 1 to 12 children");
    }
    let mut children = Vec::new();
    let mut child_refs = HashMap::new();
    for (i, input) in req.children.iter().enumerate() {
        if let Some((reference, c)) = child(&mut errors, i, input, today) {
            if child_refs.insert(reference, c.id).is_some() {
                errors.push(
                    format!("children[{i}].ref"),
                    "duplicate",
                    "is used by another child",
                );
            }
            children.push(c);
        }
    }
    if req.adults.is_empty() || req.adults.len() > 12 {
        errors.push("adults", "length", "list 1 to 12 adults");
    }
    let mut adults = Vec::new();
    let mut relations = Vec::new();
    let mut adult_refs = Vec::new();
    for (i, input) in req.adults.iter().enumerate() {
        if adult_refs.contains(&input.reference.trim()) {
            errors.push(
                format!("adults[{i}].ref"),
                "duplicate",
                "is used by another adult",
            );
        }
        adult_refs.push(input.reference.trim());
        if let Some(a) = adult(&mut errors, i, input, &child_refs, &mut relations) {
            adults.push(a);
        }
    }

    // Self-referral: exactly one adult is the parent making it.
    let selves: Vec<usize> = req
        .adults
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_self)
        .map(|(i, _)| i)
        .collect();
    let self_index = match author.source {
        ReferralSource::SelfReferral => {
            match selves.as_slice() {
                [i] => {
                    let party = req.adults[*i].party.parse::<Party>().ok();
                    if !party.is_some_and(Party::gives_own_part) {
                        errors.push(format!("adults[{i}].party"), "not_a_parent", "the parent making a self-referral is a resident or non-resident parent");
                    }
                    Some(*i)
                }
                _ => {
                    errors.push("adults", "self", "mark exactly one adult, the parent making the referral, with \"self\": true");
                    None
                }
            }
        }
        _ => {
            if let Some(i) = selves.first() {
                errors.push(
                    format!("adults[{i}].self"),
                    "not_allowed",
                    "only a parent making a self-referral marks an adult as self",
                );
            }
            None
        }
    };

    let mut court_orders = Vec::new();
    if req.court_orders.len() > 20 {
        errors.push("court_orders", "length", "at most 20 court orders");
    }
    for (i, o) in req.court_orders.iter().enumerate() {
        if let Some(order) = court_order(&mut errors, &format!("court_orders[{i}]"), o, i as i16) {
            court_orders.push(order);
        }
    }
    let risks = risks(&mut errors, "risks", &req.risks, None);

    let mut preferred_days = Vec::new();
    for (i, d) in req.preferred_days.iter().enumerate() {
        if let Some(day) = errors.take(parse_weekday(&format!("preferred_days[{i}]"), d)) {
            if !preferred_days.contains(&Some(day.iso())) {
                preferred_days.push(Some(day.iso()));
            }
        }
    }
    let frequency: Option<Frequency> = req
        .frequency
        .as_deref()
        .and_then(|f| errors.word("frequency", f, &words(Frequency::ALL, Frequency::as_str)));
    let (court_name, court_case_number, next_hearing_on) = match &req.court_proceedings {
        None => (None, None, None),
        Some(p) => court_proceedings(&mut errors, "court_proceedings", p),
    };

    // The referrer: a person's account, or what a client says.
    let contact = req.referrer.as_ref();
    let (referrer_name, referrer_email) = match &author.account {
        Some((name, email)) => (name.clone(), email.clone()),
        None => {
            let name = contact.and_then(|c| c.name.as_deref()).unwrap_or_default();
            let name = self::name(&mut errors, "referrer.name", name);
            let email = email(
                &mut errors,
                "referrer.email",
                contact.and_then(|c| c.email.as_deref()),
            );
            if email.is_none() {
                errors.push(
                    "referrer.email",
                    "required",
                    "say how the centre reaches the referrer",
                );
            }
            (name, email.unwrap_or_default())
        }
    };
    let referrer_phone = errors
        .optional_phone("referrer.phone", contact.and_then(|c| c.phone.as_deref()))
        .map(Phone::into_inner);

    let (Some(service), Some(level)) = (service, level) else {
        return Err(ApiError::Validation(errors.0));
    };
    let now = OffsetDateTime::now_utc();
    let id = ReferralId::new();
    let referral = Referral {
        id,
        centre_id: req.centre_id,
        service,
        status: ReferralStatus::Draft,
        source: author.source,
        created_by_user: author.user_id,
        created_by_client: author.client_id,
        organisation_id: author.organisation_id,
        referrer_name,
        referrer_email,
        referrer_phone,
        communication_level: level,
        parties_must_not_meet: req.parties_must_not_meet || level == CommunicationLevel::Prohibited,
        court_name,
        court_case_number,
        next_hearing_on,
        preferred_days,
        frequency,
        submitted_at: None,
        created_at: now,
        updated_at: now,
        received_at: None,
        outcome: None,
        decline_reason: None,
        decline_rationale: None,
        version: 1,
        waitlisted_at: None,
        priority_reason: None,
    };
    let mut bundle = ReferralBundle {
        referral,
        children,
        adults,
        relations,
        court_orders,
        risks,
    };
    belong_to(&mut bundle, id);
    // The parent making a self-referral is that adult, with their own
    // account; the risks they state are theirs (never shown to the other party).
    if let (Some(i), Some(user_id)) = (self_index, author.user_id) {
        if let Some(a) = bundle.adults.get_mut(i) {
            a.user_id = Some(user_id);
            if let Some((_, account_email)) = &author.account {
                a.email = Some(account_email.clone());
            }
            let adult_id = a.id;
            for r in &mut bundle.risks {
                r.stated_by_adult = Some(adult_id);
            }
        }
    }
    errors.finish((bundle, service))
}

/// Moves a freshly built referral onto an existing draft's id (a draft sent
/// again in full).
pub fn rebase(bundle: &mut ReferralBundle, onto: &Referral) {
    let id = onto.id;
    bundle.referral.id = id;
    bundle.referral.created_at = onto.created_at;
    belong_to(bundle, id);
}

/// Everything a referral holds names it.
fn belong_to(bundle: &mut ReferralBundle, id: ReferralId) {
    for c in &mut bundle.children {
        c.referral_id = id;
    }
    for a in &mut bundle.adults {
        a.referral_id = id;
    }
    for o in &mut bundle.court_orders {
        o.referral_id = id;
    }
    for r in &mut bundle.risks {
        r.referral_id = id;
    }
}

/// A court order as sent, read (fields named under `prefix`).
pub fn court_order(
    errors: &mut Errors,
    prefix: &str,
    o: &CourtOrderInput,
    position: i16,
) -> Option<CourtOrder> {
    let f = |n: &str| format!("{prefix}.{n}");
    let kind: Option<CourtOrderKind> = errors.word(
        &f("kind"),
        &o.kind,
        &words(CourtOrderKind::ALL, CourtOrderKind::as_str),
    );
    let made_on = o
        .made_on
        .as_deref()
        .and_then(|d| errors.take(parse_date(&f("made_on"), d)));
    let expires_on = o
        .expires_on
        .as_deref()
        .and_then(|d| errors.take(parse_date(&f("expires_on"), d)));
    if let (Some(m), Some(e)) = (made_on, expires_on) {
        if e < m {
            errors.push(f("expires_on"), "order", "must be on or after made_on");
        }
    }
    let conditions = errors.text(&f("conditions"), &o.conditions, 0, 4000);
    Some(CourtOrder {
        id: Uuid::now_v7(),
        referral_id: ReferralId(Uuid::nil()),
        kind: kind?,
        made_on,
        expires_on,
        conditions,
        position,
    })
}

/// Court proceedings as sent, read: court, case number, next hearing.
pub fn court_proceedings(
    errors: &mut Errors,
    prefix: &str,
    p: &CourtProceedingsInput,
) -> (Option<String>, Option<String>, Option<Date>) {
    (
        errors.optional_text(&format!("{prefix}.court"), p.court.as_deref(), 200),
        errors.optional_text(
            &format!("{prefix}.case_number"),
            p.case_number.as_deref(),
            100,
        ),
        p.next_hearing_on
            .as_deref()
            .and_then(|d| errors.take(parse_date(&format!("{prefix}.next_hearing_on"), d))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::referrals::dto::RelationInput;
    use time::macros::date;

    fn request() -> CreateReferralRequest {
        serde_json::from_value(serde_json::json!({
            "centre_id": Uuid::nil(),
            "service": "supervised",
            "communication_level": "direct",
            "children": [{"ref": "c1", "name": "Alex", "date_of_birth": "2018-04-02"}],
            "adults": [{"ref": "a1", "name": "Jo", "party": "resident_parent", "email": "jo@example.org",
                        "relations": [{"child": "c1", "relation": "mother", "lives_with": true}]}],
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn author() -> Author {
        Author {
            source: ReferralSource::Professional,
            user_id: Some(UserId(Uuid::nil())),
            client_id: None,
            organisation_id: None,
            account: Some(("Sam".into(), "sam@law.example".into())),
        }
    }

    fn fields(result: Result<(ReferralBundle, ServiceType), ApiError>) -> Vec<(String, String)> {
        match result {
            Err(ApiError::Validation(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn a_good_request_builds_a_draft_with_its_relations() {
        let result = new_referral(&request(), &author(), date!(2026 - 11 - 23));
        let Ok((bundle, service)) = result else {
            panic!("{result:?}")
        };
        assert_eq!(service, ServiceType::Supervised);
        assert_eq!(bundle.referral.status, ReferralStatus::Draft);
        assert_eq!(bundle.relations.len(), 1);
        assert_eq!(bundle.relations[0].child_id, bundle.children[0].id);
        assert_eq!(bundle.children[0].name_key, "alex");
    }

    #[test]
    fn children_are_born_and_under_18() {
        let today = date!(2026 - 11 - 23);
        for (born, code) in [
            ("2027-01-01", "future"),
            ("2008-11-23", "adult"),
            ("1990-01-01", "adult"),
        ] {
            let mut r = request();
            r.children[0].date_of_birth = born.into();
            assert_eq!(
                fields(new_referral(&r, &author(), today)),
                [("children[0].date_of_birth".to_owned(), code.to_owned())],
                "{born}"
            );
        }
        let mut r = request();
        r.children[0].date_of_birth = "2008-11-24".into();
        assert!(
            new_referral(&r, &author(), today).is_ok(),
            "17 years and 364 days"
        );
    }

    #[test]
    fn every_adult_relates_to_a_child_of_the_referral() {
        let mut r = request();
        r.adults[0].relations.clear();
        assert_eq!(
            fields(new_referral(&r, &author(), date!(2026 - 11 - 23))),
            [("adults[0].relations".to_owned(), "required".to_owned())]
        );
        let mut r = request();
        r.adults[0].relations = vec![RelationInput {
            child: "c9".into(),
            relation: "aunt".into(),
            lives_with: false,
        }];
        assert_eq!(
            fields(new_referral(&r, &author(), date!(2026 - 11 - 23))),
            [(
                "adults[0].relations[0].child".to_owned(),
                "unknown_child".to_owned()
            )]
        );
        let mut r = request();
        r.children.clear();
        let got = fields(new_referral(&r, &author(), date!(2026 - 11 - 23)));
        assert!(
            got.contains(&("children".to_owned(), "length".to_owned())),
            "{got:?}"
        );
    }

    #[test]
    fn a_self_referral_names_its_parent() {
        let parent = Author {
            source: ReferralSource::SelfReferral,
            ..author()
        };
        assert_eq!(
            fields(new_referral(&request(), &parent, date!(2026 - 11 - 23))),
            [("adults".to_owned(), "self".to_owned())]
        );
        let mut r = request();
        r.adults[0].is_self = true;
        assert!(new_referral(&r, &parent, date!(2026 - 11 - 23)).is_ok());
        assert_eq!(
            fields(new_referral(&r, &author(), date!(2026 - 11 - 23))),
            [("adults[0].self".to_owned(), "not_allowed".to_owned())]
        );
    }

    #[test]
    fn names_fold_for_matching() {
        assert_eq!(name_key("  Alex   MARY Smith "), "alex mary smith");
    }
}
