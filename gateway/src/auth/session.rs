//! Cookie sessions: an opaque random id in the cookie, the session in Redis under the SHA-256 of
//! that id (a Redis dump holds no usable cookie), with the CSRF token the SPA echoes in
//! `x-csrf-token`.

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use platform::{Principal, Role};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::hr::ResolvedIdentity;

/// Length of session ids and CSRF tokens: 32 random bytes, base64url without padding.
const SECRET_LEN: usize = 43;

/// The user as `/auth/login` and `/auth/session` show it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    /// User id.
    pub id: Uuid,
    /// Login email.
    pub email: String,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Employee record.
    pub employee_id: Option<Uuid>,
    /// Roles.
    pub roles: Vec<Role>,
}

/// What Redis holds for a session.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Session {
    pub(crate) user: SessionUser,
    pub(crate) scopes: Vec<String>,
    pub(crate) csrf_token: String,
    pub(crate) created_at: i64,
}

impl Session {
    pub(crate) fn new(identity: &ResolvedIdentity) -> Self {
        Self {
            user: SessionUser {
                id: identity.user_id,
                email: identity.email.clone(),
                tenant_id: identity.tenant_id,
                employee_id: identity.employee_id,
                roles: identity.known_roles(),
            },
            scopes: identity.scopes.clone(),
            csrf_token: random_secret(),
            created_at: chrono::Utc::now().timestamp(),
        }
    }

    pub(crate) fn principal(&self) -> Principal {
        Principal {
            user_id: self.user.id,
            tenant_id: self.user.tenant_id,
            employee_id: self.user.employee_id,
            roles: self.user.roles.clone(),
            scopes: self.scopes.clone(),
            request_id: Uuid::new_v4().to_string(),
        }
    }

    /// Whether `presented` is this session's CSRF token (constant time).
    pub(crate) fn csrf_matches(&self, presented: Option<&HeaderValue>) -> bool {
        presented.is_some_and(|v| constant_time_eq(v.as_bytes(), self.csrf_token.as_bytes()))
    }
}

/// 32 random bytes, base64url.
pub(crate) fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The Redis key of a session id (under the prefix).
pub(crate) fn redis_key(prefix: &str, session_id: &str) -> String {
    format!("{prefix}session:{}", hex::encode(Sha256::digest(session_id.as_bytes())))
}

/// The session cookie's value, if the request carries a well-formed one.
pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// Whether a cookie value has the shape of a session id (checked before asking Redis).
pub(crate) fn well_formed(session_id: &str) -> bool {
    session_id.len() == SECRET_LEN && session_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `Set-Cookie` for a new session.
pub(crate) fn set_cookie(name: &str, session_id: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={session_id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// `Set-Cookie` that deletes the session cookie.
pub(crate) fn clear_cookie(name: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT{secure}")
}

/// Compares without an early exit (CSRF tokens).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; sg=abc"));
        headers.append(header::COOKIE, HeaderValue::from_static("other=2"));
        assert_eq!(cookie_value(&headers, "sg"), Some("abc"));
        assert_eq!(cookie_value(&headers, "other"), Some("2"));
        assert_eq!(cookie_value(&headers, "s"), None);
    }

    #[test]
    fn secrets_are_well_formed_and_distinct() {
        let a = random_secret();
        assert!(well_formed(&a));
        assert_ne!(a, random_secret());
        assert!(!well_formed("short"));
        assert!(!well_formed(&format!("{}!", &a[..42])));
    }

    #[test]
    fn cookie_attributes() {
        let c = set_cookie("__Host-sg", "id", 60, true);
        assert_eq!(c, "__Host-sg=id; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
        assert!(clear_cookie("sg", false).contains("Max-Age=0"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
