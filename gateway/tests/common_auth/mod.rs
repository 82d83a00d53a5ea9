//! Harness of the auth tests: the real HR subgraph in-process (its own database, trusting the
//! gateway key), reached through a proxy that counts calls; an [`AuthService`] over the real Redis
//! with a random key prefix (its keys are deleted on drop); its `/auth/*` routes plus `/probe`
//! (which runs `authenticate`) served on 127.0.0.1:0; a small HTTP client.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gateway::auth::{AuthService, AuthSettings, AuthVia};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use platform::auth::{DEFAULT_ISSUER, KeyPair};
use platform::config::Mode;
use platform::testing::TestServer;
use serde_json::{Value, json};

pub use platform::testing::code;

/// The demo password.
pub const PASSWORD: &str = platform::demo::DEMO_PASSWORD;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// The Redis the tests use (`TEST_REDIS_URL`, default `redis://127.0.0.1:6379`).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A random key prefix for one test.
pub fn random_prefix() -> String {
    format!("sgtest:auth:{}:", uuid::Uuid::new_v4().simple())
}

/// Deletes every key under `prefix`.
pub fn delete_keys(prefix: &str) {
    let Ok(client) = redis::Client::open(redis_url()) else { return };
    let Ok(mut conn) = client.get_connection() else { return };
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query(&mut conn).unwrap_or_default();
    if !keys.is_empty() {
        let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(&keys).query(&mut conn);
    }
}

/// The keys under `prefix` (without it).
pub fn keys_under(prefix: &str) -> Vec<String> {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query(&mut conn).unwrap();
    keys.into_iter().map(|k| k[prefix.len()..].to_owned()).collect()
}

/// `PTTL` of a key.
pub fn pttl(key: &str) -> i64 {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    redis::cmd("PTTL").arg(key).query(&mut conn).unwrap()
}

/// Deletes its prefix's keys when dropped.
pub struct RedisKeys(pub String);

impl Drop for RedisKeys {
    fn drop(&mut self) {
        delete_keys(&self.0);
    }
}

/// Starts HR with the demo data, trusting `keys`.
pub async fn start_hr(keys: &KeyPair) -> TestServer {
    hr::test_support::start(keys.clone(), 8).await.expect("start HR")
}

/// A TCP forwarder that can be cut (to make Redis "go down" for one service).
pub struct Cuttable {
    pub addr: SocketAddr,
    tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Cuttable {
    /// Forwards 127.0.0.1:<port> to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let inner = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                inner.lock().unwrap().push(conn.abort_handle());
            }
        });
        tasks.lock().unwrap().push(accept.abort_handle());
        Self { addr, tasks }
    }

    /// Closes the listener and every forwarded connection.
    pub fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

/// How to start an [`AuthApp`].
pub struct Options {
    pub mode: Mode,
    pub configure: Box<dyn FnOnce(&mut AuthSettings) + Send>,
    /// Reach Redis through a [`Cuttable`].
    pub cuttable_redis: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mode: Mode::Development,
            configure: Box::new(|_| {}),
            cuttable_redis: false,
        }
    }
}

