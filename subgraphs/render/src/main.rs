//! `render serve | migrate | seed | dev-token EMAIL`: the render subgraph's binary (the agent is
//! `render-agent`).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use platform::Db;
use platform::auth::JwtVerifier;
use platform::config::{AuthConfig, DatabaseConfig, HttpConfig, Mode, migration_url, parsed};
use secrecy::{ExposeSecret, SecretString};

const USAGE: &str = "usage: render <serve | migrate | seed | dev-token EMAIL>";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match <[String]>::first(&args).map(String::as_str) {
        Some("serve") => serve().await,
        Some("migrate") => {
            let n = platform::db::migrate(migration_url("RENDER")?.expose_secret(), &render::MIGRATIONS).await?;
            tracing::info!(migrations.ran = n, "Migrated studiograph_render");
            Ok(())
        }
        Some("seed") => {
            let db = Db::connect(&scheduler_config()?)?;
            render::seed::run(&db).await?;
            tracing::info!("Seeded render pools, quotas and the employee replica");
            Ok(())
        }
        Some("dev-token") => {
            println!("{}", platform::demo::dev_token(render::SUBGRAPH, args.get(1).context(USAGE)?)?);
            Ok(())
        }
        _ => anyhow::bail!(USAGE),
    }
}

/// `RENDER_SCHEDULER_DATABASE_URL`: the scheduler role's URL (BYPASSRLS).
fn scheduler_config() -> anyhow::Result<DatabaseConfig> {
    let mut cfg = DatabaseConfig::from_env("RENDER", "render-scheduler")?;
    cfg.url = SecretString::from(platform::config::required("RENDER_SCHEDULER_DATABASE_URL")?);
    Ok(cfg)
}

async fn serve() -> anyhow::Result<()> {
    let mode = Mode::from_env()?;
    let http = HttpConfig::from_env("RENDER", "127.0.0.1:4003")?;
    let db = Db::connect(&DatabaseConfig::from_env("RENDER", "render")?)?;
    let timeout = Duration::from_secs(parsed("RENDER_HEARTBEAT_TIMEOUT_SECS", 30)?);
    let scheduler = render::scheduler::Scheduler::new(Db::connect(&scheduler_config()?)?, timeout);
    render::spawn_sweeper(scheduler.clone(), timeout / 2);
    let verifier = Arc::new(JwtVerifier::from_config(&AuthConfig::from_env(), mode, render::SUBGRAPH)?);
    let listener = tokio::net::TcpListener::bind(http.listen_addr)
        .await
        .with_context(|| format!("binding {}", http.listen_addr))?;
    tracing::info!(listen.addr = %http.listen_addr, "Render subgraph listening");
    let live = events::LiveFeed::default();
    let events = events::EventsRuntime::start_from_env(render::SUBGRAPH, "RENDER", db.clone(), |runtime| {
        render::consumers::register(runtime).live(&live, render::subscriptions::LIVE_BINDINGS)
    })?;
    platform::server::serve(
        listener,
        render::router(render::AppState {
            db,
            scheduler,
            verifier,
            http,
            mode,
            live,
        }),
    )
    .await?;
    if let Some(events) = events {
        events.shutdown().await;
    }
    Ok(())
}
