//! Cursor pagination, shared by every list: `?limit=&cursor=` in, `{items,
//! next_cursor}` out. Lists are keyset-paginated on their sort key plus the row id,
//! so a page costs the same however deep it is and rows added meanwhile are
//! neither skipped nor repeated.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;

mod keyset;
pub use keyset::{beyond, Direction};

pub const DEFAULT_LIMIT: u32 = 25;
pub const MAX_LIMIT: u32 = 100;

/// Query parameters of every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit it (or leave it empty) for
    /// the first page.
    pub cursor: Option<String>,
}

/// The key every list signs its cursors with, derived from the token signing
/// secret so that every instance of the service shares it (app data).
///
/// A cursor is signed over the list's name and its filter as well as the
/// position: a list reads only the cursors it made for the same filter, so a
/// cursor cannot be edited to start anywhere, carried to another list, or
/// reused with other filters (each is a 422). Changing the signing secret ends
/// every open cursor; a client then starts again from the first page.
#[derive(Clone)]
pub struct CursorKey([u8; 32]);

impl CursorKey {
    pub fn derive(secret: &[u8]) -> Self {
        let mut mac = hmac_with(&Sha256::digest(secret).into());
        mac.update(b"ccc list cursors v1");
        Self(mac.finalize().into_bytes().into())
    }

    /// What seals the cursors of `list` read with `filter` (any value whose
    /// `Debug` form names every filter the list applies).
    pub fn seal(&self, list: &'static str, filter: &impl std::fmt::Debug) -> Seal {
        let binding = Sha256::new()
            .chain_update(list.as_bytes())
            .chain_update([0])
            .chain_update(format!("{filter:?}").as_bytes())
            .finalize()
            .into();
        Seal {
            key: self.0,
            binding,
        }
    }
}

/// HMAC-SHA256 keyed with `key`. A key shorter than SHA-256's 64-byte block
/// is padded with zeros (RFC 2104), so this is exactly HMAC with `key`.
fn hmac_with(key: &[u8; 32]) -> Hmac<Sha256> {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into())
}

/// Signs and checks the cursors of one list and filter (see [`CursorKey`]).
#[derive(Clone, PartialEq)]
pub struct Seal {
    key: [u8; 32],
    binding: [u8; 32],
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal")
    }
}

/// Bytes of the signature kept in a cursor: 128 bits cannot be guessed.
const TAG_LEN: usize = 16;

impl Seal {
    fn tag(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = hmac_with(&self.key);
        mac.update(&self.binding);
        mac.update(payload);
        mac
    }
}

/// A checked page request: the limit, the position after which to continue,
/// and the seal of the list's cursors.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest<K> {
    pub limit: u32,
    pub after: Option<Cursor<K>>,
    pub seal: Seal,
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

impl Cursor<i64> {
    /// The cursor of a row in a list ordered by an instant: the instant in
    /// microseconds (what PostgreSQL keeps), then the row's id.
    pub fn at(at: time::OffsetDateTime, id: Uuid) -> Self {
        Self {
            key: i64::try_from(at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX),
            id,
        }
    }
    /// The instant this cursor was made [`at`](Self::at).
    pub fn instant(&self) -> Result<time::OffsetDateTime, crate::error::ApiError> {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.key) * 1000).map_err(|_| {
            crate::error::ApiError::field(
                "cursor",
                "invalid",
                "is not a cursor returned by this list",
            )
        })
    }
}

impl<K: Serialize + DeserializeOwned> Cursor<K> {
    /// Opaque to clients: base64url of a small JSON document, a dot, and the
    /// base64url of its signature.
    pub fn encode(&self, seal: &Seal) -> String {
        // Serialising a key and a uuid cannot fail.
        let payload = serde_json::to_vec(self).unwrap_or_default();
        let tag = seal.tag(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(&tag[..TAG_LEN])
        )
    }

    /// The cursor, if `seal` signed it; `None` for anything else.
    pub fn decode(text: &str, seal: &Seal) -> Option<Self> {
        let (payload, tag) = text.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if tag.len() != TAG_LEN {
            return None;
        }
        // Constant-time comparison of the truncated tag.
        seal.tag(&payload).verify_truncated_left(&tag).ok()?;
        serde_json::from_slice(&payload).ok()
    }
}

