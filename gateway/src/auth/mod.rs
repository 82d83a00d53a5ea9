//! Authentication of clients (the BFF part of the gateway) and the tokens the gateway signs.
//!
//! # Credentials a request may carry
//!
//! - **`Authorization: Bearer <JWT>`** — an access token from `POST /auth/token`: EdDSA only (the
//!   header's `alg` is never trusted), signed by the gateway key (a `kid` header, when present,
//!   must be that key's RFC 7638 thumbprint), `aud` = `studiograph`, our `iss`, `exp` and `nbf`
//!   checked with 5 s leeway. Access tokens are not revocable; they live
//!   `GATEWAY_ACCESS_TOKEN_TTL_SECS` (15 min).
//! - **`Authorization: Bearer <API token>`** — anything that is not shaped like a JWT. Resolved
//!   through HR's `/internal/auth/api-token`; the answer is cached in Redis under the SHA-256 of
//!   the token for `GATEWAY_API_TOKEN_CACHE_SECS` (30 s). **A revoked API token therefore keeps
//!   working for at most that long**; HR refusing a token drops its cache entry.
//! - **Session cookie** — an opaque 256-bit id (httpOnly, `SameSite=Strict`, `Path=/`, `Secure`
//!   outside development), the session (user + CSRF token) in Redis for `GATEWAY_SESSION_TTL_SECS`
//!   (8 h, absolute: logging in again starts a new one). Every cookie-authenticated request other
//!   than `GET`/`HEAD` must carry `x-csrf-token` equal to the session's token, else
//!   `403 FORBIDDEN`. A bearer header wins over a cookie.
//!
//! Every refused credential is `401 UNAUTHENTICATED` "invalid or expired credentials", whatever
//! the reason (the reason is logged at debug level). When Redis or HR cannot be asked, sessions
//! and API tokens **fail closed** with `503 SUBGRAPH_UNAVAILABLE` (rate limits fail open, see
//! [`crate::ratelimit`]); after a Redis failure they fail fast for
//! [`crate::ratelimit::BREAKER_COOLDOWN`] instead of waiting out a timeout per request. Access
//! tokens need neither Redis nor HR.
//!
//! # Password logins
//!
//! `POST /auth/login` and `POST /auth/token` with a password are limited per account (the email,
//! trimmed and lower-cased, hashed in the key) and per client IP (IPv6 per /64) before HR is
//! asked: a refused attempt costs HR nothing. Every attempt counts, successful or not.
//!
//! # Variables
//!
//! - `GATEWAY_SESSION_TTL_SECS` (28800), `GATEWAY_ACCESS_TOKEN_TTL_SECS` (900),
//!   `GATEWAY_API_TOKEN_CACHE_SECS` (30; 0 disables the cache).
//! - `GATEWAY_SESSION_COOKIE`: the cookie's name (`__Host-studiograph_session` when `Secure`,
//!   else `studiograph_session`).
//! - `GATEWAY_COOKIE_SECURE`: the `Secure` attribute (default on unless `STUDIOGRAPH_MODE` is
//!   development; refused off in production).
//! - `GATEWAY_LOGIN_LIMIT_PER_ACCOUNT`, `GATEWAY_LOGIN_LIMIT_PER_IP`,
//!   `GATEWAY_LOGIN_LIMIT_WINDOW_SECS`: see [`crate::ratelimit`].
//! - `GATEWAY_REDIS_PREFIX` (`studiograph:`): prefix of every Redis key the gateway writes.
//! - `GATEWAY_AUTH_HR_TIMEOUT_MS` (5000): one call to HR's internal routes.
//! - `GATEWAY_TRUST_FORWARDED_FOR` (false): take the login client IP from the last
//!   `X-Forwarded-For` entry (set it only behind a proxy that appends one).

mod hr;
mod jwt;
mod routes;
mod session;

use std::net::IpAddr;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Method, header};
use platform::auth::{Claims, INTERNAL_AUTH_SCOPE, KeyPair};
use platform::config::{Mode, optional, parsed};
use platform::{ErrorCode, Principal};
use redis::aio::ConnectionManager;
use sha2::{Digest, Sha256};

pub use hr::ResolvedIdentity;
pub use jwt::{ACCESS_TOKEN_AUDIENCE, key_id};
pub use session::SessionUser;

use crate::error::Refusal;
use crate::ratelimit::{Breaker, Limit, LoginLimits, REDIS_TIMEOUT, RateLimiter};
use hr::{HR_AUDIENCE, HrAnswer, HrClient};
use session::Session;

