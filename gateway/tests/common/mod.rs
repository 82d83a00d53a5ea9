//! Test harness: the three real subgraphs in-process (each over its own fresh database with the
//! demo studio), all trusting one key pair, and the gateway in front of them on an ephemeral port.
#![allow(dead_code, unused_imports, missing_docs, clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use platform::auth::{KeyPair, TokenRequest};
use platform::testing::{TemplateSpec, TestDatabase, TestServer};
use serde_json::{Value, json};

pub use platform::demo::{demo_id, employee_id, tenant_id};
pub use platform::testing::code;

pub mod events;

pub const ISSUER: &str = platform::auth::DEFAULT_ISSUER;

pub async fn start_hr(keys: &KeyPair) -> TestServer {
    hr::test_support::start(keys.clone(), 8).await.expect("start hr")
}

pub async fn start_production(keys: &KeyPair) -> TestServer {
    production::test_support::start(keys.clone(), 8).await.expect("start production")
}

pub async fn start_render(keys: &KeyPair) -> TestServer {
    render::test_support::start(keys.clone(), 8, Duration::from_secs(30))
        .await
        .expect("start render")
}

pub fn supergraph_sdl() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/supergraph.graphql")).unwrap()
}

/// A gateway over `urls` on an ephemeral port, with its Redis keys under `redis_prefix`.
async fn spawn_gateway(
    config: &gateway::config::GatewayConfig,
    keys: &KeyPair,
    sdl: &str,
    urls: &HashMap<String, String>,
    rate: gateway::ratelimit::RateLimitSettings,
    redis_prefix: &str,
    hr_url: &str,
) -> (Arc<gateway::app::Gateway>, SocketAddr) {
    let supergraph = Arc::new(gateway::planning::Supergraph::load(sdl, urls).unwrap());
    let redis = gateway::auth::connect_redis(REDIS_URL).await.unwrap();
    let mut settings = gateway::auth::AuthSettings::defaults(platform::config::Mode::Development);
    settings.redis_prefix = redis_prefix.to_owned();
    let service = gateway::auth::AuthService::new(settings, redis.clone(), hr_url.to_owned(), keys, ISSUER).unwrap();
    let layers = gateway::Layers {
        auth: Arc::new(service),
        rate_limiter: Some(gateway::ratelimit::RateLimiter::new(redis.clone(), redis_prefix.to_owned()).with_settings(rate)),
        persisted: gateway::persisted::PersistedOperations::new(
            None,
            Some(redis),
            format!("{redis_prefix}apq:"),
            Duration::from_secs(60),
            true,
        ),
    };
    let gw = gateway::build_with(supergraph, config, layers).unwrap();
    let app = gateway::router(gw.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    (gw, addr)
}

/// The gateway and the three subgraphs.
pub struct Stack {
    pub hr: TestServer,
    pub production: TestServer,
    pub render: TestServer,
    pub gateway: Arc<gateway::app::Gateway>,
    pub addr: SocketAddr,
    pub keys: KeyPair,
    client: Client<HttpConnector, Full<Bytes>>,
    /// This stack's Redis keys (sessions, rate limits, APQ), deleted on drop.
    pub redis_prefix: String,
    /// The subgraphs' relays and consumers, when started with [`Stack::start_with_events`].
    pub events: Option<events::StackEvents>,
}

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

impl Drop for Stack {
    fn drop(&mut self) {
        let Ok(mut conn) = redis::Client::open(REDIS_URL).and_then(|c| c.get_connection()) else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.redis_prefix))
            .query(&mut conn)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    }
}

pub fn test_config() -> gateway::config::GatewayConfig {
    gateway::config::GatewayConfig::from_env(None).unwrap()
}

impl Stack {
    pub async fn start() -> Self {
        Self::start_with(test_config(), |_| {}).await
    }

    /// Starts the stack; `adjust` may change the subgraph URLs (e.g. point one at a dead port).
    pub async fn start_with(config: gateway::config::GatewayConfig, adjust: impl FnOnce(&mut HashMap<String, String>)) -> Self {
        Self::start_custom(config, KeyPair::generate(), &supergraph_sdl(), adjust).await
    }

    /// Starts the stack over a given supergraph and key pair.
    pub async fn start_custom(
        config: gateway::config::GatewayConfig,
        keys: KeyPair,
        sdl: &str,
        adjust: impl FnOnce(&mut HashMap<String, String>),
    ) -> Self {
        Self::start_full(config, keys, sdl, adjust, gateway::ratelimit::RateLimitSettings::default()).await
    }

    /// Starts the stack with every subgraph's relay and consumers running on broker names of
    /// this stack's own.
    pub async fn start_with_events() -> Self {
        let mut stack = Self::start().await;
        stack.events = Some(events::StackEvents::start(
            events::test_events_config(),
            &stack.hr,
            &stack.production,
            &stack.render,
        ));
        stack
    }

