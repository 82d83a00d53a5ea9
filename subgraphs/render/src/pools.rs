//! `renderPools`: each pool of the shared farm as the viewer's tenant sees it — its rate, the
//! tenant's quota and what the tenant uses of it now, and the pool's online capacity.
//!
//! A tenant's running chunks may run on another tenant's workers (pools are shared), which
//! row-level security hides from it; so the figures are read through the scheduler's pool (the
//! role that already reads across tenants to schedule) with an explicit filter on the caller's
//! tenant. Nothing of another tenant is returned but the pool's total online cores.

use async_graphql::{Context, Object, SimpleObject};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Int4, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use platform::auth::{ScopeGuard, principal};
use platform::money::Money;
use platform::{AppError, ScopedFutureExt};

use crate::scheduler::Scheduler;

/// One pool's figures for one tenant ($1), every pool in name order.
const POOL_USAGE: &str = "
SELECT p.name,
       p.rate_minor_per_core_hour AS rate_minor,
       p.currency,
       q.max_cores AS quota_cores,
       COALESCE((SELECT sum(w.cores)
                 FROM render_tasks rt
                 JOIN jobs j ON j.id = rt.job_id
                 JOIN workers w ON w.id = rt.worker_id
                 WHERE rt.status = 'RUNNING' AND j.pool_id = p.id AND j.tenant_id = $1), 0)::int AS running_cores,
       (SELECT count(*)
        FROM render_tasks rt
        JOIN jobs j ON j.id = rt.job_id
        WHERE rt.status = 'QUEUED' AND j.status IN ('QUEUED', 'RUNNING')
          AND j.pool_id = p.id AND j.tenant_id = $1)::int AS queued_tasks,
       (SELECT count(*) FROM workers w
        WHERE w.pool_id = p.id AND w.tenant_id = $1 AND w.status IN ('IDLE', 'BUSY'))::int AS own_workers_online,
       COALESCE((SELECT sum(w.cores) FROM workers w
                 WHERE w.pool_id = p.id AND w.status IN ('IDLE', 'BUSY')), 0)::int AS capacity_cores
FROM pools p
LEFT JOIN pool_quotas q ON q.pool_id = p.id AND q.tenant_id = $1
ORDER BY p.name";

#[derive(QueryableByName)]
struct UsageRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    rate_minor: i64,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = Nullable<Int4>)]
    quota_cores: Option<i32>,
    #[diesel(sql_type = Int4)]
    running_cores: i32,
    #[diesel(sql_type = Int4)]
    queued_tasks: i32,
    #[diesel(sql_type = Int4)]
    own_workers_online: i32,
    #[diesel(sql_type = Int4)]
    capacity_cores: i32,
}

/// A pool of the render farm, as the viewer's tenant sees it now.
#[derive(SimpleObject, Clone, Debug)]
pub struct RenderPool {
    /// Its name (what `submitRenderJob` and `renderWorkers(pool)` take).
    pub name: String,
    /// The price of one core-hour (what job cost is computed with).
    pub rate_per_core_hour: Money,
    /// The tenant's cap on cores in use at once in this pool; null when none is set.
    pub quota_cores: Option<i32>,
    /// Cores the tenant's running chunks occupy now.
    pub running_cores: i32,
    /// The tenant's chunks waiting for a worker (of queued or running jobs).
    pub queued_tasks: i32,
    /// The tenant's own workers in the pool that are online (idle or busy).
    pub online_workers: i32,
    /// Cores of every online worker of the pool, whoever runs it: what the pool can run at once.
    pub capacity_cores: i32,
}

/// `Query.renderPools`.
#[derive(Default)]
pub struct PoolQuery;

#[Object]
impl PoolQuery {
    /// Every pool with its rate, the caller's tenant's quota and current use, and its online
    /// capacity, by name.
    #[graphql(guard = "ScopeGuard(\"render:read\")")]
    async fn render_pools(&self, ctx: &Context<'_>) -> Result<Vec<RenderPool>, AppError> {
        let tenant = principal(ctx)?.tenant_id;
        // The scheduler's role reads across tenants (BYPASSRLS); the query filters on `tenant`.
        let rows: Vec<UsageRow> = ctx
            .data_unchecked::<Scheduler>()
            .db()
            .tx_without_tenant(move |c| {
                async move { Ok(diesel::sql_query(POOL_USAGE).bind::<SqlUuid, _>(tenant).load::<UsageRow>(c).await?) }.scope_boxed()
            })
            .await?;
        Ok(rows.into_iter().map(into_pool).collect())
    }
}

fn into_pool(row: UsageRow) -> RenderPool {
    RenderPool {
        name: row.name,
        rate_per_core_hour: Money::from_minor(row.rate_minor, &row.currency),
        quota_cores: row.quota_cores,
        running_cores: row.running_cores,
        queued_tasks: row.queued_tasks,
        online_workers: row.own_workers_online,
        capacity_cores: row.capacity_cores,
    }
}
