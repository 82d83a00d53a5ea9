//! Persisted operations: a trusted manifest of hashed documents (built with the SPA) and
//! automatic persisted queries (APQ, Apollo's protocol) stored in Redis.
//!
//! The wire form is Apollo's: `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`.
//!
//! - Hash only: the document comes from the manifest, else from Redis; neither knows it ->
//!   `PERSISTED_QUERY_NOT_FOUND` with the message `PersistedQueryNotFound` (what Apollo clients
//!   look for before resending the full document).
//! - Hash and document: the hash must be the document's SHA-256 (`BAD_USER_INPUT` otherwise). A
//!   document missing from the manifest is registered in Redis for `GATEWAY_APQ_TTL_SECS` when
//!   registration is on.
//! - No extension: the document runs as sent. It still counts as persisted when it is,
//!   byte for byte, a manifest document (a plain map lookup; nothing is hashed).
//!
//! Only manifest documents are *persisted* (trusted): anyone may register an APQ document, so
//! [`PersistedOperations::allows`] refuses APQ and ad-hoc documents to cookie-authenticated
//! callers when `GATEWAY_COOKIE_PERSISTED_ONLY` is on.
//!
//! **Redis failures fail open for availability.** Every Redis call is bounded by a short timeout
//! (`GATEWAY_APQ_REDIS_TIMEOUT_MS`); when Redis is slow or down, manifest documents keep working,
//! an APQ lookup answers `PERSISTED_QUERY_NOT_FOUND` (the client resends the full document, which
//! then runs without being stored), and a warning is logged at most once a minute. No request
//! fails because of Redis, and a registered document is never trusted, so nothing is opened up.
//!
//! Hashing is at most one SHA-256 per request (only when a document and a hash are both sent).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use platform::ErrorCode;
use platform::config::{optional, parsed};
use redis::aio::ConnectionManager;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Refusal;
use crate::app::GraphqlRequest;

/// The message Apollo clients match to resend the full document.
pub const NOT_FOUND_MESSAGE: &str = "PersistedQueryNotFound";

/// The message of a cookie caller's refused non-persisted document.
pub const PERSISTED_ONLY_MESSAGE: &str = "only persisted operations are allowed for browser sessions";

/// The `format` of Apollo's persisted query manifest.
pub const APOLLO_MANIFEST_FORMAT: &str = "apollo-persisted-query-manifest";

/// Redis warnings are logged at most this often.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// The APQ settings, read from the environment:
///
/// - `GATEWAY_APQ_TTL_SECS`: lifetime of a registered document (default 86,400).
/// - `GATEWAY_APQ_REGISTER`: whether clients may register documents (default true).
/// - `GATEWAY_APQ_KEY_PREFIX`: Redis key prefix (default `studiograph:gateway:apq:`).
/// - `GATEWAY_APQ_REDIS_TIMEOUT_MS`: bound on each Redis call (default 250).
///
/// The manifest (`GATEWAY_PERSISTED_MANIFEST`) and the cookie switch
/// (`GATEWAY_COOKIE_PERSISTED_ONLY`) are in [`crate::config::GatewayConfig`].
#[derive(Clone, Debug)]
pub struct ApqConfig {
    /// `GATEWAY_APQ_TTL_SECS`.
    pub ttl: Duration,
    /// `GATEWAY_APQ_REGISTER`.
    pub register: bool,
    /// `GATEWAY_APQ_KEY_PREFIX`.
    pub key_prefix: String,
    /// `GATEWAY_APQ_REDIS_TIMEOUT_MS`.
    pub redis_timeout: Duration,
}

impl Default for ApqConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(86_400),
            register: true,
            key_prefix: "studiograph:gateway:apq:".into(),
            redis_timeout: Duration::from_millis(250),
        }
    }
}

