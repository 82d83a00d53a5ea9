//! The gateway's own JWTs: client access tokens (`aud` = `studiograph`), internal tokens for the
//! subgraphs (`aud` = the subgraph) and service tokens, all EdDSA with the gateway key and a `kid`
//! header; and the verification of client access tokens.
//!
//! Cost (2-core VM, release): `jsonwebtoken::encode` with an Ed25519 key takes ~120 µs because it
//! re-derives the signing key from its bytes on every call (~47 µs); signing with a prepared
//! `ed25519_dalek::SigningKey` takes ~50 µs, so tokens are signed here with one (the output is
//! byte-for-byte what `jsonwebtoken` produces, see the tests). Verification costs ~105 µs, so
//! verified access tokens are remembered until they expire.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::Signer as _;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
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

/// Most verified access tokens remembered.
const VERIFIED_CACHE_CAPACITY: usize = 10_000;

/// Longest access token remembered (longer ones are verified every time).
const VERIFIED_CACHE_MAX_TOKEN_LEN: usize = 2048;

/// The PKCS#8 prefix of an Ed25519 private key (the 32-byte seed follows).
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

fn pem_der(pem: &str) -> anyhow::Result<Vec<u8>> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body.trim()).context("PEM body is not base64")
}

/// The prepared signing key of a key pair.
fn signing_key(keys: &KeyPair) -> anyhow::Result<ed25519_dalek::SigningKey> {
    let der = pem_der(&keys.private_pem())?;
    let seed: [u8; 32] = der
        .strip_prefix(&PKCS8_ED25519_PREFIX[..])
        .and_then(|s| <[u8; 32]>::try_from(s).ok())
        .context("not a PKCS#8 Ed25519 private key")?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
}

/// Bounded map with a "valid until" per entry: when full, expired entries go, then everything.
struct Bounded<K, V> {
    map: HashMap<K, (V, Instant)>,
    capacity: usize,
}

impl<K: std::hash::Hash + Eq, V: Clone> Bounded<K, V> {
    fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            capacity,
        }
    }

    fn get<Q>(&self, key: &Q, now: Instant) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.map.get(key).filter(|(_, until)| *until > now).map(|(v, _)| v.clone())
    }

    fn insert(&mut self, key: K, value: V, until: Instant, now: Instant) {
        if self.map.len() >= self.capacity {
            self.map.retain(|_, (_, u)| *u > now);
            if self.map.len() >= self.capacity {
                self.map.clear();
            }
        }
        self.map.insert(key, (value, until));
    }
}

/// The RFC 7638 JWK thumbprint of an Ed25519 public key, the `kid` of the gateway's tokens.
pub fn key_id(keys: &KeyPair) -> anyhow::Result<String> {
    let der = pem_der(&keys.public_pem())?;
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
    signing: ed25519_dalek::SigningKey,
    /// `base64url(header JSON) + "."`, the same for every token.
    header_prefix: String,
    decoding: DecodingKey,
    validation: Validation,
    kid: String,
    issuer: String,
    internal_cache: Mutex<Bounded<InternalKey, String>>,
    verified_cache: Mutex<Bounded<String, Claims>>,
}

/// Why an access token was refused (logged at debug level, never shown to the client).
#[derive(Debug)]
pub(crate) struct Rejected(pub String);

