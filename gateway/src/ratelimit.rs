//! Rate limits in Redis, shared by every gateway replica.
//!
//! # Algorithm
//!
//! Each limit is a GCRA (generic cell rate algorithm, i.e. a token bucket) kept in one Redis key
//! holding the bucket's "theoretical arrival time" in milliseconds of the Redis server's clock.
//! A limit of `limit` per `window` lets a burst of up to `limit` requests through at once and then
//! refills at `limit / window` (one request every `window / limit`). Compared with a fixed window
//! there is no reset instant at which a client may fire `2 × limit` requests in a moment, and
//! `Retry-After` is the time until *one* more request is allowed rather than the end of a
//! window. Refused requests consume nothing.
//!
//! One Lua script checks several keys atomically (the principal and the tenant of a request, or
//! the account and the client IP of a login) in one round trip: either every bucket admits the
//! request and all are charged, or none is. The script reads `TIME` on the Redis server, so the
//! replicas' clocks do not matter. All keys of one call must live on one node (single Redis, or
//! hash-tagged keys on a cluster).
//!
//! # Redis down
//!
//! Rate limits **fail open**: when Redis errors or does not answer within [`REDIS_TIMEOUT`] the
//! request passes and a warning is logged. A Redis outage should degrade protection, not take the
//! whole API down with it; sessions and API-token resolution, which are about *who* is calling,
//! fail closed instead (see [`crate::auth`]). After a failure a circuit breaker skips Redis for
//! [`BREAKER_COOLDOWN`], so an outage does not add a timeout's latency to every request; then
//! the next request tries again.
//!
//! # Variables
//!
//! - `GATEWAY_RATE_LIMIT_PER_PRINCIPAL` (600) and `GATEWAY_RATE_LIMIT_PER_TENANT` (6000): requests
//!   per `GATEWAY_RATE_LIMIT_WINDOW_SECS` (60). `0` disables that limit.
//! - `GATEWAY_LOGIN_LIMIT_PER_ACCOUNT` (10) and `GATEWAY_LOGIN_LIMIT_PER_IP` (50): password attempts
//!   per `GATEWAY_LOGIN_LIMIT_WINDOW_SECS` (900). `0` disables that limit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use platform::Principal;
use platform::config::parsed;
use redis::aio::ConnectionManager;

use crate::error::Refusal;

/// How long a rate-limit (or session) round trip to Redis may take before it counts as down.
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(1000);

/// How long Redis is left alone after a failed call.
pub const BREAKER_COOLDOWN: Duration = Duration::from_secs(2);

/// A circuit breaker for Redis calls: open for [`BREAKER_COOLDOWN`] after a failure.
#[derive(Debug)]
pub(crate) struct Breaker {
    epoch: Instant,
    /// Milliseconds since `epoch` until which calls are skipped (0: closed).
    open_until_ms: AtomicU64,
}

impl Breaker {
    pub(crate) fn new() -> Self {
        Self {
            epoch: Instant::now(),
            open_until_ms: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether calls should be skipped now.
    pub(crate) fn is_open(&self) -> bool {
        self.now_ms() < self.open_until_ms.load(Ordering::Relaxed)
    }

    /// Records a failure; returns whether the breaker was closed until now (log once per trip).
    pub(crate) fn trip(&self) -> bool {
        let until = self.now_ms() + u64::try_from(BREAKER_COOLDOWN.as_millis()).unwrap_or(u64::MAX);
        let before = self.open_until_ms.swap(until, Ordering::Relaxed);
        before <= self.now_ms()
    }

    /// Records a success.
    pub(crate) fn reset(&self) {
        // Read first: the common case (closed) then writes nothing shared.
        if self.open_until_ms.load(Ordering::Relaxed) != 0 {
            self.open_until_ms.store(0, Ordering::Relaxed);
        }
    }
}

/// `limit` requests per `window`; a limit of 0 is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Requests (burst size, and the number refilled per window).
    pub limit: u32,
    /// The window.
    pub window: Duration,
}

impl Limit {
    /// `limit` per `window`.
    pub const fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window }
    }

    /// Whether this limit applies at all.
    pub fn enabled(&self) -> bool {
        self.limit > 0 && !self.window.is_zero()
    }

    /// Milliseconds between two requests at the sustained rate (at least 1).
    fn interval_ms(&self) -> u64 {
        let window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        (window_ms / u64::from(self.limit.max(1))).max(1)
    }
}

