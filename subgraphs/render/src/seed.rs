//! Demo farm: pools `cpu` (EUR 0.04 per core-hour) and `gpu` (EUR 0.90), quotas for both demo
//! tenants, and the employee replica. Runs on the scheduler role (pools are farm-wide).

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use platform::demo::{self, demo_id, tenant_id};
use platform::{Db, ScopedFutureExt};

use crate::schema::{employee_replica, pool_quotas, pools};

/// (name, cents per core-hour, currency).
pub const POOLS: &[(&str, i64, &str)] = &[("cpu", 4, "EUR"), ("gpu", 90, "EUR")];

/// Per-tenant quotas: (tenant, pool, max cores).
pub const QUOTAS: &[(&str, &str, i32)] = &[
    ("northwind", "cpu", 512),
    ("northwind", "gpu", 64),
    ("vendorx", "cpu", 128),
    ("vendorx", "gpu", 8),
];

/// Seeds (idempotently).
pub async fn run(db: &Db) -> anyhow::Result<()> {
    db.tx_without_tenant(|c| {
        async move {
            for (name, rate, currency) in POOLS {
                diesel::insert_into(pools::table)
                    .values((
                        pools::id.eq(demo_id("pool", name)),
                        pools::name.eq(*name),
                        pools::rate_minor_per_core_hour.eq(*rate),
                        pools::currency.eq(*currency),
                    ))
                    .on_conflict(pools::name)
                    .do_nothing()
                    .execute(c)
                    .await?;
            }
            for (tenant, pool, cores) in QUOTAS {
                diesel::insert_into(pool_quotas::table)
                    .values((
                        pool_quotas::tenant_id.eq(tenant_id(tenant)),
                        pool_quotas::pool_id.eq(demo_id("pool", pool)),
                        pool_quotas::max_cores.eq(*cores),
                    ))
                    .on_conflict((pool_quotas::tenant_id, pool_quotas::pool_id))
                    .do_nothing()
                    .execute(c)
                    .await?;
            }
            for &(slug, _, _) in demo::TENANTS {
                let rows: Vec<_> = demo::roster(slug)
                    .into_iter()
                    .map(|e| {
                        (
                            employee_replica::id.eq(e.id),
                            employee_replica::tenant_id.eq(tenant_id(slug)),
                            employee_replica::display_name.eq(e.display_name()),
                        )
                    })
                    .collect();
                diesel::insert_into(employee_replica::table)
                    .values(rows)
                    .on_conflict(employee_replica::id)
                    .do_update()
                    .set(employee_replica::display_name.eq(excluded(employee_replica::display_name)))
                    .execute(c)
                    .await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await
    .map_err(|e| anyhow::anyhow!("seeding render: {} ({})", e.message(), e.code().as_str()))
}
