//! For tests of this and other crates (feature `test-support`): production over a fresh database
//! cloned from a migrated template, seeded with the demo studio, on an ephemeral port.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use platform::auth::KeyPair;
use platform::testing::{TemplateSpec, TestDatabase, TestServer};
use secrecy::SecretString;

use crate::subscriptions::{LIVE_BINDINGS, Subscriptions};

/// The subscription handles of the servers [`start`] made, by database name, so that
/// [`start_events`] connects the live feed the server's router reads.
static SUBSCRIPTIONS: LazyLock<Mutex<HashMap<String, Subscriptions>>> = LazyLock::new(Mutex::default);

/// The template of production test databases.
pub fn spec() -> TemplateSpec {
    TemplateSpec {
        prefix: "studiograph_production",
        app_role: crate::APP_ROLE,
        migrations: &crate::MIGRATIONS,
        migrations_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/production"),
    }
}

/// Starts production with the demo data, trusting `keys`, with a pool of `connections`.
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
        |db, verifier, database| {
            let subscriptions = Subscriptions::new(SecretString::from(database.app_url.clone()));
            SUBSCRIPTIONS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(database.name.clone(), subscriptions.clone());
            crate::router(crate::AppState {
                db,
                verifier,
                http: platform::config::HttpConfig::default(),
                mode: platform::config::Mode::Development,
                subscriptions,
            })
        },
    )
    .await
}

/// Runs this subgraph's relay and consumers for `server` (as [`crate::RELAY_ROLE`] and its
/// application pool) on the broker names of `cfg` (a per-test `prefix`).
/// Also feeds the server's live feed (when [`start`] made it).
pub fn start_events(server: &TestServer, cfg: events::EventsConfig) -> events::RunningEvents {
    let relay_url = SecretString::from(server.database.url_for_role(crate::RELAY_ROLE));
    let runtime = crate::consumers::register(events::EventsRuntime::new(cfg, crate::SUBGRAPH, relay_url, server.db.clone()));
    match subscriptions(server) {
        Some(subscriptions) => runtime.live(&subscriptions.live, LIVE_BINDINGS),
        None => runtime,
    }
    .start()
}

/// The subscription handles of a server [`start`] made.
pub fn subscriptions(server: &TestServer) -> Option<Subscriptions> {
    SUBSCRIPTIONS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&server.database.name)
        .cloned()
}

/// A second replica of `server`: another router over the same database, with its own live feed,
/// event-log listener, relay and consumers, trusting `keys`, on an ephemeral port.
pub struct Replica {
    /// Where it listens.
    pub addr: std::net::SocketAddr,
    /// Its subscription handles.
    pub subscriptions: Subscriptions,
    /// Its relay, consumers and live feed.
    pub events: events::RunningEvents,
}

/// Starts a [`Replica`] of `server` on the broker names of `cfg`.
pub async fn start_replica(server: &TestServer, keys: &KeyPair, cfg: events::EventsConfig) -> anyhow::Result<Replica> {
    let subscriptions = Subscriptions::new(SecretString::from(server.database.app_url.clone()));
    let app = crate::router(crate::AppState {
        db: server.db.clone(),
        verifier: std::sync::Arc::new(keys.verifier(platform::auth::DEFAULT_ISSUER, crate::SUBGRAPH)),
        http: platform::config::HttpConfig::default(),
        mode: platform::config::Mode::Development,
        subscriptions: subscriptions.clone(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let relay_url = SecretString::from(server.database.url_for_role(crate::RELAY_ROLE));
    let events = crate::consumers::register(events::EventsRuntime::new(cfg, crate::SUBGRAPH, relay_url, server.db.clone()))
        .live(&subscriptions.live, LIVE_BINDINGS)
        .start();
    Ok(Replica {
        addr,
        subscriptions,
        events,
    })
}
