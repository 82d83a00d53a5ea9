//! Test support: every test gets its own database, cloned from a template that is migrated once
//! per migration set, and dropped when the test ends. Tests therefore run in parallel.
//!
//! `TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432`) is the superuser server URL
//! without a database; `KEEP_TEST_DB=1` keeps databases for post-mortems.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::EmbeddedMigrations;
use sha2::{Digest, Sha256};

/// Which database family to clone.
#[derive(Clone)]
pub struct TemplateSpec {
    /// Database name prefix, e.g. `studiograph_hr`.
    pub prefix: &'static str,
    /// The application role the service connects as (created by the migrations).
    pub app_role: &'static str,
    /// The embedded migrations.
    pub migrations: &'static EmbeddedMigrations,
    /// The migrations folder on disk (its content hash names the template).
    pub migrations_dir: PathBuf,
}

/// A per-test database, dropped on `Drop`.
pub struct TestDatabase {
    /// Database name.
    pub name: String,
    /// URL as the owner (superuser).
    pub owner_url: String,
    /// URL as the application role (row-level security applies).
    pub app_url: String,
    server_url: String,
}

#[derive(diesel::QueryableByName)]
struct DbName {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    datname: String,
}

/// The superuser server URL, without a database.
pub fn server_url() -> String {
    std::env::var("TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

fn hash_dir(dir: &Path) -> anyhow::Result<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.strip_prefix(dir).unwrap_or(&f).to_string_lossy().as_bytes());
        h.update(std::fs::read(&f)?);
    }
    Ok(hex::encode(&h.finalize()[..6]))
}

async fn exists(conn: &mut AsyncPgConnection, name: &str) -> anyhow::Result<bool> {
    let rows: Vec<DbName> = diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(name)
        .load(conn)
        .await?;
    Ok(!rows.is_empty())
}

impl TestDatabase {
    /// Creates a fresh database from the (lazily built) template of `spec`.
    pub async fn create(spec: &TemplateSpec) -> anyhow::Result<Self> {
        Self::create_on(&server_url(), spec).await
    }

    /// Like [`TestDatabase::create`], on the PostgreSQL server at `server` (a superuser URL without
    /// a database, e.g. a private server a fault test restarts).
    pub async fn create_on(server: &str, spec: &TemplateSpec) -> anyhow::Result<Self> {
        let server = server.to_owned();
        let template = format!("{}_tmpl_{}", spec.prefix, hash_dir(&spec.migrations_dir)?);
        let mut admin = AsyncPgConnection::establish(&format!("{server}/postgres"))
            .await
            .context("connecting to PostgreSQL as superuser")?;
        if !exists(&mut admin, &template).await? {
            diesel::sql_query("SELECT pg_advisory_lock(hashtext($1))")
                .bind::<Text, _>(&template)
                .execute(&mut admin)
                .await?;
            if !exists(&mut admin, &template).await? {
                let building = format!("{template}_build_{}", std::process::id());
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"))
                    .await?;
                admin.batch_execute(&format!("CREATE DATABASE \"{building}\"")).await?;
                crate::db::migrate(&format!("{server}/{building}"), spec.migrations)
                    .await
                    .context("migrating the template")?;
                admin
                    .batch_execute(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\""))
                    .await?;
                drop_stale_templates(&mut admin, spec.prefix, &template).await;
            }
            diesel::sql_query("SELECT pg_advisory_unlock(hashtext($1))")
                .bind::<Text, _>(&template)
                .execute(&mut admin)
                .await?;
        }
        let name = format!("{}_test_{}", spec.prefix, &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let mut attempt = 0;
        loop {
            match admin
                .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""))
                .await
            {
                Ok(()) => break,
                // Another backend may still be leaving the template; retry briefly.
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    tracing::debug!(error = %e, "Retrying database clone");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e).context("cloning the template database"),
            }
        }
        let host = server
            .split_once('@')
            .map(|(_, h)| h.to_owned())
            .unwrap_or_else(|| "127.0.0.1:5432".to_owned());
        Ok(Self {
            owner_url: format!("{server}/{name}"),
            app_url: format!("postgres://{}@{host}/{name}", spec.app_role),
            server_url: server,
            name,
        })
    }

    /// This database's URL for another login role (e.g. a scheduler role with BYPASSRLS).
    pub fn url_for_role(&self, role: &str) -> String {
        let host = self
            .server_url
            .split_once('@')
            .map(|(_, h)| h.to_owned())
            .unwrap_or_else(|| "127.0.0.1:5432".to_owned());
        format!("postgres://{role}@{host}/{}", self.name)
    }

    /// A superuser connection to this database (for assertions that must see every tenant).
    pub async fn owner_connection(&self) -> anyhow::Result<AsyncPgConnection> {
        Ok(AsyncPgConnection::establish(&self.owner_url).await?)
    }
}