    /// Another gateway replica over this stack's subgraphs (`adjust` may point one elsewhere,
    /// e.g. at a second replica of a subgraph); returns where it listens.
    pub async fn another_gateway(&self, adjust: impl FnOnce(&mut HashMap<String, String>)) -> SocketAddr {
        let mut urls = HashMap::new();
        urls.insert("hr".to_owned(), format!("http://{}/graphql", self.hr.addr));
        urls.insert("production".to_owned(), format!("http://{}/graphql", self.production.addr));
        urls.insert("render".to_owned(), format!("http://{}/graphql", self.render.addr));
        adjust(&mut urls);
        let hr_url = format!("http://{}", self.hr.addr);
        let rate = gateway::ratelimit::RateLimitSettings::default();
        spawn_gateway(
            &test_config(),
            &self.keys,
            &supergraph_sdl(),
            &urls,
            rate,
            &self.redis_prefix,
            &hr_url,
        )
        .await
        .1
    }

    /// This stack's running events (panics when started without them).
    pub fn events(&self) -> &events::StackEvents {
        self.events.as_ref().expect("the stack was started with events")
    }

    /// Starts the stack with given rate limits.
    pub async fn start_limited(rate: gateway::ratelimit::RateLimitSettings) -> Self {
        Self::start_full(test_config(), KeyPair::generate(), &supergraph_sdl(), |_| {}, rate).await
    }

    async fn start_full(
        config: gateway::config::GatewayConfig,
        keys: KeyPair,
        sdl: &str,
        adjust: impl FnOnce(&mut HashMap<String, String>),
        rate: gateway::ratelimit::RateLimitSettings,
    ) -> Self {
        let (hr, production, render) = tokio::join!(start_hr(&keys), start_production(&keys), start_render(&keys));
        let mut urls = HashMap::new();
        urls.insert("hr".to_owned(), format!("http://{}/graphql", hr.addr));
        urls.insert("production".to_owned(), format!("http://{}/graphql", production.addr));
        urls.insert("render".to_owned(), format!("http://{}/graphql", render.addr));
        adjust(&mut urls);
        let redis_prefix = format!("studiograph-test:{}:", uuid::Uuid::new_v4());
        let (gw, addr) = spawn_gateway(&config, &keys, sdl, &urls, rate, &redis_prefix, &format!("http://{}", hr.addr)).await;
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        Self {
            hr,
            production,
            render,
            gateway: gw,
            addr,
            keys,
            client,
            redis_prefix,
            events: None,
        }
    }

    /// A client access token (audience `studiograph`) for a demo user.
    pub fn token(&self, email: &str) -> String {
        let u = platform::demo::user(email).unwrap();
        self.keys
            .signer(ISSUER)
            .sign(&TokenRequest {
                subject: u.user_id().to_string(),
                tenant_id: tenant_id(u.tenant),
                employee_id: Some(u.employee_id()),
                roles: u.roles.to_vec(),
                scopes: vec!["*".into()],
                audience: gateway::app::PUBLIC_AUDIENCE.into(),
                ttl_seconds: 300,
            })
            .unwrap()
    }

    /// A raw HTTP exchange with the gateway.
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, hyper::HeaderMap, Vec<u8>) {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("http://{}{}", self.addr, path_and_query));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = self.client.request(req.body(Full::new(Bytes::from(body))).unwrap()).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, headers, bytes)
    }

    /// POST /graphql as `email` (or anonymously) with `Accept: application/graphql-response+json`.
    pub async fn post(&self, email: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let token = email.map(|e| format!("Bearer {}", self.token(e)));
        let mut headers = vec![
            ("content-type", "application/json"),
            ("accept", "application/graphql-response+json"),
        ];
        if let Some(t) = &token {
            headers.push(("authorization", t.as_str()));
        }
        let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap();
        let (status, _, bytes) = self.raw("POST", "/graphql", &headers, body).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) })),
        )
    }

    /// POST /graphql with a raw bearer token.
    pub async fn post_with_token(&self, token: &str, query: &str) -> (u16, Value) {
        let bearer = format!("Bearer {token}");
        let headers = [
            ("content-type", "application/json"),
            ("accept", "application/graphql-response+json"),
            ("authorization", bearer.as_str()),
        ];
        let body = serde_json::to_vec(&json!({ "query": query })).unwrap();
        let (status, _, bytes) = self.raw("POST", "/graphql", &headers, body).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) })),
        )
    }

    /// A query that must succeed without errors; returns `data`.
    pub async fn ok(&self, email: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(Some(email), query, variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Subgraph requests so far, by subgraph.
    pub fn subgraph_requests(&self) -> BTreeMap<String, u64> {
        self.gateway.metrics.subgraph_request_counts()
    }
}