/// The header carrying the CSRF token of cookie sessions.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Lifetime of the service tokens the gateway sends to HR.
const SERVICE_TOKEN_TTL_SECS: i64 = 60;

/// Longest bearer value looked at.
const MAX_BEARER_LEN: usize = 4096;

/// Auth settings, from the environment (see the module documentation).
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// `GATEWAY_SESSION_TTL_SECS`.
    pub session_ttl: Duration,
    /// `GATEWAY_ACCESS_TOKEN_TTL_SECS`.
    pub access_token_ttl: Duration,
    /// `GATEWAY_API_TOKEN_CACHE_SECS`.
    pub api_token_cache_ttl: Duration,
    /// `GATEWAY_SESSION_COOKIE`.
    pub cookie_name: String,
    /// `GATEWAY_COOKIE_SECURE`.
    pub cookie_secure: bool,
    /// Password attempts per account and per IP.
    pub login_limits: LoginLimits,
    /// `GATEWAY_REDIS_PREFIX`.
    pub redis_prefix: String,
    /// `GATEWAY_AUTH_HR_TIMEOUT_MS`.
    pub hr_timeout: Duration,
    /// `GATEWAY_TRUST_FORWARDED_FOR`.
    pub trust_forwarded_for: bool,
}

impl AuthSettings {
    /// The defaults of `mode`, without reading the environment (tests start here).
    pub fn defaults(mode: Mode) -> Self {
        let secure = mode != Mode::Development;
        Self {
            session_ttl: Duration::from_secs(8 * 3600),
            access_token_ttl: Duration::from_secs(15 * 60),
            api_token_cache_ttl: Duration::from_secs(30),
            cookie_name: default_cookie_name(secure).to_owned(),
            cookie_secure: secure,
            login_limits: LoginLimits::default(),
            redis_prefix: "studiograph:".into(),
            hr_timeout: Duration::from_secs(5),
            trust_forwarded_for: false,
        }
    }

    /// Reads the variables of the module documentation.
    pub fn from_env(mode: Mode) -> anyhow::Result<Self> {
        let cookie_secure = parsed("GATEWAY_COOKIE_SECURE", mode != Mode::Development)?;
        if !cookie_secure && mode == Mode::Production {
            anyhow::bail!("GATEWAY_COOKIE_SECURE=false is refused in production mode");
        }
        let cookie_name = optional("GATEWAY_SESSION_COOKIE").unwrap_or_else(|| default_cookie_name(cookie_secure).to_owned());
        if cookie_name.is_empty() || !cookie_name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
            anyhow::bail!("GATEWAY_SESSION_COOKIE={cookie_name:?} must be letters, digits, '-', '_' or '.'");
        }
        if cookie_name.starts_with("__Host-") && !cookie_secure {
            anyhow::bail!("GATEWAY_SESSION_COOKIE={cookie_name:?}: a __Host- cookie needs GATEWAY_COOKIE_SECURE");
        }
        let secs = |name: &str, default: u64| parsed(name, default).map(Duration::from_secs);
        let settings = Self {
            session_ttl: secs("GATEWAY_SESSION_TTL_SECS", 8 * 3600)?,
            access_token_ttl: secs("GATEWAY_ACCESS_TOKEN_TTL_SECS", 15 * 60)?,
            api_token_cache_ttl: secs("GATEWAY_API_TOKEN_CACHE_SECS", 30)?,
            cookie_name,
            cookie_secure,
            login_limits: LoginLimits::from_env()?,
            redis_prefix: optional("GATEWAY_REDIS_PREFIX").unwrap_or_else(|| "studiograph:".into()),
            hr_timeout: Duration::from_millis(parsed("GATEWAY_AUTH_HR_TIMEOUT_MS", 5000)?),
            trust_forwarded_for: parsed("GATEWAY_TRUST_FORWARDED_FOR", false)?,
        };
        if settings.session_ttl.is_zero() || settings.access_token_ttl.is_zero() {
            anyhow::bail!("GATEWAY_SESSION_TTL_SECS and GATEWAY_ACCESS_TOKEN_TTL_SECS must be positive");
        }
        Ok(settings)
    }
}

fn default_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-studiograph_session"
    } else {
        "studiograph_session"
    }
}

/// How a request authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthVia {
    /// The SPA's session cookie (CSRF-checked).
    Cookie,
    /// A gateway access token.
    BearerJwt,
    /// An API token resolved through HR.
    ApiToken,
}

/// An authenticated request's principal (with a fresh `request_id` the engine may replace).
#[derive(Clone, Debug)]
pub struct Authenticated {
    /// Who.
    pub principal: Principal,
    /// How.
    pub via: AuthVia,
}