impl Jwt {
    pub(crate) fn new(keys: &KeyPair, issuer: &str) -> anyhow::Result<Self> {
        let kid = key_id(keys)?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.clone());
        let header_prefix = format!("{}.", URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?));
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
            signing: signing_key(keys)?,
            header_prefix,
            decoding,
            validation,
            kid,
            issuer: issuer.to_owned(),
            internal_cache: Mutex::new(Bounded::new(INTERNAL_CACHE_CAPACITY)),
            verified_cache: Mutex::new(Bounded::new(VERIFIED_CACHE_CAPACITY)),
        })
    }

    /// The `kid` of this key.
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs claims as they are: a compact JWS with `{"typ":"JWT","alg":"EdDSA","kid":…}`.
    pub(crate) fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        let payload = serde_json::to_vec(claims).context("serializing claims")?;
        let mut token = String::with_capacity(self.header_prefix.len() + payload.len() * 4 / 3 + 90);
        token.push_str(&self.header_prefix);
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let signature = self.signing.sign(token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature.to_bytes(), &mut token);
        Ok(token)
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
            rid: (!principal.request_id.is_empty()).then(|| principal.request_id.clone()),
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
            && let Some(token) = cache.get(&key, now)
        {
            return Ok(token);
        }
        let token = self.sign(&self.claims_for(principal, subgraph, ttl_secs))?;
        let half = Duration::from_secs(u64::try_from(ttl_secs / 2).unwrap_or(0));
        if !half.is_zero()
            && let Ok(mut cache) = self.internal_cache.lock()
        {
            cache.insert(key, token.clone(), now + half, now);
        }
        Ok(token)
    }

    /// Verifies a client access token: EdDSA only, `kid` (when present) must be this key's, no
    /// `crit` extensions, then signature, `iss`, `aud` = `studiograph`, `exp`, `nbf`. A token
    /// verified before is taken from memory while its time window still holds (the token's bytes
    /// are the key, so nothing else about it can differ).
    pub(crate) fn verify_access(&self, token: &str) -> Result<Claims, Rejected> {
        let now = Instant::now();
        if let Ok(cache) = self.verified_cache.lock()
            && let Some(claims) = cache.get(token, now)
        {
            let epoch = chrono::Utc::now().timestamp();
            let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
            if claims.nbf <= epoch + leeway && epoch - leeway < claims.exp {
                return Ok(claims);
            }
        }
        let claims = self.verify_access_uncached(token)?;
        if token.len() <= VERIFIED_CACHE_MAX_TOKEN_LEN
            && let Ok(mut cache) = self.verified_cache.lock()
        {
            let remaining = claims.exp + i64::try_from(LEEWAY_SECS).unwrap_or(0) - chrono::Utc::now().timestamp();
            let until = now + Duration::from_secs(u64::try_from(remaining).unwrap_or(0));
            cache.insert(token.to_owned(), claims.clone(), until, now);
        }
        Ok(claims)
    }

    fn verify_access_uncached(&self, token: &str) -> Result<Claims, Rejected> {
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
    fn signs_exactly_as_jsonwebtoken_does() {
        let keys = KeyPair::generate();
        let jwt = Jwt::new(&keys, "iss").expect("jwt");
        let principal = Principal {
            user_id: Uuid::new_v4(),
            tenant_id: Uuid::new_v4(),
            employee_id: None,
            roles: vec![Role::Artist],
            scopes: vec!["*".into()],
            request_id: "r".into(),
        };
        let claims = jwt.claims_for(&principal, "hr", 60);
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(jwt.kid().to_owned());
        let key = jsonwebtoken::EncodingKey::from_ed_pem(keys.private_pem().as_bytes()).expect("key");
        let reference = jsonwebtoken::encode(&header, &claims, &key).expect("encode");
        assert_eq!(jwt.sign(&claims).expect("sign"), reference);
        // And the subgraphs' verifier accepts it.
        let verified = keys.verifier("iss", "hr").verify(&reference).expect("verify");
        assert_eq!(verified.rid.as_deref(), Some("r"));
    }

    #[test]
    fn verified_tokens_are_remembered_only_while_valid() {
        let keys = KeyPair::generate();
        let jwt = Jwt::new(&keys, "iss").expect("jwt");
        let principal = Principal {
            user_id: Uuid::new_v4(),
            tenant_id: Uuid::new_v4(),
            employee_id: None,
            roles: vec![],
            scopes: vec![],
            request_id: "r".into(),
        };
        let token = jwt.sign(&jwt.claims_for(&principal, ACCESS_TOKEN_AUDIENCE, 60)).expect("sign");
        assert!(jwt.verify_access(&token).is_ok());
        assert!(jwt.verify_access(&token).is_ok(), "from memory");
        let expired = jwt.sign(&jwt.claims_for(&principal, ACCESS_TOKEN_AUDIENCE, -60)).expect("sign");
        assert!(jwt.verify_access(&expired).is_err());
        assert!(jwt.verify_access(&expired).is_err());
        let mut tampered = token.clone();
        tampered.pop();
        assert!(jwt.verify_access(&tampered).is_err());
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
