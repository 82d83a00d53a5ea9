//! The gateway's own JWTs: client access tokens (`aud` = `studiograph`), internal tokens for the
//! subgraphs (`aud` = the subgraph) and service tokens, all EdDSA with the gateway key and a `kid`
//! header; and the verification of client access tokens.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use platform::auth::{Claims, KeyPair};
use platform::{Principal, Role};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `aud` of access tokens handed to clients by `/auth/token`.
pub const ACCESS_TOKEN_AUDIENCE: &str = "studiograph";

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 5;

/// Most internal tokens kept in the in-process cache.
const INTERNAL_CACHE_CAPACITY: usize = 10_000;

/// The RFC 7638 JWK thumbprint of an Ed25519 public key, the `kid` of the gateway's tokens.
pub fn key_id(keys: &KeyPair) -> anyhow::Result<String> {
    let pem = keys.public_pem();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(body.trim()).context("public key PEM is not base64")?;
    let raw = der.get(der.len().saturating_sub(32)..).context("public key too short")?;
    let jwk = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, URL_SAFE_NO_PAD.encode(raw));
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(jwk.as_bytes())))
}

/// Key of the internal-token cache: everything that goes into the token.
#[derive(Clone, PartialEq, Eq, Hash)]
struct InternalKey {
    user_id: Uuid,
    tenant_id: Uuid,
    employee_id: Option<Uuid>,
    roles: Vec<Role>,
    scopes: Vec<String>,
    request_id: String,
    subgraph: String,
    ttl_secs: i64,
}

/// Signs and verifies with the gateway key.
pub(crate) struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    kid: String,
    issuer: String,
    internal_cache: Mutex<HashMap<InternalKey, (String, Instant)>>,
}

/// Why an access token was refused (logged at debug level, never shown to the client).
#[derive(Debug)]
pub(crate) struct Rejected(pub String);

impl Jwt {
    pub(crate) fn new(keys: &KeyPair, issuer: &str) -> anyhow::Result<Self> {
        let encoding = EncodingKey::from_ed_pem(keys.private_pem().as_bytes()).context("gateway private key")?;
        let decoding = DecodingKey::from_ed_pem(keys.public_pem().as_bytes()).context("gateway public key")?;
        // The algorithm is pinned: the header's `alg` must be EdDSA, whatever it says.
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[ACCESS_TOKEN_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Ok(Self {
            encoding,
            decoding,
            validation,
            kid: key_id(keys)?,
            issuer: issuer.to_owned(),
            internal_cache: Mutex::new(HashMap::new()),
        })
    }

    /// The `kid` of this key.
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        header
    }

    /// Signs claims as they are (with this key's `kid`).
    pub(crate) fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        jsonwebtoken::encode(&self.header(), claims, &self.encoding).context("signing a JWT")
    }

    /// Claims for `principal` addressed to `audience`, valid from now for `ttl_secs`.
    pub(crate) fn claims_for(&self, principal: &Principal, audience: &str, ttl_secs: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: principal.user_id.to_string(),
            tid: principal.tenant_id,
            eid: principal.employee_id,
            roles: principal.roles.clone(),
            scopes: principal.scopes.clone(),
            aud: audience.to_owned(),
            iss: self.issuer.clone(),
            exp: now + ttl_secs,
            nbf: now,
            iat: now,
            rid: Some(principal.request_id.clone()),
        }
    }

    /// A service token (`sub` = `service:gateway`, nil tenant).
    pub(crate) fn service_token(&self, audience: &str, scopes: &[&str], ttl_secs: i64) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        self.sign(&Claims {
            sub: "service:gateway".into(),
            tid: Uuid::nil(),
            eid: None,
            roles: Vec::new(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            aud: audience.to_owned(),
            iss: self.issuer.clone(),
            exp: now + ttl_secs,
            nbf: now,
            iat: now,
            rid: None,
        })
    }

    /// The internal token of `principal` for `subgraph`, from the cache while it has at least half
    /// its lifetime left. The key is everything the token says, the request id included, so a
    /// cached token is byte-for-byte what a fresh one would claim (only `iat`/`exp` are older).
    pub(crate) fn internal(&self, principal: &Principal, subgraph: &str, ttl_secs: i64) -> anyhow::Result<String> {
        let key = InternalKey {
            user_id: principal.user_id,
            tenant_id: principal.tenant_id,
            employee_id: principal.employee_id,
            roles: principal.roles.clone(),
            scopes: principal.scopes.clone(),
            request_id: principal.request_id.clone(),
            subgraph: subgraph.to_owned(),
            ttl_secs,
        };
        let now = Instant::now();
        if let Ok(cache) = self.internal_cache.lock()
            && let Some((token, fresh_until)) = cache.get(&key)
            && *fresh_until > now
        {
            return Ok(token.clone());
        }
        let token = self.sign(&self.claims_for(principal, subgraph, ttl_secs))?;
        let half = Duration::from_secs(u64::try_from(ttl_secs / 2).unwrap_or(0));
        if !half.is_zero()
            && let Ok(mut cache) = self.internal_cache.lock()
        {
            if cache.len() >= INTERNAL_CACHE_CAPACITY {
                cache.retain(|_, (_, until)| *until > now);
                if cache.len() >= INTERNAL_CACHE_CAPACITY {
                    cache.clear();
                }
            }
            cache.insert(key, (token.clone(), now + half));
        }
        Ok(token)
    }

    /// Verifies a client access token: EdDSA only, `kid` (when present) must be this key's, no
    /// `crit` extensions, then signature, `iss`, `aud` = `studiograph`, `exp`, `nbf`.
    pub(crate) fn verify_access(&self, token: &str) -> Result<Claims, Rejected> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| Rejected(format!("header: {e}")))?;
        if header.alg != Algorithm::EdDSA {
            return Err(Rejected(format!("algorithm {:?}", header.alg)));
        }
        if let Some(kid) = &header.kid
            && kid != &self.kid
        {
            return Err(Rejected("unknown kid".into()));
        }
        if header.crit.is_some() {
            return Err(Rejected("crit header".into()));
        }
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| Rejected(format!("{e}")))
    }
}

/// Whether a bearer value looks like a JWT (three dot-separated base64url parts, the last may be
/// empty as in `alg: none`); API tokens (`sgp_…`) never do.
pub(crate) fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_shape() {
        assert!(looks_like_jwt("eyJh.eyJz.c2ln"));
        assert!(looks_like_jwt("eyJh.eyJz."));
        assert!(!looks_like_jwt("sgp_abcdef"));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b.c.d"));
        assert!(!looks_like_jwt("a b.c.d"));
    }

    #[test]
    fn kid_is_stable_and_per_key() {
        let a = KeyPair::generate();
        let b = KeyPair::generate();
        assert_eq!(key_id(&a).expect("kid"), key_id(&a).expect("kid"));
        assert_ne!(key_id(&a).expect("kid"), key_id(&b).expect("kid"));
        assert_eq!(key_id(&a).expect("kid").len(), 43);
    }
}
