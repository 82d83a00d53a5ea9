//! Claims per second with 16 concurrent claimers against one PostgreSQL, and the scheduling
//! latency of a claim (p50/p99), through the scheduler itself (no HTTP). Creates and drops its
//! own database. `make bench-claims`.

use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;
use platform::auth::{Principal, Role};
use platform::config::DatabaseConfig;
use platform::testing::{TemplateSpec, TestDatabase};
use render::model::RenderTaskStatus;
use render::scheduler::Scheduler;
use uuid::Uuid;

const CLAIMERS: usize = 16;
const TASKS: usize = 20_000;
const SECONDS: u64 = 10;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let spec = TemplateSpec {
        prefix: "studiograph_render",
        app_role: render::APP_ROLE,
        migrations: &render::MIGRATIONS,
        migrations_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/render"),
    };
    let database = TestDatabase::create(&spec).await?;
    let mut cfg = DatabaseConfig::for_url(&database.url_for_role(render::SCHEDULER_ROLE), "claim-bench");
    cfg.max_connections = CLAIMERS;
    let db = platform::Db::connect(&cfg)?;
    render::seed::run(&db).await?;
    let tenant = platform::demo::tenant_id("northwind");
    let mut owner = database.owner_connection().await?;
    owner
        .batch_execute(&format!(
            "INSERT INTO jobs (id, tenant_id, name, pool_id, command, frame_start, frame_end, chunk_size, tasks_total, currency) \
             VALUES ('00000000-0000-0000-0000-00000000b001', '{tenant}', 'bench', (SELECT id FROM pools WHERE name = 'cpu'), 'x', 1, {TASKS}, 1, {TASKS}, 'EUR');
             INSERT INTO render_tasks (id, tenant_id, job_id, frame_start, frame_end) \
             SELECT gen_random_uuid(), '{tenant}', '00000000-0000-0000-0000-00000000b001', g, g FROM generate_series(1, {TASKS}) g;
             UPDATE pool_quotas SET max_cores = 100000"
        ))
        .await?;
    let scheduler = Scheduler::new(db, Duration::from_secs(60));
    let who = Principal {
        user_id: Uuid::new_v4(),
        tenant_id: tenant,
        employee_id: None,
        roles: vec![Role::RenderWrangler],
        scopes: vec!["render:agent".into()],
        request_id: "bench".into(),
    };
    let mut workers = Vec::new();
    for i in 0..CLAIMERS {
        workers.push(
            scheduler
                .register(&who, &format!("bench-{i:02}"), "cpu", 1)
                .await
                .map_err(|e| anyhow::anyhow!(e.message().to_owned()))?
                .id,
        );
    }
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let runs = workers.into_iter().map(|w| {
        let (s, who) = (scheduler.clone(), who.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let claim = s.claim(&who, w).await;
                latencies.push(t0.elapsed());
                match claim {
                    Ok(Some(c)) => {
                        let _ = s.report(&who, Some(w), c.task.id, RenderTaskStatus::Succeeded, None, 1.0).await;
                    }
                    Ok(None) => break,
                    Err(e) => eprintln!("claim failed: {}", e.message()),
                }
            }
            latencies
        })
    });
    let started = Instant::now();
    let mut all: Vec<Duration> = Vec::new();
    for r in futures::future::join_all(runs).await {
        all.extend(r?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    println!("claimers: {CLAIMERS}, claims: {}, elapsed: {elapsed:.1} s", all.len());
    println!("claims/s (each followed by its report): {:.0}", all.len() as f64 / elapsed);
    println!(
        "claim latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}