impl ApqConfig {
    /// Reads the environment, failing with the name of an invalid variable.
    pub fn from_env() -> anyhow::Result<Self> {
        let default = Self::default();
        Ok(Self {
            ttl: Duration::from_secs(parsed("GATEWAY_APQ_TTL_SECS", default.ttl.as_secs())?),
            register: parsed("GATEWAY_APQ_REGISTER", default.register)?,
            key_prefix: optional("GATEWAY_APQ_KEY_PREFIX").unwrap_or(default.key_prefix),
            redis_timeout: Duration::from_millis(parsed("GATEWAY_APQ_REDIS_TIMEOUT_MS", 250)?),
        })
    }
}

/// The trusted documents, keyed by the lower-case hex SHA-256 of their text.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    by_id: HashMap<String, Arc<str>>,
    by_body: HashMap<Arc<str>, String>,
}

/// Apollo's manifest (`@apollo/generate-persisted-query-manifest`, graphql-codegen).
#[derive(Deserialize)]
struct ApolloManifest {
    format: String,
    version: u64,
    operations: Vec<ApolloOperation>,
}

#[derive(Deserialize)]
struct ApolloOperation {
    id: String,
    body: String,
}

impl Manifest {
    /// Reads a manifest file; see [`Manifest::from_json`].
    pub fn load(path: impl AsRef<Path>) -> anyhow::Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).with_context(|| format!("reading the persisted manifest {}", path.display()))?;
        Self::from_json(&text).with_context(|| format!("loading the persisted manifest {}", path.display()))
    }

    /// Parses a manifest: either a plain object `{ "<sha256 hex>": "<document>" }` (graphql-codegen's
    /// persisted documents; a `sha256:` prefix on the key is accepted) or Apollo's
    /// `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id", "body", … }] }`.
    /// Every id must be the SHA-256 of its document: a tampered manifest (or one hashed with
    /// another algorithm) fails to load.
    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        let value: Value = serde_json::from_str(text).context("the manifest is not JSON")?;
        let entries: Vec<(String, String)> = match value {
            Value::Object(map) if map.contains_key("format") || map.contains_key("operations") => {
                let apollo: ApolloManifest =
                    serde_json::from_value(Value::Object(map)).context("not an Apollo persisted query manifest")?;
                anyhow::ensure!(
                    apollo.format == APOLLO_MANIFEST_FORMAT,
                    "unknown manifest format {:?} (expected {APOLLO_MANIFEST_FORMAT:?})",
                    apollo.format
                );
                anyhow::ensure!(apollo.version == 1, "unsupported manifest version {} (expected 1)", apollo.version);
                apollo.operations.into_iter().map(|op| (op.id, op.body)).collect()
            }
            Value::Object(map) => map
                .into_iter()
                .map(|(id, body)| match body {
                    Value::String(body) => Ok((id, body)),
                    _ => anyhow::bail!("the manifest entry {id:?} is not a string"),
                })
                .collect::<anyhow::Result<_>>()?,
            _ => anyhow::bail!("the manifest must be a JSON object"),
        };
        Self::from_entries(entries)
    }

    /// Builds a manifest from `(id, document)` pairs, verifying every id.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Self> {
        let mut manifest = Self::default();
        for (id, body) in entries {
            let given = id.strip_prefix("sha256:").unwrap_or(&id);
            let digest = parse_hash(given)
                .with_context(|| format!("the manifest id {id:?} is not a SHA-256 hex digest (graphql-codegen: hashAlgorithm 'sha256')"))?;
            anyhow::ensure!(
                digest == sha256(&body),
                "the manifest id {id:?} is not the SHA-256 of its document: the manifest was altered or hashed differently"
            );
            let id = hex::encode(digest);
            let body: Arc<str> = body.into();
            manifest.by_body.insert(body.clone(), id.clone());
            manifest.by_id.insert(id, body);
        }
        Ok(manifest)
    }

    /// The document with this id (lower-case hex SHA-256).
    pub fn get(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|b| &**b)
    }

    /// The id of a document, when it is in the manifest byte for byte.
    pub fn id_of(&self, document: &str) -> Option<&str> {
        self.by_body.get(document).map(String::as_str)
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the manifest lists no document.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// What [`PersistedOperations::resolve`] found out about a request's document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// The document to execute is in the trusted manifest (APQ-registered documents are not).
    pub persisted: bool,
    /// The document's SHA-256 (lower-case hex), when the client sent one or the manifest lists it.
    pub hash: Option<String>,
}

