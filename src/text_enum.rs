//! Domain enums stored as checked `text` columns and sent as snake_case strings.
//!
//! One declaration gives the enum its words everywhere: `as_str`, `FromStr`,
//! serde, the OpenAPI schema, and diesel's `ToSql`/`FromSql<Text>` so that rows
//! hold the enum itself, never a `String` to parse. The database keeps its
//! CHECKed text; a word there that the code does not know fails the read with
//! a deserialization error, which answers one logged 500.

/// Declares an enum with its wire/database words (a unit test of each enum
/// checks that the words given are the snake_case serde sends).
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            utoipa::ToSchema, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The words, comma-separated, for messages that list them.
            pub fn words() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {}: {other}", stringify!($name))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::text_column!($name);
    };
}

/// diesel's `ToSql`/`FromSql<Text>` for a type with `as_str` and `FromStr`
/// (every `text_enum!`, and words that are not snake_case such as scopes).
#[macro_export]
macro_rules! text_column {
    ($name:ident) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(bytes.as_bytes())?;
                text.parse::<Self>().map_err(Into::into)
            }
        }

        // `text[]` columns: diesel types their elements as nullable; the
        // migrations' CHECKs refuse NULL elements, so a NULL is a data error.
        impl diesel::deserialize::FromSql<
            diesel::sql_types::Nullable<diesel::sql_types::Text>,
            diesel::pg::Pg,
        > for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <Self as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg>>::from_sql(bytes)
            }
        }
    };
}

/// For tests of each module's enums: every value sends its database word.
#[cfg(test)]
pub fn assert_wire_words<T: serde::Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str) {
    for v in all {
        assert_eq!(
            serde_json::to_value(v).ok(),
            Some(serde_json::Value::from(as_str(*v)))
        );
    }
}