/// Per-request limits (the login limits live in [`crate::auth::AuthSettings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Per user and tenant: `GATEWAY_RATE_LIMIT_PER_PRINCIPAL` per `GATEWAY_RATE_LIMIT_WINDOW_SECS`.
    pub per_principal: Limit,
    /// Per tenant: `GATEWAY_RATE_LIMIT_PER_TENANT` per `GATEWAY_RATE_LIMIT_WINDOW_SECS`.
    pub per_tenant: Limit,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            per_principal: Limit::new(600, Duration::from_secs(60)),
            per_tenant: Limit::new(6000, Duration::from_secs(60)),
        }
    }
}

impl RateLimitSettings {
    /// Reads the variables listed in the module documentation.
    pub fn from_env() -> anyhow::Result<Self> {
        let window = Duration::from_secs(parsed("GATEWAY_RATE_LIMIT_WINDOW_SECS", 60u64)?);
        Ok(Self {
            per_principal: Limit::new(parsed("GATEWAY_RATE_LIMIT_PER_PRINCIPAL", 600)?, window),
            per_tenant: Limit::new(parsed("GATEWAY_RATE_LIMIT_PER_TENANT", 6000)?, window),
        })
    }
}

/// The login limits: password attempts per account and per client IP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    /// `GATEWAY_LOGIN_LIMIT_PER_ACCOUNT` per `GATEWAY_LOGIN_LIMIT_WINDOW_SECS`.
    pub per_account: Limit,
    /// `GATEWAY_LOGIN_LIMIT_PER_IP` per `GATEWAY_LOGIN_LIMIT_WINDOW_SECS`.
    pub per_ip: Limit,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_account: Limit::new(10, Duration::from_secs(900)),
            per_ip: Limit::new(50, Duration::from_secs(900)),
        }
    }
}

impl LoginLimits {
    /// Reads the variables listed in the module documentation.
    pub fn from_env() -> anyhow::Result<Self> {
        let window = Duration::from_secs(parsed("GATEWAY_LOGIN_LIMIT_WINDOW_SECS", 900u64)?);
        Ok(Self {
            per_account: Limit::new(parsed("GATEWAY_LOGIN_LIMIT_PER_ACCOUNT", 10)?, window),
            per_ip: Limit::new(parsed("GATEWAY_LOGIN_LIMIT_PER_IP", 50)?, window),
        })
    }
}

/// GCRA over N keys. `KEYS[i]` is a bucket; `ARGV[2i-1]` its interval in ms, `ARGV[2i]` its burst
/// (the limit). Returns `{0, 0}` when admitted (every bucket charged), else `{i, wait_ms}` for the
/// first bucket that refuses (nothing charged).
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tats = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local wait = new_tat - now - interval * burst
  if wait > 0 then
    return {i, wait}
  end
  tats[i] = new_tat
end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], tats[i], 'PX', tats[i] - now)
end
return {0, 0}
";

/// Which bucket of a [`RateLimiter::check_many`] call refused, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exceeded {
    /// Index into the checked keys.
    pub index: usize,
    /// Time until one more request fits.
    pub retry_after: Duration,
}

impl Exceeded {
    /// Whole seconds for `Retry-After`, rounded up (at least 1).
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_millis().div_ceil(1000).max(1).try_into().unwrap_or(u64::MAX)
    }
}

/// Rate limits over Redis; cheap to clone.
#[derive(Clone)]
pub struct RateLimiter {
    conn: ConnectionManager,
    prefix: String,
    settings: RateLimitSettings,
    script: redis::Script,
    breaker: std::sync::Arc<Breaker>,
}

impl RateLimiter {
    /// A limiter whose keys all start with `prefix` (e.g. `studiograph:`; tests use a random one),
    /// with the default [`RateLimitSettings`].
    pub fn new(conn: ConnectionManager, prefix: impl Into<String>) -> Self {
        Self {
            conn,
            prefix: prefix.into(),
            settings: RateLimitSettings::default(),
            script: redis::Script::new(GCRA),
            breaker: std::sync::Arc::new(Breaker::new()),
        }
    }