/// The persisted-operation layer: manifest + APQ in Redis.
pub struct PersistedOperations {
    manifest: Option<Manifest>,
    redis: Option<ConnectionManager>,
    key_prefix: String,
    apq_ttl: Duration,
    apq_register: bool,
    redis_timeout: Duration,
    started: Instant,
    /// Milliseconds after `started` of the last Redis warning, plus one (0: never).
    last_warning: AtomicU64,
}

impl PersistedOperations {
    /// A layer over an optional manifest and an optional Redis (no Redis: APQ lookups always miss
    /// and nothing is registered). Keys are `<key_prefix><sha256>`; registered documents live
    /// for `apq_ttl`; `apq_register` lets clients register documents. Redis calls are bounded by
    /// 250 ms (see [`PersistedOperations::with_redis_timeout`]).
    pub fn new(
        manifest: Option<Manifest>,
        redis: Option<ConnectionManager>,
        key_prefix: String,
        apq_ttl: Duration,
        apq_register: bool,
    ) -> Self {
        Self {
            manifest,
            redis,
            key_prefix,
            apq_ttl,
            apq_register,
            redis_timeout: ApqConfig::default().redis_timeout,
            started: Instant::now(),
            last_warning: AtomicU64::new(0),
        }
    }

    /// A layer configured by [`ApqConfig`].
    pub fn from_config(manifest: Option<Manifest>, redis: Option<ConnectionManager>, config: &ApqConfig) -> Self {
        Self::new(manifest, redis, config.key_prefix.clone(), config.ttl, config.register).with_redis_timeout(config.redis_timeout)
    }

    /// Bounds every Redis call (a slow or unreachable Redis then counts as a miss).
    pub fn with_redis_timeout(mut self, timeout: Duration) -> Self {
        self.redis_timeout = timeout;
        self
    }

    /// The trusted manifest, if any.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// Applies `extensions.persistedQuery`: fills `request.query` from the manifest or Redis,
    /// verifies a sent document against its hash and registers it. See the module documentation
    /// for the cases. Refusals have status 400; the caller decides the HTTP framing.
    pub async fn resolve(&self, request: &mut GraphqlRequest) -> Result<Resolution, Refusal> {
        let Some(extension) = persisted_query_extension(request.extensions.as_ref()) else {
            // No APQ wrapper: the document runs as sent; persisted only if it is a manifest entry.
            let id = match (&self.manifest, &request.query) {
                (Some(manifest), Some(query)) => manifest.id_of(query),
                _ => None,
            };
            return Ok(Resolution {
                persisted: id.is_some(),
                hash: id.map(str::to_owned),
            });
        };
        let digest = parse_extension(extension)?;
        let hash = hex::encode(digest);
        match &request.query {
            None => {
                if let Some(document) = self.manifest.as_ref().and_then(|m| m.get(&hash)) {
                    request.query = Some(document.to_owned());
                    return Ok(Resolution {
                        persisted: true,
                        hash: Some(hash),
                    });
                }
                match self.lookup(&hash).await {
                    Some(document) => {
                        request.query = Some(document);
                        Ok(Resolution {
                            persisted: false,
                            hash: Some(hash),
                        })
                    }
                    None => Err(not_found()),
                }
            }
            Some(query) => {
                if sha256(query) != digest {
                    return Err(Refusal::bad_request("provided sha does not match query"));
                }
                let persisted = self.manifest.as_ref().is_some_and(|m| m.get(&hash).is_some());
                if !persisted && self.apq_register {
                    self.register(&hash, query).await;
                }
                Ok(Resolution {
                    persisted,
                    hash: Some(hash),
                })
            }
        }
    }

    /// Whether a resolved request may run: with `cookie_persisted_only`, a cookie-authenticated
    /// caller may run manifest documents only (`PERSISTED_QUERY_NOT_FOUND`, status 400, otherwise).
    /// Bearer callers are never restricted here.
    pub fn allows(&self, resolution: &Resolution, via_cookie: bool, cookie_persisted_only: bool) -> Result<(), Refusal> {
        if cookie_persisted_only && via_cookie && !resolution.persisted {
            return Err(Refusal::new(ErrorCode::PersistedQueryNotFound, PERSISTED_ONLY_MESSAGE));
        }
        Ok(())
    }

