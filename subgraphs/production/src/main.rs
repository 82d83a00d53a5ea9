//! `production serve | migrate | seed | dev-token EMAIL`: the production subgraph's one binary.

use std::sync::Arc;

use anyhow::Context as _;
use platform::Db;
use platform::auth::JwtVerifier;
use platform::config::{AuthConfig, DatabaseConfig, HttpConfig, Mode, migration_url};
use secrecy::ExposeSecret;

const USAGE: &str = "usage: production <serve | migrate | seed | dev-token EMAIL>";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match <[String]>::first(&args).map(String::as_str) {
        Some("serve") => serve().await,
        Some("migrate") => {
            let n = platform::db::migrate(migration_url("PRODUCTION")?.expose_secret(), &production::MIGRATIONS).await?;
            tracing::info!(migrations.ran = n, "Migrated studiograph_production");
            Ok(())
        }
        Some("seed") => {
            let db = Db::connect(&DatabaseConfig::from_env("PRODUCTION", "production-seed")?)?;
            let report = production::seed::run(&db).await?;
            tracing::info!(projects.created = report.projects, tasks.created = report.tasks, "Seeded demo data");
            Ok(())
        }
        Some("dev-token") => {
            println!("{}", platform::demo::dev_token(production::SUBGRAPH, args.get(1).context(USAGE)?)?);
            Ok(())
        }
        _ => anyhow::bail!(USAGE),
    }
}

async fn serve() -> anyhow::Result<()> {
    let mode = Mode::from_env()?;
    let http = HttpConfig::from_env("PRODUCTION", "127.0.0.1:4002")?;
    let db_config = DatabaseConfig::from_env("PRODUCTION", "production")?;
    let db = Db::connect(&db_config)?;
    let subscriptions = production::subscriptions::Subscriptions::new(db_config.url.clone());
    let verifier = Arc::new(JwtVerifier::from_config(&AuthConfig::from_env(), mode, production::SUBGRAPH)?);
    let listener = tokio::net::TcpListener::bind(http.listen_addr)
        .await
        .with_context(|| format!("binding {}", http.listen_addr))?;
    tracing::info!(listen.addr = %http.listen_addr, "Production subgraph listening");
    let live = subscriptions.live.clone();
    let events = events::EventsRuntime::start_from_env(production::SUBGRAPH, "PRODUCTION", db.clone(), |runtime| {
        production::consumers::register(runtime).live(&live, production::subscriptions::LIVE_BINDINGS)
    })?;
    let state = production::AppState {
        db,
        verifier,
        http,
        mode,
        subscriptions,
    };
    platform::server::serve(listener, production::router(state)).await?;
    if let Some(events) = events {
        events.shutdown().await;
    }
    Ok(())
}