    /// Replaces the per-request limits.
    pub fn with_settings(mut self, settings: RateLimitSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The per-request limits in force.
    pub fn settings(&self) -> &RateLimitSettings {
        &self.settings
    }

    /// Counts one request against `key` (under the prefix): `limit` per `window`, else
    /// `429 RATE_LIMITED` with `Retry-After`. Fails open when Redis is unavailable.
    pub async fn check(&self, key: &str, limit: u32, window: Duration) -> Result<(), Refusal> {
        match self.check_many(&[(key, Limit::new(limit, window))]).await {
            Some(e) => Err(Refusal::rate_limited("rate limit exceeded; retry later", e.retry_after_secs())),
            None => Ok(()),
        }
    }

    /// Counts one request of `principal` against its own limit and its tenant's, atomically.
    pub async fn check_request(&self, principal: &Principal) -> Result<(), Refusal> {
        let user_key = format!("rl:user:{}:{}", principal.tenant_id, principal.user_id);
        let tenant_key = format!("rl:tenant:{}", principal.tenant_id);
        let checks = [
            (user_key.as_str(), self.settings.per_principal),
            (tenant_key.as_str(), self.settings.per_tenant),
        ];
        match self.check_many(&checks).await {
            None => Ok(()),
            Some(e) => {
                let whom = if e.index == 0 { "this user" } else { "this tenant" };
                Err(Refusal::rate_limited(
                    format!("rate limit exceeded for {whom}; retry later"),
                    e.retry_after_secs(),
                ))
            }
        }
    }

    /// Checks several buckets at once (disabled limits are skipped): `None` when the request is
    /// admitted and charged to every bucket, or the first bucket that refuses (nothing charged).
    /// Redis failures admit the request (fail open) with a warning.
    pub async fn check_many(&self, checks: &[(&str, Limit)]) -> Option<Exceeded> {
        let active: Vec<(usize, &str, Limit)> = checks
            .iter()
            .enumerate()
            .filter(|(_, (_, l))| l.enabled())
            .map(|(i, (k, l))| (i, *k, *l))
            .collect();
        if active.is_empty() || self.breaker.is_open() {
            return None;
        }
        let mut invocation = self.script.prepare_invoke();
        for (_, key, limit) in &active {
            invocation.key(format!("{}{}", self.prefix, key));
            invocation.arg(limit.interval_ms()).arg(limit.limit);
        }
        let mut conn = self.conn.clone();
        let result = tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async::<(i64, i64)>(&mut conn)).await;
        if matches!(result, Ok(Ok(_))) {
            self.breaker.reset();
        }
        match result {
            Ok(Ok((0, _))) => None,
            Ok(Ok((i, wait_ms))) => {
                let index = usize::try_from(i - 1).ok().and_then(|i| active.get(i)).map_or(0, |a| a.0);
                Some(Exceeded {
                    index,
                    retry_after: Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1)),
                })
            }
            Ok(Err(e)) => {
                if self.breaker.trip() {
                    tracing::warn!(error = %e, "Rate limits unavailable (Redis failed); letting requests through");
                }
                None
            }
            Err(_) => {
                if self.breaker.trip() {
                    tracing::warn!("Rate limits unavailable (Redis timed out); letting requests through");
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_rounds_down_but_never_reaches_zero() {
        assert_eq!(Limit::new(600, Duration::from_secs(60)).interval_ms(), 100);
        assert_eq!(Limit::new(10, Duration::from_secs(900)).interval_ms(), 90_000);
        assert_eq!(Limit::new(5000, Duration::from_millis(10)).interval_ms(), 1);
        assert!(!Limit::new(0, Duration::from_secs(1)).enabled());
    }

    #[test]
    fn breaker_opens_on_failure_and_closes_on_success() {
        let b = Breaker::new();
        assert!(!b.is_open());
        assert!(b.trip());
        assert!(b.is_open());
        assert!(!b.trip(), "already open: no second warning");
        b.reset();
        assert!(!b.is_open());
    }

    #[test]
    fn retry_after_rounds_up() {
        let e = |ms| Exceeded {
            index: 0,
            retry_after: Duration::from_millis(ms),
        };
        assert_eq!(e(1).retry_after_secs(), 1);
        assert_eq!(e(1000).retry_after_secs(), 1);
        assert_eq!(e(1001).retry_after_secs(), 2);
        assert_eq!(e(0).retry_after_secs(), 1);
    }
}