async fn drop_stale_templates(admin: &mut AsyncPgConnection, prefix: &str, current: &str) {
    let pattern = format!("{prefix}_tmpl_%");
    let Ok(rows) = diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2")
        .bind::<Text, _>(pattern)
        .bind::<Text, _>(current)
        .load::<DbName>(admin)
        .await
    else {
        return;
    };
    for row in rows {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\"", row.datname)).await;
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if std::env::var("KEEP_TEST_DB").is_ok_and(|v| v == "1") {
            eprintln!("keeping test database {}", self.name);
            return;
        }
        let server = self.server_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime: use a thread with its own runtime.
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut admin) = AsyncPgConnection::establish(&format!("{server}/postgres")).await {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// A subgraph served on an ephemeral port over a fresh database, with a signing key for its
/// internal tokens and an HTTP client.
pub struct TestServer {
    /// The per-test database.
    pub database: TestDatabase,
    /// The application-role pool the service uses (its statement counter is observable).
    pub db: crate::Db,
    /// Where the service listens.
    pub addr: std::net::SocketAddr,
    /// Signs tokens the service accepts.
    pub signer: crate::auth::JwtSigner,
    audience: &'static str,
    client: hyper_util::client::legacy::Client<hyper_util::client::legacy::connect::HttpConnector, http_body_util::Full<axum::body::Bytes>>,
}

impl TestServer {
    /// Creates the database, seeds it through `seed`, and serves `router(db, verifier)`.
    pub async fn start<S, R>(
        spec: &TemplateSpec,
        audience: &'static str,
        max_connections: usize,
        seed: S,
        router: R,
    ) -> anyhow::Result<Self>
    where
        S: AsyncFnOnce(&crate::Db, &TestDatabase) -> anyhow::Result<()>,
        R: FnOnce(crate::Db, std::sync::Arc<crate::auth::JwtVerifier>, &TestDatabase) -> axum::Router,
    {
        Self::start_with_keys(spec, audience, max_connections, crate::auth::KeyPair::generate(), seed, router).await
    }

    /// Like [`TestServer::start`], with a given key pair (a gateway test shares one key with all
    /// subgraphs).
    pub async fn start_with_keys<S, R>(
        spec: &TemplateSpec,
        audience: &'static str,
        max_connections: usize,
        keys: crate::auth::KeyPair,
        seed: S,
        router: R,
    ) -> anyhow::Result<Self>
    where
        S: AsyncFnOnce(&crate::Db, &TestDatabase) -> anyhow::Result<()>,
        R: FnOnce(crate::Db, std::sync::Arc<crate::auth::JwtVerifier>, &TestDatabase) -> axum::Router,
    {
        let database = TestDatabase::create(spec).await?;
        Self::serve(database, audience, max_connections, keys, seed, router).await
    }

    /// Seeds `database` through `seed` and serves `router(db, verifier)` over it, trusting `keys`.
    pub async fn serve<S, R>(
        database: TestDatabase,
        audience: &'static str,
        max_connections: usize,
        keys: crate::auth::KeyPair,
        seed: S,
        router: R,
    ) -> anyhow::Result<Self>
    where
        S: AsyncFnOnce(&crate::Db, &TestDatabase) -> anyhow::Result<()>,
        R: FnOnce(crate::Db, std::sync::Arc<crate::auth::JwtVerifier>, &TestDatabase) -> axum::Router,
    {
        let mut cfg = crate::config::DatabaseConfig::for_url(&database.app_url, audience);
        cfg.max_connections = max_connections;
        let db = crate::Db::connect(&cfg)?;
        seed(&db, &database).await?;
        let verifier = std::sync::Arc::new(keys.verifier(crate::auth::DEFAULT_ISSUER, audience));
        let app = router(db.clone(), verifier, &database);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        Ok(Self {
            database,
            db,
            addr,
            signer: keys.signer(crate::auth::DEFAULT_ISSUER),
            audience,
            client,
        })
    }

    /// A token for a demo user (all scopes).
    pub fn token(&self, email: &str) -> String {
        self.token_with_scopes(email, &["*"])
    }

    /// A token for a demo user with the given scopes.
    pub fn token_with_scopes(&self, email: &str, scopes: &[&str]) -> String {
        let u = crate::demo::user(email).unwrap_or_else(|| panic!("{email} is not a demo user"));
        self.forge(
            u.user_id(),
            crate::demo::tenant_id(u.tenant),
            Some(u.employee_id()),
            u.roles.to_vec(),
            scopes,
        )
    }

    /// A token for an arbitrary principal.
    pub fn forge(
        &self,
        user: uuid::Uuid,
        tenant: uuid::Uuid,
        employee: Option<uuid::Uuid>,
        roles: Vec<crate::auth::Role>,
        scopes: &[&str],
    ) -> String {
        self.signer
            .sign(&crate::auth::TokenRequest {
                subject: user.to_string(),
                tenant_id: tenant,
                employee_id: employee,
                roles,
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                audience: self.audience.into(),
                ttl_seconds: 300,
            })
            .unwrap_or_else(|e| panic!("signing: {e}"))
    }

    /// A service token (for internal routes).
    pub fn service_token(&self, scopes: &[&str]) -> String {
        self.signer
            .sign(&crate::auth::TokenRequest {
                subject: "service:gateway".into(),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                audience: self.audience.into(),
                ttl_seconds: 60,
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("signing: {e}"))
    }

    /// Sends a raw request; returns (status, body text).
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: impl Into<axum::body::Bytes>,
    ) -> (u16, String) {
        use http_body_util::BodyExt;
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("http://{}{}", self.addr, path_and_query));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(http_body_util::Full::new(body.into()))
            .unwrap_or_else(|e| panic!("request: {e}"));
        let res = self.client.request(req).await.unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// POSTs a GraphQL operation; returns (status, JSON body).
    pub async fn gql_status(&self, token: &str, query: &str, variables: serde_json::Value) -> (u16, serde_json::Value) {
        let body = serde_json::to_vec(&serde_json::json!({"query": query, "variables": variables})).unwrap_or_default();
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
    pub async fn gql(&self, token: &str, query: &str, variables: serde_json::Value) -> serde_json::Value {
        let (status, body) = self.gql_status(token, query, variables).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// POSTs and expects no errors; returns `data`.
    pub async fn ok(&self, token: &str, query: &str, variables: serde_json::Value) -> serde_json::Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Outbox routing keys in order, as the owner sees them (every tenant).
    pub async fn outbox_keys(&self) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct K {
            #[diesel(sql_type = Text)]
            routing_key: String,
        }
        let Ok(mut c) = self.database.owner_connection().await else {
            return Vec::new();
        };
        diesel::sql_query("SELECT routing_key FROM outbox ORDER BY seq")
            .load::<K>(&mut c)
            .await
            .map(|v| v.into_iter().map(|k| k.routing_key).collect())
            .unwrap_or_default()
    }
}

/// The first error's `extensions.code` of a GraphQL response.
pub fn code(body: &serde_json::Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}