    fn key(&self, hash: &str) -> String {
        format!("{}{hash}", self.key_prefix)
    }

    /// A registered document; `None` on a miss and on any Redis failure (logged, throttled).
    async fn lookup(&self, hash: &str) -> Option<String> {
        let mut redis = self.redis.clone()?;
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.key(hash));
        match tokio::time::timeout(self.redis_timeout, cmd.query_async::<Option<String>>(&mut redis)).await {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                self.redis_failed("lookup", &e);
                None
            }
            Err(_) => {
                self.redis_failed("lookup", &"timed out");
                None
            }
        }
    }

    /// Stores a verified document for the TTL; failures are logged (throttled) and ignored.
    async fn register(&self, hash: &str, document: &str) {
        let Some(mut redis) = self.redis.clone() else { return };
        let ttl_ms = u64::try_from(self.apq_ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(hash)).arg(document).arg("PX").arg(ttl_ms);
        match tokio::time::timeout(self.redis_timeout, cmd.query_async::<()>(&mut redis)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.redis_failed("registration", &e),
            Err(_) => self.redis_failed("registration", &"timed out"),
        }
    }

    fn redis_failed(&self, what: &str, error: &dyn std::fmt::Display) {
        let now_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if should_warn(&self.last_warning, now_ms, WARN_EVERY) {
            tracing::warn!(
                apq.operation = what,
                error = %error,
                "Redis unavailable for persisted queries: APQ lookups miss until it is back (logged at most once a minute)"
            );
        }
    }
}

/// Claims the right to log: true at most once per `every` (`last` holds the last time + 1 ms).
fn should_warn(last: &AtomicU64, now_ms: u64, every: Duration) -> bool {
    let every_ms = u64::try_from(every.as_millis()).unwrap_or(u64::MAX);
    let previous = last.load(Ordering::Relaxed);
    if previous != 0 && now_ms.saturating_add(1).saturating_sub(previous) < every_ms {
        return false;
    }
    last.compare_exchange(previous, now_ms.saturating_add(1), Ordering::Relaxed, Ordering::Relaxed)
        .is_ok()
}

fn not_found() -> Refusal {
    Refusal::new(ErrorCode::PersistedQueryNotFound, NOT_FOUND_MESSAGE)
}

/// `extensions.persistedQuery`, when present and not null.
fn persisted_query_extension(extensions: Option<&Value>) -> Option<&Value> {
    extensions?.get("persistedQuery").filter(|v| !v.is_null())
}

/// Validates `{"version": 1, "sha256Hash": "<hex>"}` and returns the digest.
fn parse_extension(extension: &Value) -> Result<[u8; 32], Refusal> {
    let Value::Object(fields) = extension else {
        return Err(Refusal::bad_request("extensions.persistedQuery must be an object"));
    };
    match fields.get("version").and_then(Value::as_u64) {
        Some(1) => {}
        _ => {
            return Err(Refusal::bad_request(
                "unsupported persisted query version (only version 1 is supported)",
            ));
        }
    }
    let hash = fields
        .get("sha256Hash")
        .and_then(Value::as_str)
        .ok_or_else(|| Refusal::bad_request("extensions.persistedQuery.sha256Hash is missing"))?;
    parse_hash(hash).ok_or_else(|| Refusal::bad_request("extensions.persistedQuery.sha256Hash is not a SHA-256 hex digest"))
}

