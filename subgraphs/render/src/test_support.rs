//! For tests of this and other crates (feature `test-support`): render (application pool plus
//! scheduler pool) over a fresh database with the demo pools and quotas, on an ephemeral port.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use events::LiveFeed;
use platform::auth::KeyPair;
use platform::testing::{TemplateSpec, TestDatabase, TestServer};

/// The live feeds of the servers [`start`] made, by database name, so that [`start_events`]
/// connects the feed the server's router reads.
static LIVE: LazyLock<Mutex<HashMap<String, LiveFeed>>> = LazyLock::new(Mutex::default);

/// The template of render test databases.
pub fn spec() -> TemplateSpec {
    TemplateSpec {
        prefix: "studiograph_render",
        app_role: crate::APP_ROLE,
        migrations: &crate::MIGRATIONS,
        migrations_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/render"),
    }
}

/// A pool of the scheduler role (BYPASSRLS) on a test database.
pub fn scheduler_db(database: &TestDatabase, connections: usize) -> anyhow::Result<platform::Db> {
    let mut cfg = platform::config::DatabaseConfig::for_url(&database.url_for_role(crate::SCHEDULER_ROLE), "render-scheduler-test");
    cfg.max_connections = connections;
    platform::Db::connect(&cfg)
}

/// Starts render with the demo pools, trusting `keys`, with pools of `connections` and the
/// given heartbeat timeout.
pub async fn start(keys: KeyPair, connections: usize, heartbeat_timeout: Duration) -> anyhow::Result<TestServer> {
    TestServer::start_with_keys(
        &spec(),
        crate::SUBGRAPH,
        connections,
        keys,
        async |_db: &platform::Db, database: &TestDatabase| {
            crate::seed::run(&scheduler_db(database, 2)?).await?;
            Ok(())
        },
        |db, verifier, database| {
            let scheduler_pool = scheduler_db(database, connections).unwrap_or_else(|e| panic!("scheduler pool: {e}"));
            let scheduler = crate::scheduler::Scheduler::new(scheduler_pool, heartbeat_timeout);
            let live = LiveFeed::default();
            LIVE.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(database.name.clone(), live.clone());
            crate::router(crate::AppState {
                db,
                scheduler,
                verifier,
                http: platform::config::HttpConfig::default(),
                mode: platform::config::Mode::Development,
                live,
            })
        },
    )
    .await
}

/// Runs this subgraph's relay and consumers for `server` (as [`crate::RELAY_ROLE`] and its
/// application pool) on the broker names of `cfg` (a per-test `prefix`).
/// Also feeds the server's live feed (when [`start`] made it).
pub fn start_events(server: &TestServer, cfg: events::EventsConfig) -> events::RunningEvents {
    let relay_url = secrecy::SecretString::from(server.database.url_for_role(crate::RELAY_ROLE));
    let runtime = crate::consumers::register(events::EventsRuntime::new(cfg, crate::SUBGRAPH, relay_url, server.db.clone()));
    match live_feed(server) {
        Some(feed) => runtime.live(&feed, crate::subscriptions::LIVE_BINDINGS),
        None => runtime,
    }
    .start()
}

/// The live feed of a server [`start`] made.
pub fn live_feed(server: &TestServer) -> Option<LiveFeed> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).get(&server.database.name).cloned()
}
