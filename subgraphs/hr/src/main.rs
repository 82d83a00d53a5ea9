//! `hr serve | migrate | seed | dev-token <email>`: the HR subgraph's one binary.

use std::sync::Arc;

use anyhow::Context as _;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use platform::auth::{JwtVerifier, KeyPair, Role, TokenRequest};
use platform::config::{AuthConfig, DatabaseConfig, HttpConfig, Mode, migration_url};
use platform::{Db, ScopedFutureExt};
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
        Some("dev-token") => dev_token(args.get(1).context(USAGE)?).await,
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
    let state = hr::AppState { db, verifier, http, mode };
    platform::server::serve(listener, hr::router(state)).await
}

#[derive(diesel::QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    tenant_id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    employee_id: Option<uuid::Uuid>,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    roles: Vec<String>,
}

/// Prints a one-hour internal token for a user, signed with the development key (benchmarks,
/// manual calls before the gateway exists). Refused in production mode.
async fn dev_token(email: &str) -> anyhow::Result<()> {
    if Mode::from_env()? == Mode::Production {
        anyhow::bail!("dev-token is disabled in production mode");
    }
    let db = Db::connect(&DatabaseConfig::from_env("HR", "hr-dev-token")?)?;
    let email = email.to_owned();
    let mut rows: Vec<Found> = db
        .tx_without_tenant(|c| {
            async move {
                Ok(
                    diesel::sql_query("SELECT user_id, tenant_id, employee_id, roles FROM auth_find_user($1)")
                        .bind::<Text, _>(email)
                        .load(c)
                        .await?,
                )
            }
            .scope_boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let u = rows.pop().context("no such user")?;
    let cfg = AuthConfig::from_env();
    let pair = KeyPair::load_or_create_dev(&cfg.dev_key_dir)?;
    let token = pair.signer(&cfg.issuer).sign(&TokenRequest {
        subject: u.user_id.to_string(),
        tenant_id: u.tenant_id,
        employee_id: u.employee_id,
        roles: u.roles.iter().filter_map(|r| Role::parse(r)).collect(),
        scopes: vec!["*".into()],
        audience: hr::SUBGRAPH.into(),
        ttl_seconds: 3600,
    })?;
    println!("{token}");
    Ok(())
}
