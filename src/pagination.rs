//! Cursor pagination, shared by every list: `?limit=&cursor=` in, `{items,
//! next_cursor}` out. Lists are keyset-paginated on their sort key plus the row id,
//! so a page costs the same however deep it is and rows added meanwhile are
//! neither skipped nor repeated.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 25;
pub const MAX_LIMIT: u32 = 100;

/// Query parameters of every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit it for the first page.
    pub cursor: Option<String>,
}

/// A checked page request: the limit and the position after which to continue.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest<K> {
    pub limit: u32,
    pub after: Option<Cursor<K>>,
}

impl<K> PageRequest<K> {
    /// Rows to fetch: one more than the limit, to know whether a next page exists.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

/// The position of the last row of a page: its sort key and id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor<K> {
    pub key: K,
    pub id: Uuid,
}

impl<K: Serialize + DeserializeOwned> Cursor<K> {
    /// Opaque to clients: base64url of a small JSON document.
    pub fn encode(&self) -> String {
        // Serialising a key and a uuid cannot fail.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

impl PageParams {
    /// Checks the limit and decodes the cursor: a bad one is a 422, never a 500.
    pub fn parse<K: Serialize + DeserializeOwned>(self) -> Result<PageRequest<K>, ApiError> {
        let mut errors = Vec::new();
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(crate::error::FieldError::new(
                "limit",
                "range",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match self.cursor.as_deref() {
            None => None,
            Some(text) => {
                let cursor = Cursor::decode(text);
                if cursor.is_none() {
                    errors.push(crate::error::FieldError::new(
                        "cursor",
                        "invalid",
                        "is not a cursor returned by this list",
                    ));
                }
                cursor
            }
        };
        if errors.is_empty() {
            Ok(PageRequest { limit, after })
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

impl PageParams {
    /// As [`PageParams::parse`], keeping its errors with the caller's other
    /// field errors so that one 422 names them all.
    pub fn parse_into<K: Serialize + DeserializeOwned>(
        self,
        errors: &mut Vec<crate::error::FieldError>,
    ) -> Option<PageRequest<K>> {
        match self.parse() {
            Ok(page) => Some(page),
            Err(ApiError::Validation(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(_) => None,
        }
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in list order: the extra
    /// row, if present, only says that another page exists.
    pub fn from_rows<R, K>(
        mut rows: Vec<R>,
        request: &PageRequest<K>,
        cursor_of: impl Fn(&R) -> Cursor<K>,
        into_item: impl FnMut(R) -> T,
    ) -> Self
    where
        K: Serialize + DeserializeOwned,
    {
        let limit = request.limit as usize;
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| cursor_of(r).encode())
        } else {
            None
        };
        Self {
            items: rows.into_iter().map(into_item).collect(),
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn params(limit: Option<u32>, cursor: Option<&str>) -> PageParams {
        PageParams {
            limit,
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn the_default_limit_applies_without_parameters() {
        let req: PageRequest<i64> = params(None, None).parse().expect("valid");
        assert_eq!(req.limit, DEFAULT_LIMIT);
        assert_eq!(req.after, None);
        assert_eq!(req.fetch_limit(), 26);
    }

    #[test]
    fn a_limit_out_of_range_is_a_field_error() {
        for bad in [0, MAX_LIMIT + 1] {
            match params(Some(bad), None).parse::<i64>() {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "limit"),
                other => panic!("expected a validation error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_tampered_cursor_is_a_field_error_not_a_crash() {
        for bad in ["", "!!!", "bm90IGpzb24", "eyJrZXkiOjF9"] {
            match params(None, Some(bad)).parse::<i64>() {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "cursor"),
                other => panic!("expected a validation error for {bad:?}, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_more_rows_exist() {
        let req: PageRequest<i64> = params(Some(2), None).parse().expect("valid");
        let id = |n: u128| Uuid::from_u128(n);
        let rows = vec![(1_i64, id(1)), (2, id(2)), (3, id(3))];
        let page = Page::from_rows(rows, &req, |r| Cursor { key: r.0, id: r.1 }, |r| r.0);
        assert_eq!(page.items, vec![1, 2]);
        let next = Cursor::<i64>::decode(page.next_cursor.as_deref().unwrap_or_default());
        assert_eq!(next, Some(Cursor { key: 2, id: id(2) }));

        let rows = vec![(1_i64, id(1)), (2, id(2))];
        let page = Page::from_rows(rows, &req, |r| Cursor { key: r.0, id: r.1 }, |r| r.0);
        assert_eq!(page.next_cursor, None);
    }

    proptest! {
        #[test]
        fn cursors_round_trip(key in any::<i64>(), id in any::<u128>(), text in ".*") {
            let c = Cursor { key: (key, text), id: Uuid::from_u128(id) };
            prop_assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }

        #[test]
        fn decoding_arbitrary_text_never_panics(text in "\\PC*") {
            let _ = Cursor::<(i64, String)>::decode(&text);
        }
    }
}
