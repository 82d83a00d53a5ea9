//! Test harness: a fresh database per test (cloned from a migrated template), seeded with the
//! demo data, and the HR service on an ephemeral port.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use platform::Db;
use platform::auth::{DEFAULT_ISSUER, JwtSigner, KeyPair, Role, TokenRequest};
use platform::config::{DatabaseConfig, HttpConfig, Mode};
use platform::testing::{TemplateSpec, TestDatabase};
use serde_json::{Value, json};
use uuid::Uuid;

pub use hr::seed::{demo_id, tenant_id};

pub struct TestApp {
    pub database: TestDatabase,
    pub db: Db,
    pub addr: SocketAddr,
    pub signer: JwtSigner,
    client: Client<HttpConnector, Full<Bytes>>,
}

pub fn spec() -> TemplateSpec {
    TemplateSpec {
        prefix: "studiograph_hr",
        app_role: hr::APP_ROLE,
        migrations: &hr::MIGRATIONS,
        migrations_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/hr"),
    }
}

/// A demo user's principal data: (user id, tenant, employee, roles).
pub fn demo_user(email: &str) -> (Uuid, Uuid, Uuid, Vec<Role>) {
    let u = platform::demo::user(email).expect("demo user");
    (u.user_id(), tenant_id(u.tenant), u.employee_id(), u.roles.to_vec())
}

pub fn employee_id(tenant: &str, local: &str) -> Uuid {
    demo_id("employee", &format!("{tenant}/{local}"))
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(8).await
    }

    pub async fn spawn_with(max_connections: usize) -> Self {
        let database = TestDatabase::create(&spec()).await.expect("test database");
        let mut cfg = DatabaseConfig::for_url(&database.app_url, "hr-test");
        cfg.max_connections = max_connections;
        let db = Db::connect(&cfg).expect("pool");
        hr::seed::run(&db).await.expect("seed");
        let keys = KeyPair::generate();
        let state = hr::AppState {
            db: db.clone(),
            verifier: Arc::new(keys.verifier(DEFAULT_ISSUER, hr::SUBGRAPH)),
            http: HttpConfig::default(),
            mode: Mode::Development,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, hr::router(state)).await.unwrap() });
        let client = Client::builder(TokioExecutor::new()).build_http();
        Self {
            database,
            db,
            addr,
            signer: keys.signer(DEFAULT_ISSUER),
            client,
        }
    }

    /// An internal token for a demo user (all scopes).
    pub fn token(&self, email: &str) -> String {
        self.token_with_scopes(email, &["*"])
    }

    pub fn token_with_scopes(&self, email: &str, scopes: &[&str]) -> String {
        let (user, tenant, employee, roles) = demo_user(email);
        self.forge(user, tenant, Some(employee), roles, scopes)
    }

    pub fn forge(&self, user: Uuid, tenant: Uuid, employee: Option<Uuid>, roles: Vec<Role>, scopes: &[&str]) -> String {
        self.signer
            .sign(&TokenRequest {
                subject: user.to_string(),
                tenant_id: tenant,
                employee_id: employee,
                roles,
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                audience: hr::SUBGRAPH.into(),
                ttl_seconds: 300,
            })
            .unwrap()
    }

    /// A service token for the internal routes.
    pub fn service_token(&self, scopes: &[&str]) -> String {
        self.signer
            .sign(&TokenRequest {
                subject: "service:gateway".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                audience: hr::SUBGRAPH.into(),
                ttl_seconds: 60,
                ..Default::default()
            })
            .unwrap()
    }

    /// Sends a raw request; returns (status, body text).
    pub async fn raw(&self, method: &str, path_and_query: &str, headers: &[(&str, &str)], body: impl Into<Bytes>) -> (u16, String) {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("http://{}{}", self.addr, path_and_query));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = self
            .client
            .request(req.body(Full::new(body.into())).unwrap())
            .await
            .expect("request");
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// POSTs a GraphQL operation as `token`; returns (status, JSON body).
    pub async fn gql_status(&self, token: &str, query: &str, variables: Value) -> (u16, Value) {
        let body = serde_json::to_vec(&json!({"query": query, "variables": variables})).unwrap();
        let auth = format!("Bearer {token}");
        let (status, text) = self
            .raw(
                "POST",
                "/graphql",
                &[("content-type", "application/json"), ("authorization", &auth)],
                body,
            )
            .await;
        (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")))
    }

    /// POSTs and expects HTTP 200.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.gql_status(token, query, variables).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// POSTs and expects no errors; returns `data`.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Outbox routing keys, in order, as the owner sees them (every tenant).
    pub async fn outbox_keys(&self) -> Vec<String> {
        use diesel_async::RunQueryDsl;
        let mut c = self.database.owner_connection().await.unwrap();
        #[derive(diesel::QueryableByName)]
        struct K {
            #[diesel(sql_type = diesel::sql_types::Text)]
            routing_key: String,
        }
        diesel::sql_query("SELECT routing_key FROM outbox ORDER BY seq")
            .load::<K>(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.routing_key)
            .collect()
    }
}

/// The first error's `extensions.code`.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}
