//! The words of identity: roles, statuses, referrer types, organisation kinds, scopes.

use crate::text_enum;

text_enum! {
    /// What a person is to the service (DOMAIN.md, "People and their roles").
    pub enum Role {
        /// Staff of the accrediting network: centres and network figures, no family detail.
        NetworkAdmin => "network_admin",
        /// Runs one or more centres: everything of their centres.
        Coordinator => "coordinator",
        /// Vetted volunteer or sessional worker at a centre.
        Staff => "staff",
        /// Solicitor, mediator, Cafcass officer, Children's Court Officer, social worker.
        Referrer => "referrer",
        /// A party to contact, through an app.
        Parent => "parent",
    }
}

text_enum! {
    /// An account's state: invited (no password yet, or email not confirmed),
    /// active, or disabled (can do nothing; tokens refused).
    pub enum UserStatus {
        Invited => "invited",
        Active => "active",
        Disabled => "disabled",
    }
}

text_enum! {
    /// What kind of professional a referrer is.
    pub enum ReferrerType {
        Solicitor => "solicitor",
        Mediator => "mediator",
        CafcassOfficer => "cafcass_officer",
        ChildrensCourtOfficer => "childrens_court_officer",
        SocialWorker => "social_worker",
        Other => "other",
    }
}

text_enum! {
    /// What kind of organisation referrers belong to.
    pub enum OrganisationKind {
        LawFirm => "law_firm",
        CafcassRegion => "cafcass_region",
        LocalAuthority => "local_authority",
        MediationService => "mediation_service",
        Other => "other",
    }
}

/// What an integration client may do; it can do nothing else.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Scope {
    #[serde(rename = "centres:read")]
    CentresRead,
    #[serde(rename = "referrals:read")]
    ReferralsRead,
    #[serde(rename = "referrals:write")]
    ReferralsWrite,
    #[serde(rename = "sessions:read")]
    SessionsRead,
    #[serde(rename = "attendance:read")]
    AttendanceRead,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::CentresRead,
        Scope::ReferralsRead,
        Scope::ReferralsWrite,
        Scope::SessionsRead,
        Scope::AttendanceRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CentresRead => "centres:read",
            Scope::ReferralsRead => "referrals:read",
            Scope::ReferralsWrite => "referrals:write",
            Scope::SessionsRead => "sessions:read",
            Scope::AttendanceRead => "attendance:read",
        }
    }
}

crate::text_column!(Scope);

impl std::str::FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .iter()
            .copied()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| format!("unknown scope: {s}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_match<T: serde::Serialize + Copy>(all: &[T], as_str: impl Fn(T) -> &'static str) {
        for v in all {
            let wire = serde_json::to_value(v).expect("serialise");
            assert_eq!(wire, serde_json::Value::from(as_str(*v)));
        }
    }

    #[test]
    fn the_wire_words_are_the_database_words() {
        words_match(Role::ALL, Role::as_str);
        words_match(UserStatus::ALL, UserStatus::as_str);
        words_match(ReferrerType::ALL, ReferrerType::as_str);
        words_match(OrganisationKind::ALL, OrganisationKind::as_str);
        words_match(Scope::ALL, Scope::as_str);
    }
}