/// Client authentication, the `/auth/*` routes, and the gateway's token minting.
pub struct AuthService {
    settings: AuthSettings,
    redis: ConnectionManager,
    limiter: RateLimiter,
    hr: HrClient,
    jwt: jwt::Jwt,
    breaker: Breaker,
}

impl AuthService {
    /// A service over `redis`, asking HR at `hr_base` (e.g. `http://127.0.0.1:4001`), signing with
    /// `keys` as `issuer`.
    pub fn new(
        settings: AuthSettings,
        redis: ConnectionManager,
        hr_base: impl Into<String>,
        keys: &KeyPair,
        issuer: impl AsRef<str>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            limiter: RateLimiter::new(redis.clone(), settings.redis_prefix.clone()),
            hr: HrClient::new(hr_base, settings.hr_timeout),
            jwt: jwt::Jwt::new(keys, issuer.as_ref())?,
            settings,
            redis,
            breaker: Breaker::new(),
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// The `kid` of the gateway's tokens.
    pub fn key_id(&self) -> &str {
        self.jwt.kid()
    }

    /// Authenticates a request from its headers: `Ok(None)` when it presents no credentials,
    /// `401 UNAUTHENTICATED` for bad ones, `403 FORBIDDEN` for a cookie request without its CSRF
    /// token, `503 SUBGRAPH_UNAVAILABLE` when Redis or HR cannot be asked. `peer` is the client
    /// address (logged with refusals).
    pub async fn authenticate(&self, headers: &HeaderMap, method: &Method, peer: Option<IpAddr>) -> Result<Option<Authenticated>, Refusal> {
        let mut authorization = headers.get_all(header::AUTHORIZATION).iter();
        if let Some(value) = authorization.next() {
            if authorization.next().is_some() {
                return Err(refused("several Authorization headers", peer));
            }
            let token = bearer_value(value).ok_or_else(|| refused("not a Bearer credential", peer))?;
            return self.authenticate_bearer(token, peer).await.map(Some);
        }
        let Some(session_id) = session::cookie_value(headers, &self.settings.cookie_name) else {
            return Ok(None);
        };
        let session = self
            .load_session(session_id)
            .await?
            .ok_or_else(|| refused("unknown session", peer))?;
        if !is_safe_method(method) && !session.csrf_matches(headers.get(CSRF_HEADER)) {
            return Err(Refusal::new(ErrorCode::Forbidden, "missing or invalid CSRF token"));
        }
        Ok(Some(Authenticated {
            principal: session.principal(),
            via: AuthVia::Cookie,
        }))
    }

    async fn authenticate_bearer(&self, token: &str, peer: Option<IpAddr>) -> Result<Authenticated, Refusal> {
        if jwt::looks_like_jwt(token) {
            let claims = self.jwt.verify_access(token).map_err(|e| refused(&e.0, peer))?;
            let principal = Principal::try_from(claims).map_err(|e| refused(e.message(), peer))?;
            return Ok(Authenticated {
                principal: Principal {
                    request_id: uuid::Uuid::new_v4().to_string(),
                    ..principal
                },
                via: AuthVia::BearerJwt,
            });
        }
        let identity = self.resolve_api_token(token, peer).await?;
        Ok(Authenticated {
            principal: identity.principal(),
            via: AuthVia::ApiToken,
        })
    }

    /// Resolves an API token: the Redis cache, else HR (then cached).
    pub(crate) async fn resolve_api_token(&self, token: &str, peer: Option<IpAddr>) -> Result<ResolvedIdentity, Refusal> {
        if token.len() < 8 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(refused("malformed API token", peer));
        }
        let key = format!(
            "{}apitoken:{}",
            self.settings.redis_prefix,
            hex::encode(Sha256::digest(token.as_bytes()))
        );
        let cache = !self.settings.api_token_cache_ttl.is_zero();
        if cache
            && let Some(json) = self.redis_get(&key).await?
            && let Ok(identity) = serde_json::from_str::<ResolvedIdentity>(&json)
        {
            return Ok(identity);
        }
        match self
            .ask_hr("/internal/auth/api-token", &serde_json::json!({ "token": token }))
            .await?
        {
            HrAnswer::Identity(identity) => {
                if cache && let Ok(json) = serde_json::to_string(&identity) {
                    self.redis_set_ex(&key, &json, self.settings.api_token_cache_ttl).await?;
                }
                Ok(identity)
            }
            _ => {
                if cache {
                    self.redis_del(&key).await?;
                }
                Err(refused("API token refused by HR", peer))
            }
        }
    }