/// A 64-digit hex SHA-256 (either case).
fn parse_hash(hash: &str) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    hex::decode_to_slice(hash, &mut digest).ok()?;
    Some(digest)
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    const DOC: &str = "query Me { me { user { id } } }";
    const OTHER: &str = "query Projects { projects { totalCount } }";

    fn hash(text: &str) -> String {
        hex::encode(sha256(text))
    }

    fn manifest() -> Manifest {
        Manifest::from_json(&json!({ hash(DOC): DOC }).to_string()).unwrap()
    }

    fn layer(manifest: Option<Manifest>) -> PersistedOperations {
        PersistedOperations::new(manifest, None, "test:".into(), Duration::from_secs(60), true)
    }

    fn request(query: Option<&str>, extensions: Option<Value>) -> GraphqlRequest {
        GraphqlRequest {
            query: query.map(str::to_owned),
            extensions,
            ..GraphqlRequest::default()
        }
    }

    fn apq(hash: &str) -> Option<Value> {
        Some(json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }))
    }

    fn code(refusal: &Refusal) -> &'static str {
        refusal.error.code().as_str()
    }

    #[test]
    fn manifest_loads_the_plain_map() {
        let m = manifest();
        assert_eq!(m.len(), 1);
        assert_eq!(m.get(&hash(DOC)), Some(DOC));
        assert_eq!(m.id_of(DOC), Some(hash(DOC).as_str()));
        assert_eq!(m.id_of(OTHER), None);
    }

    #[test]
    fn manifest_loads_the_apollo_format() {
        let text = json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [
                { "id": hash(DOC), "name": "Me", "type": "query", "body": DOC },
                { "id": hash(OTHER), "name": "Projects", "type": "query", "body": OTHER },
            ]
        });
        let m = Manifest::from_json(&text.to_string()).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(&hash(OTHER)), Some(OTHER));
    }

    #[test]
    fn manifest_accepts_upper_case_and_prefixed_ids() {
        let text = json!({ format!("sha256:{}", hash(DOC).to_uppercase()): DOC }).to_string();
        let m = Manifest::from_json(&text).unwrap();
        assert_eq!(m.get(&hash(DOC)), Some(DOC));
    }

    #[test]
    fn tampered_manifest_is_refused() {
        let tampered = json!({ hash(DOC): "query Me { me { user { id email } } }" }).to_string();
        let err = Manifest::from_json(&tampered).unwrap_err();
        assert!(format!("{err:#}").contains("not the SHA-256"), "{err:#}");

        let apollo = json!({
            "format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{ "id": hash(OTHER), "name": "Me", "type": "query", "body": DOC }]
        });
        assert!(Manifest::from_json(&apollo.to_string()).is_err());
    }

    #[test]
    fn malformed_manifests_are_refused() {
        let sha1_id = "a".repeat(40);
        for text in [
            "[]".to_owned(),
            "not json".to_owned(),
            json!({ sha1_id: DOC }).to_string(),
            json!({ hash(DOC): 42 }).to_string(),
            json!({ "format": "other", "version": 1, "operations": [] }).to_string(),
            json!({ "format": APOLLO_MANIFEST_FORMAT, "version": 2, "operations": [] }).to_string(),
        ] {
            assert!(Manifest::from_json(&text).is_err(), "{text}");
        }
    }

    #[test]
    fn manifest_load_reads_a_file_and_names_it_on_error() {
        let dir = std::env::temp_dir().join(format!("apq-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        std::fs::write(&good, json!({ hash(DOC): DOC }).to_string()).unwrap();
        assert_eq!(Manifest::load(&good).unwrap().len(), 1);
        let bad = dir.join("bad.json");
        std::fs::write(&bad, json!({ hash(OTHER): DOC }).to_string()).unwrap();
        let err = Manifest::load(&bad).unwrap_err();
        assert!(format!("{err:#}").contains("bad.json"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn no_extension_leaves_the_request_alone() {
        let ops = layer(Some(manifest()));
        let mut req = request(Some(OTHER), None);
        assert_eq!(ops.resolve(&mut req).await.unwrap(), Resolution::default());
        assert_eq!(req.query.as_deref(), Some(OTHER));

        // A manifest document sent in full without the wrapper is recognised without hashing.
        let mut req = request(Some(DOC), Some(json!({ "persistedQuery": null })));
        let res = ops.resolve(&mut req).await.unwrap();
        assert!(res.persisted);
        assert_eq!(res.hash, Some(hash(DOC)));
    }

    #[tokio::test]
    async fn hash_only_is_filled_from_the_manifest() {
        let ops = layer(Some(manifest()));
        let mut req = request(None, apq(&hash(DOC).to_uppercase()));
        let res = ops.resolve(&mut req).await.unwrap();
        assert_eq!(
            res,
            Resolution {
                persisted: true,
                hash: Some(hash(DOC))
            }
        );
        assert_eq!(req.query.as_deref(), Some(DOC));
    }

    #[tokio::test]
    async fn unknown_hash_without_redis_is_not_found() {
        let ops = layer(Some(manifest()));
        let mut req = request(None, apq(&hash(OTHER)));
        let err = ops.resolve(&mut req).await.unwrap_err();
        assert_eq!(code(&err), "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(err.error.message(), NOT_FOUND_MESSAGE);
        assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        assert!(req.query.is_none());
    }

    #[tokio::test]
    async fn mismatched_hash_is_bad_input() {
        let ops = layer(None);
        let mut req = request(Some(OTHER), apq(&hash(DOC)));
        let err = ops.resolve(&mut req).await.unwrap_err();
        assert_eq!(code(&err), "BAD_USER_INPUT");
        assert_eq!(err.error.message(), "provided sha does not match query");
    }

    #[tokio::test]
    async fn full_document_with_its_hash_runs() {
        let ops = layer(Some(manifest()));
        let mut req = request(Some(DOC), apq(&hash(DOC)));
        assert!(ops.resolve(&mut req).await.unwrap().persisted);
        let mut req = request(Some(OTHER), apq(&hash(OTHER)));
        let res = ops.resolve(&mut req).await.unwrap();
        assert!(!res.persisted);
        assert_eq!(res.hash, Some(hash(OTHER)));
        assert_eq!(req.query.as_deref(), Some(OTHER));
    }

    #[tokio::test]
    async fn malformed_extensions_are_bad_input() {
        let ops = layer(None);
        for ext in [
            json!({ "persistedQuery": { "version": 2, "sha256Hash": hash(DOC) } }),
            json!({ "persistedQuery": { "sha256Hash": hash(DOC) } }),
            json!({ "persistedQuery": { "version": "1", "sha256Hash": hash(DOC) } }),
            json!({ "persistedQuery": { "version": 1 } }),
            json!({ "persistedQuery": { "version": 1, "sha256Hash": "abc" } }),
            json!({ "persistedQuery": { "version": 1, "sha256Hash": "z".repeat(64) } }),
            json!({ "persistedQuery": "yes" }),
        ] {
            let mut req = request(None, Some(ext.clone()));
            let err = ops.resolve(&mut req).await.unwrap_err();
            assert_eq!(code(&err), "BAD_USER_INPUT", "{ext}");
        }
    }

    #[test]
    fn cookie_persisted_only_switch() {
        let ops = layer(None);
        let persisted = Resolution {
            persisted: true,
            hash: Some(hash(DOC)),
        };
        let ad_hoc = Resolution::default();
        assert!(ops.allows(&persisted, true, true).is_ok());
        let err = ops.allows(&ad_hoc, true, true).unwrap_err();
        assert_eq!(code(&err), "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(err.error.message(), PERSISTED_ONLY_MESSAGE);
        assert!(ops.allows(&ad_hoc, false, true).is_ok());
        assert!(ops.allows(&ad_hoc, true, false).is_ok());
    }

    #[test]
    fn redis_warnings_are_throttled_to_one_a_minute() {
        let last = AtomicU64::new(0);
        assert!(should_warn(&last, 0, WARN_EVERY));
        assert!(!should_warn(&last, 1, WARN_EVERY));
        assert!(!should_warn(&last, 59_999, WARN_EVERY));
        assert!(should_warn(&last, 60_000, WARN_EVERY));
        assert!(!should_warn(&last, 60_500, WARN_EVERY));
        assert!(should_warn(&last, 200_000, WARN_EVERY));
    }

    #[test]
    fn config_defaults() {
        let c = ApqConfig::default();
        assert_eq!(c.ttl, Duration::from_secs(86_400));
        assert!(c.register);
    }
}
