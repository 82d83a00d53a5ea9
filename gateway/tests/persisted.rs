//! Persisted operations against the real Redis (`REDIS_URL`, default `redis://127.0.0.1:6379`):
//! each test uses its own random key prefix and deletes its keys at the end.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;
use std::time::Duration;

use gateway::Refusal;
use gateway::app::GraphqlRequest;
use gateway::persisted::{Manifest, NOT_FOUND_MESSAGE, PERSISTED_ONLY_MESSAGE, PersistedOperations, Resolution};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const MANIFEST_DOC: &str = "query Me { me { user { id email } } }";
const APQ_DOC: &str = "query Projects { projects(first: 5) { totalCount } }";

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn sha(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_number_of_retries(1)
        .set_connection_timeout(Duration::from_millis(500))
        .set_response_timeout(Duration::from_millis(500))
}

async fn connect(url: &str) -> redis::RedisResult<ConnectionManager> {
    ConnectionManager::new_with_config(redis::Client::open(url)?, manager_config()).await
}

/// A Redis connection and a key prefix of its own; `finish` deletes the prefix's keys.
struct Fixture {
    redis: ConnectionManager,
    prefix: String,
}

impl Fixture {
    async fn new() -> Self {
        Self {
            redis: connect(&redis_url()).await.expect("Redis at REDIS_URL"),
            prefix: format!("test:gateway:apq:{}:", uuid::Uuid::new_v4().simple()),
        }
    }

    fn layer(&self, manifest: Option<Manifest>, ttl: Duration, register: bool) -> PersistedOperations {
        PersistedOperations::new(manifest, Some(self.redis.clone()), self.prefix.clone(), ttl, register)
    }

    async fn keys(&self) -> Vec<String> {
        let mut redis = self.redis.clone();
        let mut keys = Vec::new();
        let mut cursor = 0u64;
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}*", self.prefix))
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut redis)
                .await
                .unwrap();
            keys.extend(batch);
            if next == 0 {
                return keys;
            }
            cursor = next;
        }
    }

    async fn pttl(&self, hash: &str) -> i64 {
        let mut redis = self.redis.clone();
        redis::cmd("PTTL")
            .arg(format!("{}{hash}", self.prefix))
            .query_async(&mut redis)
            .await
            .unwrap()
    }

    async fn finish(self) {
        let keys = self.keys().await;
        if !keys.is_empty() {
            let mut redis = self.redis.clone();
            let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut redis).await.unwrap();
        }
        assert!(self.keys().await.is_empty());
    }
}

fn manifest() -> Manifest {
    Manifest::from_json(&json!({ sha(MANIFEST_DOC): MANIFEST_DOC }).to_string()).unwrap()
}

fn apq_ext(hash: &str) -> Option<Value> {
    Some(json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }))
}

/// Only the hash, as Apollo clients send first.
fn by_hash(document: &str) -> GraphqlRequest {
    GraphqlRequest {
        query: None,
        operation_name: None,
        variables: None,
        extensions: apq_ext(&sha(document)),
    }
}

/// The document with its hash, as Apollo clients send after `PersistedQueryNotFound`.
fn with_document(document: &str) -> GraphqlRequest {
    GraphqlRequest {
        query: Some(document.to_owned()),
        operation_name: None,
        variables: None,
        extensions: apq_ext(&sha(document)),
    }
}