/// The auth routes over real HR and Redis.
pub struct AuthApp {
    pub hr: TestServer,
    pub keys: KeyPair,
    pub svc: Arc<AuthService>,
    pub addr: SocketAddr,
    pub prefix: String,
    /// Calls that reached HR's internal auth routes.
    pub hr_calls: Arc<AtomicUsize>,
    pub redis_cut: Option<Cuttable>,
    client: HttpClient,
    _keys_guard: RedisKeys,
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.text))
    }

    pub fn code(&self) -> String {
        code(&self.json()).to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Set-Cookie` headers.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

/// A logged-in browser: its `Cookie` header and CSRF token.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
    pub login: Value,
}

#[derive(Clone)]
struct HrProxy {
    target: SocketAddr,
    calls: Arc<AtomicUsize>,
    client: HttpClient,
}

async fn forward(State(proxy): State<HrProxy>, request: Request) -> Response {
    proxy.calls.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = request.into_parts();
    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let mut outbound = hyper::Request::builder()
        .method(parts.method)
        .uri(format!("http://{}{}", proxy.target, parts.uri.path()));
    for (name, value) in &parts.headers {
        if name != "host" {
            outbound = outbound.header(name, value);
        }
    }
    let answer = proxy.client.request(outbound.body(Full::new(bytes)).unwrap()).await.unwrap();
    let (parts, body) = answer.into_parts();
    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    Response::from_parts(parts, Body::from(bytes))
}

async fn probe(
    State(svc): State<Arc<AuthService>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    match svc.authenticate(&headers, &method, Some(peer.ip())).await {
        Ok(None) => Json(json!({ "anonymous": true })).into_response(),
        Ok(Some(a)) => Json(json!({
            "via": match a.via { AuthVia::Cookie => "cookie", AuthVia::BearerJwt => "jwt", AuthVia::ApiToken => "api-token" },
            "userId": a.principal.user_id,
            "tenantId": a.principal.tenant_id,
            "employeeId": a.principal.employee_id,
            "roles": a.principal.roles,
            "scopes": a.principal.scopes,
        }))
        .into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

impl AuthApp {
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Self {
        let keys = KeyPair::generate();
        let hr = start_hr(&keys).await;
        let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();

        let hr_calls = Arc::new(AtomicUsize::new(0));
        let proxy = Router::new().fallback(any(forward)).with_state(HrProxy {
            target: hr.addr,
            calls: hr_calls.clone(),
            client: client.clone(),
        });
        let proxy_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_addr = proxy_listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(proxy_listener, proxy).await;
        });

        let prefix = random_prefix();
        let mut settings = AuthSettings::defaults(options.mode);
        settings.redis_prefix = prefix.clone();
        (options.configure)(&mut settings);
        let redis_cut = if options.cuttable_redis {
            Some(Cuttable::start("127.0.0.1:6379".parse().unwrap()).await)
        } else {
            None
        };
        let url = match &redis_cut {
            Some(c) => format!("redis://{}", c.addr),
            None => redis_url(),
        };
        let redis = gateway::auth::connect_redis(&url).await.expect("Redis");
        let svc = Arc::new(AuthService::new(settings, redis, format!("http://{proxy_addr}"), &keys, DEFAULT_ISSUER).expect("auth service"));

        let app = svc
            .clone()
            .routes()
            .merge(Router::new().route("/probe", any(probe)).with_state(svc.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        Self {
            hr,
            keys,
            svc,
            addr,
            _keys_guard: RedisKeys(prefix.clone()),
            prefix,
            hr_calls,
            redis_cut,
            client,
        }
    }

    /// Calls that reached HR's internal routes so far.
    pub fn hr_calls(&self) -> usize {
        self.hr_calls.load(Ordering::SeqCst)
    }

    /// Sends a request to the gateway's routes.
    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Answer {
        let mut request = hyper::Request::builder().method(method).uri(format!("http://{}{path}", self.addr));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = self.client.request(request.body(Full::new(body.into())).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        Answer {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// POSTs JSON.
    pub async fn post_json(&self, path: &str, headers: &[(&str, &str)], body: Value) -> Answer {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.send("POST", path, &all, body.to_string()).await
    }

    /// `POST /auth/login`.
    pub async fn login_attempt(&self, email: &str, password: &str) -> Answer {
        self.post_json("/auth/login", &[], json!({ "email": email, "password": password }))
            .await
    }

    /// Logs in with the demo password; panics unless it works.
    pub async fn login(&self, email: &str) -> Browser {
        let answer = self.login_attempt(email, PASSWORD).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let set_cookie = answer.set_cookies().into_iter().next().expect("Set-Cookie");
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let login = answer.json();
        Browser {
            cookie,
            csrf: login["csrfToken"].as_str().unwrap().to_owned(),
            login,
        }
    }

    /// `/probe` with a bearer token.
    pub async fn probe_bearer(&self, method: &str, token: &str) -> Answer {
        let auth = format!("Bearer {token}");
        self.send(method, "/probe", &[("authorization", &auth)], "").await
    }

    /// `POST /auth/token`.
    pub async fn token(&self, body: Value) -> Answer {
        self.post_json("/auth/token", &[], body).await
    }

    /// Creates an API token in HR for a demo user: (secret, id).
    pub async fn create_api_token(&self, email: &str, scopes: &[&str]) -> (String, String) {
        let data = self
            .hr
            .ok(
                &self.hr.token(email),
                "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }",
                json!({ "i": { "name": "pipeline", "scopes": scopes } }),
            )
            .await;
        (
            data["createApiToken"]["token"].as_str().unwrap().to_owned(),
            data["createApiToken"]["apiToken"]["id"].as_str().unwrap().to_owned(),
        )
    }

    /// Revokes it in HR.
    pub async fn revoke_api_token(&self, email: &str, id: &str) {
        self.hr
            .ok(
                &self.hr.token(email),
                "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }",
                json!({ "id": id }),
            )
            .await;
    }
}

/// The (unverified) header and claims of a JWT.
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut decode = || serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap();
    let header = decode();
    let claims = decode();
    (header, claims)
}

/// A demo user's (user id, tenant id, employee id).
pub fn demo(email: &str) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let u = platform::demo::user(email).unwrap();
    (u.user_id(), platform::demo::tenant_id(u.tenant), u.employee_id())
}
