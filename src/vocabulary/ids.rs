//! Typed ids: one newtype per kind of record, so that ids travelling side by
//! side cannot be swapped (`find_venue(conn, venue_id, centre_id)` does not
//! compile). Each is a UUID on the wire (serde transparent), in paths and in
//! the database (`uuid` columns); request and response bodies keep plain
//! `Uuid` fields, converted at the edge, so the OpenAPI document shows a uuid.

/// Declares id newtypes over `uuid::Uuid`.
macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new id: UUID v7, time-ordered and index-friendly.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <uuid::Uuid as diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::to_sql(&self.0, out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <uuid::Uuid as diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::from_sql(bytes).map(Self)
            }
        }
    )+};
}

ids! {
    /// A child contact centre.
    CentreId,
    /// A centre's venue.
    VenueId,
    /// A centre's weekly slot ("opening session").
    OpeningSessionId,
    /// A centre's or venue's closure.
    ClosureId,
    /// A referral.
    ReferralId,
    /// A child named in a referral.
    ChildId,
    /// An adult named in a referral (a party, or another attendee).
    AdultId,
    /// A risk statement of a referral.
    RiskId,
    /// A document attached to a referral.
    AttachmentId,
    /// A question the centre asked about a referral.
    QuestionId,
    /// The family of a referral that reached its centre.
    FamilyId,
    /// A person's account.
    UserId,
    /// An organisation referrers belong to.
    OrganisationId,
    /// An integration client.
    ClientId,
}
