//! `hr serve | migrate | seed | dev-token <email>`: the HR subgraph's one binary.

use std::sync::Arc;

use anyhow::Context as _;
use platform::Db;
use platform::auth::JwtVerifier;
use platform::config::{AuthConfig, DatabaseConfig, HttpConfig, Mode, migration_url};
use secrecy::ExposeSecret;

const USAGE: &str = "usage: hr <serve | migrate | seed | dev-token EMAIL>";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match <[String]>::first(&args).map(String::as_str) {
        Some("serve") => serve().await,
        Some("migrate") => {
            let n = platform::db::migrate(migration_url("HR")?.expose_secret(), &hr::MIGRATIONS).await?;
            tracing::info!(migrations.ran = n, "Migrated studiograph_hr");
            Ok(())
        }
        Some("seed") => {
            let db = Db::connect(&DatabaseConfig::from_env("HR", "hr-seed")?)?;
            let report = hr::seed::run(&db).await?;
            tracing::info!(
                tenants.created = report.tenants_created,
                employees.created = report.employees_created,
                "Seeded demo data"
            );
            Ok(())
        }
        Some("dev-token") => {
            println!("{}", platform::demo::dev_token(hr::SUBGRAPH, args.get(1).context(USAGE)?)?);
            Ok(())
        }
        _ => anyhow::bail!(USAGE),
    }
}

async fn serve() -> anyhow::Result<()> {
    let mode = Mode::from_env()?;
    let http = HttpConfig::from_env("HR", "127.0.0.1:4001")?;
    let db = Db::connect(&DatabaseConfig::from_env("HR", "hr")?)?;
    let verifier = Arc::new(JwtVerifier::from_config(&AuthConfig::from_env(), mode, hr::SUBGRAPH)?);
    let listener = tokio::net::TcpListener::bind(http.listen_addr)
        .await
        .with_context(|| format!("binding {}", http.listen_addr))?;
    tracing::info!(listen.addr = %http.listen_addr, "HR subgraph listening");
    let events = events::EventsRuntime::start_from_env(hr::SUBGRAPH, "HR", db.clone(), hr::consumers::register)?;
    let state = hr::AppState { db, verifier, http, mode };
    platform::server::serve(listener, hr::router(state)).await?;
    if let Some(events) = events {
        events.shutdown().await;
    }
    Ok(())
}
