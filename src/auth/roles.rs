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

text_enum! {
    /// What an integration client may do; it can do nothing else.
    pub enum Scope {
        CentresRead => "centres:read",
        ReferralsRead => "referrals:read",
        ReferralsWrite => "referrals:write",
        SessionsRead => "sessions:read",
        AttendanceRead => "attendance:read",
    }
}
