//! Domain enums stored as checked `text` columns and sent as snake_case strings.

/// Declares an enum with its wire/database words: `as_str`, `FromStr`, serde and
/// the OpenAPI schema all use the same words, the snake_case of the variant
/// (a unit test of each enum checks that the words given match it).
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
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
    };
}

/// Reads a text column into a domain enum; a word the code does not know is a
/// data error, reported as an internal error.
pub fn parse_column<T: std::str::FromStr<Err = String>>(
    text: &str,
) -> Result<T, crate::error::ApiError> {
    text.parse().map_err(crate::error::ApiError::Internal)
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
