//! For tests of this and other crates (feature `test-support`): HR over a fresh database cloned
//! from a migrated template, seeded with the demo studio, on an ephemeral port.

use platform::auth::KeyPair;
use platform::testing::{TemplateSpec, TestDatabase, TestServer};

/// The template of HR test databases.
pub fn spec() -> TemplateSpec {
    TemplateSpec {
        prefix: "studiograph_hr",
        app_role: crate::APP_ROLE,
        migrations: &crate::MIGRATIONS,
        migrations_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/hr"),
    }
}

/// Starts HR with the demo data, trusting `keys`, with a pool of `connections`.
pub async fn start(keys: KeyPair, connections: usize) -> anyhow::Result<TestServer> {
    TestServer::start_with_keys(
        &spec(),
        crate::SUBGRAPH,
        connections,
        keys,
        async |db: &platform::Db, _: &TestDatabase| {
            crate::seed::run(db).await?;
            Ok(())
        },
        |db, verifier, _| {
            crate::router(crate::AppState {
                db,
                verifier,
                http: platform::config::HttpConfig::default(),
                mode: platform::config::Mode::Development,
            })
        },
    )
    .await
}

/// Runs this subgraph's relay and consumers for `server` (as [`crate::RELAY_ROLE`] and its
/// application pool) on the broker names of `cfg` (a per-test `prefix`).
pub fn start_events(server: &TestServer, cfg: events::EventsConfig) -> events::RunningEvents {
    let relay_url = secrecy::SecretString::from(server.database.url_for_role(crate::RELAY_ROLE));
    crate::consumers::register(events::EventsRuntime::new(cfg, crate::SUBGRAPH, relay_url, server.db.clone())).start()
}
