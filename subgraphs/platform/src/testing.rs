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
        let server = server_url();
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
