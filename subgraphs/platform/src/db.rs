//! The database pool and the tenant-scoped transaction helper.
//!
//! Request code never holds a raw pooled connection: it passes a closure to [`Db::tx`], which
//! checks a connection out, opens a transaction, runs
//! `set_config('app.tenant_id', <tenant>, true)` first, and commits or rolls back. Row-level
//! security policies read that setting, so isolation does not depend on every query remembering
//! a `WHERE tenant_id = ...`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::sql_types::Text;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use futures::FutureExt as _;
use scoped_futures::ScopedBoxFuture;
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::config::DatabaseConfig;
use crate::error::AppError;

/// The connection type handed to transaction closures.
pub type Conn = AsyncPgConnection;

/// Counts statements sent to PostgreSQL (metrics; tests that prove batching).
#[derive(Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Statements started so far.
    pub fn get(&self) -> u64 {
        AtomicU64::load(&self.0, Ordering::Relaxed)
    }
}

struct CountingInstrumentation(StatementCounter);

impl Instrumentation for CountingInstrumentation {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A pool of application-role connections; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<AsyncPgConnection>,
    statements: StatementCounter,
}

impl Db {
    /// Builds the pool (connections are opened lazily). Every connection gets
    /// `application_name` and `statement_timeout`.
    pub fn connect(cfg: &DatabaseConfig) -> anyhow::Result<Self> {
        let statements = StatementCounter::default();
        let counter = statements.clone();
        let setup_sql = format!(
            "SET application_name = '{}'; SET statement_timeout = {};",
            cfg.application_name.replace('\'', ""),
            cfg.statement_timeout.as_millis()
        );
        let mut manager_cfg = ManagerConfig::<AsyncPgConnection>::default();
        manager_cfg.recycling_method = RecyclingMethod::Fast;
        manager_cfg.custom_setup = Box::new(move |url| {
            let setup_sql = setup_sql.clone();
            let counter = counter.clone();
            async move {
                let mut conn = AsyncPgConnection::establish(url).await?;
                conn.batch_execute(&setup_sql)
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                conn.set_instrumentation(CountingInstrumentation(counter));
                Ok(conn)
            }
            .boxed()
        });
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(cfg.url.expose_secret(), manager_cfg);
        let pool = Pool::builder(manager)
            .max_size(cfg.max_connections)
            .wait_timeout(Some(cfg.acquire_timeout))
            .create_timeout(Some(cfg.acquire_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()?;
        Ok(Self { pool, statements })
    }

    /// Statements run through this pool so far.
    pub fn statements(&self) -> &StatementCounter {
        &self.statements
    }

    /// Runs `f` in a transaction scoped to `tenant`: the first statement sets `app.tenant_id`.
    /// Commits when `f` returns `Ok`, rolls back otherwise.
    pub async fn tx<'a, R, F>(&self, tenant: Uuid, f: F) -> Result<R, AppError>
    where
        F: for<'r> FnOnce(&'r mut Conn) -> ScopedBoxFuture<'a, 'r, Result<R, AppError>> + Send + 'a,
        R: Send + 'a,
    {
        self.run(Some(tenant), f).await
    }

    /// Runs `f` in a transaction with no tenant set: row-level security then shows no tenant
    /// rows at all. For the security-definer lookups of authentication and for health checks.
    pub async fn tx_without_tenant<'a, R, F>(&self, f: F) -> Result<R, AppError>
    where
        F: for<'r> FnOnce(&'r mut Conn) -> ScopedBoxFuture<'a, 'r, Result<R, AppError>> + Send + 'a,
        R: Send + 'a,
    {
        self.run(None, f).await
    }

    async fn run<'a, R, F>(&self, tenant: Option<Uuid>, f: F) -> Result<R, AppError>
    where
        F: for<'r> FnOnce(&'r mut Conn) -> ScopedBoxFuture<'a, 'r, Result<R, AppError>> + Send + 'a,
        R: Send + 'a,
    {
        let mut conn = self.pool.get().await?;
        conn.transaction::<R, AppError, _>(async move |conn| {
            if let Some(tenant) = tenant {
                diesel::sql_query("SELECT set_config('app.tenant_id', $1, true)")
                    .bind::<Text, _>(tenant.to_string())
                    .execute(conn)
                    .await?;
            }
            f(conn).await
        })
        .await
    }

    /// `SELECT 1` through the pool (readiness).
    pub async fn ping(&self) -> Result<(), AppError> {
        let mut conn = self.pool.get().await?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await?;
        Ok(())
    }

    /// Pool status for metrics: (size, available).
    pub fn pool_status(&self) -> (usize, usize) {
        let s = self.pool.status();
        (s.size, s.available)
    }
}

/// Runs the embedded migrations against `url` (an owner role) and returns how many ran.
pub async fn migrate(url: &str, migrations: &'static EmbeddedMigrations) -> anyhow::Result<usize> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let mut conn =
            <diesel_async::async_connection_wrapper::AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        let ran = conn
            .run_pending_migrations(StaticMigrations(migrations))
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(ran.len())
    })
    .await?
}

struct StaticMigrations(&'static EmbeddedMigrations);

impl diesel::migration::MigrationSource<diesel::pg::Pg> for StaticMigrations {
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<diesel::pg::Pg>>>> {
        diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(self.0)
    }
}