    /// Checks a password through HR, after the login limits (a refused attempt never reaches HR).
    pub(crate) async fn password_login(&self, email: &str, password: &str, client_ip: Option<IpAddr>) -> Result<ResolvedIdentity, Refusal> {
        let email = email.trim();
        if email.is_empty() || password.is_empty() {
            return Err(Refusal::bad_request("email and password are required"));
        }
        let account = format!("login:account:{}", hex::encode(Sha256::digest(email.to_lowercase().as_bytes())));
        let limits = &self.settings.login_limits;
        let mut checks: Vec<(String, Limit)> = vec![(account, limits.per_account)];
        if let Some(ip) = client_ip {
            checks.push((format!("login:ip:{}", ip_bucket(ip)), limits.per_ip));
        }
        let refs: Vec<(&str, Limit)> = checks.iter().map(|(k, l)| (k.as_str(), *l)).collect();
        if let Some(e) = self.limiter.check_many(&refs).await {
            tracing::info!(
                limit = if e.index == 0 { "account" } else { "ip" },
                "Login attempt refused by the login limit"
            );
            return Err(Refusal::rate_limited("too many login attempts; retry later", e.retry_after_secs()));
        }
        match self
            .ask_hr(
                "/internal/auth/password",
                &serde_json::json!({ "email": email, "password": password }),
            )
            .await?
        {
            HrAnswer::Identity(identity) => Ok(identity),
            _ => Err(refused("wrong email or password", client_ip)),
        }
    }

    async fn ask_hr(&self, path: &str, body: &serde_json::Value) -> Result<HrAnswer, Refusal> {
        let token = self.service_token(HR_AUDIENCE, &[INTERNAL_AUTH_SCOPE]).map_err(|e| {
            tracing::error!(error = %e, "Signing a service token failed");
            Refusal::new(ErrorCode::Internal, "internal error")
        })?;
        match self.hr.call(path, &token, body).await {
            HrAnswer::Unavailable(why) => {
                tracing::warn!(hr.path = path, error = %why, "HR auth call failed");
                Err(unavailable())
            }
            answer => Ok(answer),
        }
    }

    /// Stores a new session for `identity` (dropping `replacing`, the session the browser had, if
    /// any); returns the session id for the cookie.
    pub(crate) async fn create_session(&self, identity: &ResolvedIdentity, replacing: Option<&str>) -> Result<(String, Session), Refusal> {
        if let Some(old) = replacing.filter(|id| session::well_formed(id)) {
            self.redis_del(&session::redis_key(&self.settings.redis_prefix, old)).await?;
        }
        let id = session::random_secret();
        let session = Session::new(identity);
        let json = serde_json::to_string(&session).map_err(|_| Refusal::new(ErrorCode::Internal, "internal error"))?;
        self.redis_set_ex(
            &session::redis_key(&self.settings.redis_prefix, &id),
            &json,
            self.settings.session_ttl,
        )
        .await?;
        Ok((id, session))
    }

    /// The session of a cookie value, if it exists.
    pub(crate) async fn load_session(&self, session_id: &str) -> Result<Option<Session>, Refusal> {
        if !session::well_formed(session_id) {
            return Ok(None);
        }
        let json = self.redis_get(&session::redis_key(&self.settings.redis_prefix, session_id)).await?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Deletes a session.
    pub(crate) async fn delete_session(&self, session_id: &str) -> Result<(), Refusal> {
        if session::well_formed(session_id) {
            self.redis_del(&session::redis_key(&self.settings.redis_prefix, session_id)).await?;
        }
        Ok(())
    }

    /// A client access token for `identity` (`aud` = `studiograph`) and its expiry.
    pub(crate) fn access_token(&self, identity: &ResolvedIdentity) -> Result<(String, chrono::DateTime<chrono::Utc>), Refusal> {
        let ttl = i64::try_from(self.settings.access_token_ttl.as_secs()).unwrap_or(900);
        let claims = Claims {
            rid: None,
            ..self.jwt.claims_for(&identity.principal(), ACCESS_TOKEN_AUDIENCE, ttl)
        };
        let expires_at = chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(chrono::Utc::now);
        let token = self.jwt.sign(&claims).map_err(|e| {
            tracing::error!(error = %e, "Signing an access token failed");
            Refusal::new(ErrorCode::Internal, "internal error")
        })?;
        Ok((token, expires_at))
    }

    /// The internal JWT for one subgraph: `aud` = `subgraph`, `rid` = the principal's request id,
    /// valid `ttl_secs`. Tokens are cached in-process for half their lifetime, keyed by every
    /// claim but the times (the request id included), so repeated fetches of one request or one
    /// subscription reuse a signature.
    pub fn mint_internal(&self, principal: &Principal, subgraph: &str, ttl_secs: i64) -> anyhow::Result<String> {
        self.jwt.internal(principal, subgraph, ttl_secs)
    }

    /// A service token (`sub` = `service:gateway`, no tenant) for `audience` with `scopes`, valid
    /// 60 s.
    pub fn service_token(&self, audience: &str, scopes: &[&str]) -> anyhow::Result<String> {
        self.jwt.service_token(audience, scopes, SERVICE_TOKEN_TTL_SECS)
    }

    /// The client IP for login limits: the last `X-Forwarded-For` entry when trusted, else `peer`.
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        if self.settings.trust_forwarded_for
            && let Some(ip) = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back()
        {
            return Some(ip);
        }
        peer
    }