impl PageParams {
    /// Checks the limit and the cursor against `seal`: a bad one is a 422,
    /// never a 500.
    pub fn parse<K: Serialize + DeserializeOwned>(
        self,
        seal: Seal,
    ) -> Result<PageRequest<K>, ApiError> {
        let mut errors = Vec::new();
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(crate::error::FieldError::new(
                "limit",
                "range",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        // `cursor=` with nothing after it is no cursor: the first page.
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => {
                let cursor = Cursor::decode(text, &seal);
                if cursor.is_none() {
                    errors.push(crate::error::FieldError::new(
                        "cursor",
                        "invalid",
                        "is not a cursor returned by this list with these filters",
                    ));
                }
                cursor
            }
        };
        if errors.is_empty() {
            Ok(PageRequest { limit, after, seal })
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// As [`PageParams::parse`], keeping its errors with the caller's other
    /// field errors so that one 422 names them all.
    pub fn parse_into<K: Serialize + DeserializeOwned>(
        self,
        seal: Seal,
        errors: &mut Vec<crate::error::FieldError>,
    ) -> Option<PageRequest<K>> {
        match self.parse(seal) {
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
    /// The items of this page, in the list's order.
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
            rows.last().map(|r| cursor_of(r).encode(&request.seal))
        } else {
            None
        };
        Self {
            items: rows.into_iter().map(into_item).collect(),
            next_cursor,
        }
    }
}

impl<T> Page<T> {
    /// A page of a short list read whole (a centre's weekly slots, a
    /// referral's documents), already sorted by its cursor's key and id: the
    /// items after the request's cursor, up to its limit. Paged like every
    /// other list, so a client reads every list the same way.
    pub fn of_sorted<R, K>(
        rows: Vec<R>,
        request: &PageRequest<K>,
        cursor_of: impl Fn(&R) -> Cursor<K>,
        into_item: impl FnMut(R) -> T,
    ) -> Self
    where
        K: Serialize + DeserializeOwned + PartialOrd,
    {
        let after = |row: &R| match &request.after {
            None => true,
            Some(after) => {
                let c = cursor_of(row);
                (&c.key, c.id) > (&after.key, after.id)
            }
        };
        let rows: Vec<R> = rows
            .into_iter()
            .filter(after)
            .take(request.limit as usize + 1)
            .collect();
        Self::from_rows(rows, request, &cursor_of, into_item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key() -> CursorKey {
        CursorKey::derive(b"test secret")
    }

    fn seal() -> Seal {
        key().seal("things", &())
    }

    fn params(limit: Option<u32>, cursor: Option<&str>) -> PageParams {
        PageParams {
            limit,
            cursor: cursor.map(str::to_owned),
        }
    }

    fn cursor_errors<K: Serialize + DeserializeOwned + std::fmt::Debug>(
        text: &str,
        seal: Seal,
    ) -> Vec<String> {
        match params(None, Some(text)).parse::<K>(seal) {
            Err(ApiError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn the_default_limit_applies_without_parameters() {
        let req: PageRequest<i64> = params(None, None).parse(seal()).expect("valid");
        assert_eq!(req.limit, DEFAULT_LIMIT);
        assert_eq!(req.after, None);
        assert_eq!(req.fetch_limit(), 26);
    }

    #[test]
    fn an_empty_cursor_is_the_first_page() {
        let req: PageRequest<i64> = params(None, Some("")).parse(seal()).expect("valid");
        assert_eq!(req.after, None);
    }

    #[test]
    fn a_limit_out_of_range_is_a_field_error() {
        for bad in [0, MAX_LIMIT + 1] {
            match params(Some(bad), None).parse::<i64>(seal()) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "limit"),
                other => panic!("expected a validation error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_malformed_cursor_is_a_field_error_not_a_crash() {
        // Not base64, not JSON, unsigned JSON (the old form), a signature alone.
        for bad in [
            "!!!",
            "bm90IGpzb24",
            "eyJrZXkiOjF9",
            "eyJrZXkiOjF9.",
            ".AAAA",
        ] {
            assert_eq!(cursor_errors::<i64>(bad, seal()), ["cursor"], "{bad:?}");
        }
    }

    #[test]
    fn a_cursor_is_read_only_by_its_own_list_filter_and_key() {
        let cursor = Cursor {
            key: 7_i64,
            id: Uuid::from_u128(9),
        }
        .encode(&seal());
        let ok: PageRequest<i64> = params(None, Some(&cursor)).parse(seal()).expect("its own");
        assert_eq!(
            ok.after,
            Some(Cursor {
                key: 7,
                id: Uuid::from_u128(9)
            })
        );
        // Another list, another filter, another deployment's secret.
        for other in [
            key().seal("other things", &()),
            key().seal("things", &Some("open")),
            CursorKey::derive(b"another secret").seal("things", &()),
        ] {
            assert_eq!(cursor_errors::<i64>(&cursor, other), ["cursor"]);
        }
    }

    #[test]
    fn the_padded_key_is_plain_hmac_sha256() {
        let key = [7u8; 32];
        let Ok(mut reference) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else {
            panic!("HMAC takes a 32-byte key");
        };
        reference.update(b"payload");
        let mut ours = hmac_with(&key);
        ours.update(b"payload");
        assert_eq!(
            ours.finalize().into_bytes(),
            reference.finalize().into_bytes()
        );
    }

    #[test]
    fn an_edited_cursor_is_refused() {
        let cursor = Cursor {
            key: 7_i64,
            id: Uuid::from_u128(9),
        }
        .encode(&seal());
        let (payload, tag) = cursor.split_once('.').expect("two parts");
        // The position moved, signature kept.
        let moved = Cursor {
            key: 1_i64,
            id: Uuid::from_u128(9),
        }
        .encode(&seal());
        let moved_payload = moved.split_once('.').expect("two parts").0;
        assert_eq!(
            cursor_errors::<i64>(&format!("{moved_payload}.{tag}"), seal()),
            ["cursor"]
        );
        // One bit of the signature flipped; the signature cut short.
        let mut bytes = URL_SAFE_NO_PAD.decode(tag).expect("base64");
        bytes[0] ^= 1;
        let flipped = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            cursor_errors::<i64>(&format!("{payload}.{flipped}"), seal()),
            ["cursor"]
        );
        let short = URL_SAFE_NO_PAD.encode(&bytes[..8]);
        assert_eq!(
            cursor_errors::<i64>(&format!("{payload}.{short}"), seal()),
            ["cursor"]
        );
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_more_rows_exist() {
        let req: PageRequest<i64> = params(Some(2), None).parse(seal()).expect("valid");
        let id = |n: u128| Uuid::from_u128(n);
        let rows = vec![(1_i64, id(1)), (2, id(2)), (3, id(3))];
        let page = Page::from_rows(rows, &req, |r| Cursor { key: r.0, id: r.1 }, |r| r.0);
        assert_eq!(page.items, vec![1, 2]);
        let next = Cursor::<i64>::decode(page.next_cursor.as_deref().unwrap_or_default(), &seal());
        assert_eq!(next, Some(Cursor { key: 2, id: id(2) }));

        let rows = vec![(1_i64, id(1)), (2, id(2))];
        let page = Page::from_rows(rows, &req, |r| Cursor { key: r.0, id: r.1 }, |r| r.0);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn a_sorted_list_is_paged_by_its_cursor() {
        let id = |n: u128| Uuid::from_u128(n);
        let rows: Vec<(i64, Uuid)> = vec![(1, id(5)), (2, id(1)), (2, id(3)), (9, id(2))];
        let cursor = |r: &(i64, Uuid)| Cursor { key: r.0, id: r.1 };
        let mut seen = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let req: PageRequest<i64> = params(Some(2), next.as_deref())
                .parse(seal())
                .expect("valid");
            let page = Page::of_sorted(rows.clone(), &req, cursor, |r| r);
            seen.extend(page.items);
            match page.next_cursor {
                Some(c) => next = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, rows);
    }

    proptest! {
        #[test]
        fn cursors_round_trip(key in any::<i64>(), id in any::<u128>(), text in ".*") {
            let c = Cursor { key: (key, text), id: Uuid::from_u128(id) };
            prop_assert_eq!(Cursor::decode(&c.encode(&seal()), &seal()), Some(c));
        }

        #[test]
        fn decoding_arbitrary_text_never_panics_and_never_yields_a_cursor(text in "\\PC*") {
            prop_assert_eq!(Cursor::<(i64, String)>::decode(&text, &seal()), None);
        }
    }
}