fn assert_not_found(refusal: &Refusal) {
    assert_eq!(refusal.error.code().as_str(), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(refusal.error.message(), NOT_FOUND_MESSAGE);
    assert_eq!(refusal.status.as_u16(), 400);
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("studiograph-apq-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[tokio::test]
async fn manifest_files_in_both_formats_resolve_by_hash() {
    let fx = Fixture::new().await;
    let plain = temp_file("persisted-documents.json", &json!({ sha(MANIFEST_DOC): MANIFEST_DOC }).to_string());
    let apollo = temp_file(
        "persisted-query-manifest.json",
        &json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [{ "id": sha(MANIFEST_DOC), "name": "Me", "type": "query", "body": MANIFEST_DOC }]
        })
        .to_string(),
    );
    for path in [&plain, &apollo] {
        let ops = fx.layer(Some(Manifest::load(path).unwrap()), Duration::from_secs(60), true);
        let mut request = by_hash(MANIFEST_DOC);
        let resolution = ops.resolve(&mut request).await.unwrap();
        assert_eq!(
            resolution,
            Resolution {
                persisted: true,
                hash: Some(sha(MANIFEST_DOC))
            }
        );
        assert_eq!(request.query.as_deref(), Some(MANIFEST_DOC));
        // A manifest document sent in full is not registered in Redis.
        ops.resolve(&mut with_document(MANIFEST_DOC)).await.unwrap();
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
    assert!(fx.keys().await.is_empty());
    fx.finish().await;
}

#[tokio::test]
async fn tampered_manifest_file_does_not_load() {
    let path = temp_file(
        "tampered.json",
        &json!({ sha(MANIFEST_DOC): "query Me { me { user { id email roles } } }" }).to_string(),
    );
    let err = Manifest::load(&path).unwrap_err();
    assert!(format!("{err:#}").contains("not the SHA-256 of its document"), "{err:#}");
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn apq_miss_is_persisted_query_not_found() {
    let fx = Fixture::new().await;
    let ops = fx.layer(Some(manifest()), Duration::from_secs(60), true);
    let mut request = by_hash(APQ_DOC);
    assert_not_found(&ops.resolve(&mut request).await.unwrap_err());
    assert!(request.query.is_none());
    fx.finish().await;
}

#[tokio::test]
async fn register_then_hash_only_hits() {
    let fx = Fixture::new().await;
    let ops = fx.layer(Some(manifest()), Duration::from_secs(60), true);
    // The Apollo client's dance: hash only -> not found -> hash + document -> hash only.
    assert_not_found(&ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap_err());
    let mut register = with_document(APQ_DOC);
    let resolution = ops.resolve(&mut register).await.unwrap();
    assert_eq!(
        resolution,
        Resolution {
            persisted: false,
            hash: Some(sha(APQ_DOC))
        }
    );
    assert_eq!(register.query.as_deref(), Some(APQ_DOC));
    assert_eq!(fx.keys().await, vec![format!("{}{}", fx.prefix, sha(APQ_DOC))]);

    // Another gateway instance sharing the Redis sees it too.
    let other = fx.layer(None, Duration::from_secs(60), true);
    for layer in [&ops, &other] {
        let mut request = by_hash(APQ_DOC);
        let resolution = layer.resolve(&mut request).await.unwrap();
        assert!(!resolution.persisted, "an APQ-registered document is never trusted");
        assert_eq!(resolution.hash, Some(sha(APQ_DOC)));
        assert_eq!(request.query.as_deref(), Some(APQ_DOC));
    }
    fx.finish().await;
}

#[tokio::test]
async fn sha_mismatch_is_refused_and_nothing_is_stored() {
    let fx = Fixture::new().await;
    let ops = fx.layer(None, Duration::from_secs(60), true);
    let mut request = GraphqlRequest {
        query: Some("query Evil { employees { edges { node { salary { amount } } } } }".into()),
        extensions: apq_ext(&sha(APQ_DOC)),
        ..GraphqlRequest::default()
    };
    let err = ops.resolve(&mut request).await.unwrap_err();
    assert_eq!(err.error.code().as_str(), "BAD_USER_INPUT");
    assert_eq!(err.error.message(), "provided sha does not match query");
    assert!(fx.keys().await.is_empty());
    // The victim hash stays unknown.
    assert_not_found(&ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap_err());
    fx.finish().await;
}

#[tokio::test]
async fn unsupported_version_is_bad_user_input() {
    let fx = Fixture::new().await;
    let ops = fx.layer(None, Duration::from_secs(60), true);
    let mut request = GraphqlRequest {
        query: Some(APQ_DOC.into()),
        extensions: Some(json!({ "persistedQuery": { "version": 2, "sha256Hash": sha(APQ_DOC) } })),
        ..GraphqlRequest::default()
    };
    let err = ops.resolve(&mut request).await.unwrap_err();
    assert_eq!(err.error.code().as_str(), "BAD_USER_INPUT");
    assert!(fx.keys().await.is_empty());
    fx.finish().await;
}

#[tokio::test]
async fn registered_documents_expire_after_the_ttl() {
    let fx = Fixture::new().await;
    let ops = fx.layer(None, Duration::from_secs(1), true);
    ops.resolve(&mut with_document(APQ_DOC)).await.unwrap();
    let pttl = fx.pttl(&sha(APQ_DOC)).await;
    assert!(pttl > 0 && pttl <= 1000, "PTTL {pttl}");
    ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap();

    tokio::time::sleep(Duration::from_millis(1100)).await;
    // Redis expires keys on access; allow it a moment beyond the TTL.
    let mut expired = false;
    for _ in 0..40 {
        if ops.resolve(&mut by_hash(APQ_DOC)).await.is_err() {
            expired = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(expired, "the registered document outlived its TTL");
    assert_not_found(&ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap_err());
    fx.finish().await;
}

#[tokio::test]
async fn registration_can_be_switched_off() {
    let fx = Fixture::new().await;
    let ops = fx.layer(None, Duration::from_secs(60), false);
    // The full document still runs; it is just not stored.
    let mut request = with_document(APQ_DOC);
    assert!(!ops.resolve(&mut request).await.unwrap().persisted);
    assert_eq!(request.query.as_deref(), Some(APQ_DOC));
    assert!(fx.keys().await.is_empty());
    assert_not_found(&ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap_err());
    fx.finish().await;
}

#[tokio::test]
async fn cookie_persisted_only_admits_manifest_documents_only() {
    let fx = Fixture::new().await;
    let ops = fx.layer(Some(manifest()), Duration::from_secs(60), true);
    ops.resolve(&mut with_document(APQ_DOC)).await.unwrap();

    let manifest_hit = ops.resolve(&mut by_hash(MANIFEST_DOC)).await.unwrap();
    let apq_hit = ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap();
    let manifest_full = ops.resolve(&mut with_document(MANIFEST_DOC)).await.unwrap();
    let mut plain = GraphqlRequest {
        query: Some(APQ_DOC.into()),
        ..GraphqlRequest::default()
    };
    let ad_hoc = ops.resolve(&mut plain).await.unwrap();

    // Browser sessions with the switch on: manifest documents only.
    assert!(ops.allows(&manifest_hit, true, true).is_ok());
    assert!(ops.allows(&manifest_full, true, true).is_ok());
    for refused in [&apq_hit, &ad_hoc] {
        let err = ops.allows(refused, true, true).unwrap_err();
        assert_eq!(err.error.code().as_str(), "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(err.error.message(), PERSISTED_ONLY_MESSAGE);
    }
    // Bearer callers are unaffected; the switch off restricts nobody.
    for resolution in [&manifest_hit, &apq_hit, &ad_hoc] {
        assert!(ops.allows(resolution, false, true).is_ok());
        assert!(ops.allows(resolution, true, false).is_ok());
    }
    fx.finish().await;
}

#[tokio::test]
async fn redis_unreachable_at_start_leaves_the_manifest_working() {
    // Nothing listens on port 1: no connection manager can be built, so the gateway runs the
    // layer without Redis.
    let err = tokio::time::timeout(Duration::from_secs(10), connect("redis://127.0.0.1:1"))
        .await
        .expect("connecting gives up")
        .err()
        .expect("nothing listens on 127.0.0.1:1");
    assert!(err.is_io_error() || err.is_connection_refusal() || err.is_timeout(), "{err}");

    let ops = PersistedOperations::new(Some(manifest()), None, "unused:".into(), Duration::from_secs(60), true);
    let mut request = by_hash(MANIFEST_DOC);
    assert!(ops.resolve(&mut request).await.unwrap().persisted);
    assert_eq!(request.query.as_deref(), Some(MANIFEST_DOC));
    assert_not_found(&ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap_err());
    // Registration without Redis: the document runs, nothing is stored, and a hash-only retry misses.
    assert!(!ops.resolve(&mut with_document(APQ_DOC)).await.unwrap().persisted);
    assert_not_found(&ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap_err());
}

/// A TCP proxy in front of Redis that can be pulled, to take Redis away from a running gateway.
struct Proxy {
    url: String,
    accept: JoinHandle<()>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("redis://{}", listener.local_addr().unwrap());
        let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let tracked = connections.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tracked.lock().unwrap().push(task);
            }
        });
        Self { url, accept, connections }
    }

    /// Closes the listening port and every proxied connection.
    fn pull(&self) {
        self.accept.abort();
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

#[tokio::test]
async fn redis_going_down_fails_open() {
    let fx = Fixture::new().await;
    let target = redis_url().trim_start_matches("redis://").trim_end_matches('/').to_owned();
    let proxy = Proxy::start(target).await;
    let through_proxy = connect(&proxy.url).await.unwrap();
    let ops = PersistedOperations::new(
        Some(manifest()),
        Some(through_proxy),
        fx.prefix.clone(),
        Duration::from_secs(60),
        true,
    )
    .with_redis_timeout(Duration::from_millis(200));

    ops.resolve(&mut with_document(APQ_DOC)).await.unwrap();
    assert_eq!(ops.resolve(&mut by_hash(APQ_DOC)).await.unwrap().hash, Some(sha(APQ_DOC)));

    proxy.pull();
    // Let the Redis connection notice the closed socket.
    tokio::time::sleep(Duration::from_millis(100)).await;

    let guard = Duration::from_secs(10);
    for _ in 0..3 {
        // Manifest documents keep working.
        let mut request = by_hash(MANIFEST_DOC);
        let resolution = tokio::time::timeout(guard, ops.resolve(&mut request)).await.unwrap().unwrap();
        assert!(resolution.persisted);
        assert_eq!(request.query.as_deref(), Some(MANIFEST_DOC));
        // The registered document is out of reach: not found, so the client resends it in full.
        let err = tokio::time::timeout(guard, ops.resolve(&mut by_hash(APQ_DOC)))
            .await
            .unwrap()
            .unwrap_err();
        assert_not_found(&err);
        // ... and the full document runs even though it cannot be stored.
        let mut full = with_document(APQ_DOC);
        let resolution = tokio::time::timeout(guard, ops.resolve(&mut full)).await.unwrap().unwrap();
        assert!(!resolution.persisted);
        assert_eq!(full.query.as_deref(), Some(APQ_DOC));
    }
    fx.finish().await;
}