    async fn redis_get(&self, key: &str) -> Result<Option<String>, Refusal> {
        self.redis_query(redis::cmd("GET").arg(key)).await
    }

    async fn redis_set_ex(&self, key: &str, value: &str, ttl: Duration) -> Result<(), Refusal> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key)
            .arg(value)
            .arg("PX")
            .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1));
        self.redis_query(&cmd).await
    }

    async fn redis_del(&self, key: &str) -> Result<(), Refusal> {
        self.redis_query::<i64>(redis::cmd("DEL").arg(key)).await.map(|_| ())
    }

    /// One Redis call; fails closed (503), and fast while the breaker is open.
    async fn redis_query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, Refusal> {
        if self.breaker.is_open() {
            return Err(unavailable());
        }
        let mut conn = self.redis.clone();
        match tokio::time::timeout(REDIS_TIMEOUT, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => {
                self.breaker.reset();
                Ok(v)
            }
            Ok(Err(e)) => {
                if self.breaker.trip() {
                    tracing::warn!(error = %e, "Session store unavailable (Redis failed); refusing sessions and API tokens");
                }
                Err(unavailable())
            }
            Err(_) => {
                if self.breaker.trip() {
                    tracing::warn!("Session store unavailable (Redis timed out); refusing sessions and API tokens");
                }
                Err(unavailable())
            }
        }
    }
}

/// A Redis connection manager with bounded connect and response times, for [`AuthService`] and
/// [`RateLimiter`].
pub async fn connect_redis(url: &str) -> anyhow::Result<ConnectionManager> {
    let client = redis::Client::open(url)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(2))
        .set_response_timeout(REDIS_TIMEOUT)
        .set_number_of_retries(2);
    Ok(ConnectionManager::new_with_config(client, config).await?)
}

/// `GET` and `HEAD` need no CSRF token (the engine refuses mutations over GET).
fn is_safe_method(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// The token of `Bearer <token>` (scheme case-insensitive).
fn bearer_value(value: &HeaderValue) -> Option<&str> {
    let value = value.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= MAX_BEARER_LEN).then_some(token)
}

/// The login-limit bucket of an address: itself for IPv4, its /64 for IPv6.
fn ip_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The one refusal for bad credentials; the reason goes to the debug log only.
fn refused(reason: &str, peer: Option<IpAddr>) -> Refusal {
    tracing::debug!(reason, client.ip = ?peer, "Refused credentials");
    Refusal::unauthenticated("invalid or expired credentials")
}

fn unavailable() -> Refusal {
    Refusal::new(ErrorCode::SubgraphUnavailable, "authentication is temporarily unavailable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_value(&HeaderValue::from_static("Bearer abc")), Some("abc"));
        assert_eq!(bearer_value(&HeaderValue::from_static("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_value(&HeaderValue::from_static("Basic abc")), None);
        assert_eq!(bearer_value(&HeaderValue::from_static("Bearer ")), None);
        assert_eq!(bearer_value(&HeaderValue::from_static("Bearer")), None);
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("ip");
        assert_eq!(ip_bucket(a), ip_bucket(b));
        assert_eq!(ip_bucket("10.0.0.1".parse().expect("ip")), "10.0.0.1");
        assert_eq!(ip_bucket("::ffff:10.0.0.1".parse().expect("ip")), "10.0.0.1");
    }

    #[test]
    fn defaults_follow_the_mode() {
        let dev = AuthSettings::defaults(Mode::Development);
        assert!(!dev.cookie_secure);
        assert_eq!(dev.cookie_name, "studiograph_session");
        let prod = AuthSettings::defaults(Mode::Production);
        assert!(prod.cookie_secure);
        assert!(prod.cookie_name.starts_with("__Host-"));
    }
}
