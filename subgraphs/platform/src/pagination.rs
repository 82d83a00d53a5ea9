//! Keyset-pagination helpers for Relay-style connections.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::AppError;

/// Default page size when `first` is omitted.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: i64 = 500;

/// Validates `first`.
pub fn page_size(first: Option<i32>) -> Result<i64, AppError> {
    match first {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (0..=MAX_PAGE_SIZE as i32).contains(&n) => Ok(i64::from(n)),
        Some(_) => Err(AppError::bad_input(format!("first must be between 0 and {MAX_PAGE_SIZE}"))),
    }
}

/// Encodes a sort key as an opaque cursor.
pub fn encode_cursor(key: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a cursor made by [`encode_cursor`]; BAD_USER_INPUT when it is not one.
pub fn decode_cursor<T: DeserializeOwned>(cursor: &str) -> Result<T, AppError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| AppError::bad_input("after is not a valid cursor"))
}

/// Builds a connection from rows fetched with `LIMIT limit + 1`: the extra row only says that
/// another page exists.
pub fn page<R, N, F>(
    mut rows: Vec<R>,
    limit: i64,
    after_given: bool,
    fields: F,
    cursor: impl Fn(&R) -> String,
    node: impl Fn(R) -> N,
) -> async_graphql::connection::Connection<String, N, F>
where
    N: async_graphql::OutputType,
    F: async_graphql::ObjectType,
{
    let has_next = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let mut conn = async_graphql::connection::Connection::with_additional_fields(after_given, has_next, fields);
    conn.edges
        .extend(rows.into_iter().map(|r| async_graphql::connection::Edge::new(cursor(&r), node(r))));
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_garbage() {
        let c = encode_cursor(&("Smith", 3));
        assert_eq!(decode_cursor::<(String, i32)>(&c).expect("decodes"), ("Smith".to_owned(), 3));
        assert!(decode_cursor::<(String, i32)>("%%%").is_err());
        assert!(page_size(Some(-1)).is_err());
        assert_eq!(page_size(None).expect("default"), DEFAULT_PAGE_SIZE);
    }
}
