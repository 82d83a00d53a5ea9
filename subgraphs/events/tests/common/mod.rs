//! Shared test harness: a fresh HR database (its outbox and inbox) and per-test RabbitMQ names.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

pub mod private;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use events::{Envelope, EventsConfig, QueueSpec, Relay, Topology};
use futures::StreamExt as _;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicPublishOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection};
use platform::Db;
use platform::config::DatabaseConfig;
use platform::testing::{TemplateSpec, TestDatabase};
use secrecy::SecretString;
use uuid::Uuid;

pub static MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/hr");
pub const APP_ROLE: &str = "studiograph_hr_app";
pub const RELAY_ROLE: &str = "studiograph_hr_relay";

pub fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| events::config::DEFAULT_AMQP_URL.to_owned())
}

/// The HR migrations under their own template prefix, so a stale template of another crate's
/// build can never be picked up.
pub fn spec() -> TemplateSpec {
    TemplateSpec {
        prefix: "studiograph_events",
        app_role: APP_ROLE,
        migrations: &MIGRATIONS,
        migrations_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/hr"),
    }
}

/// One test's world: a database, an application-role pool, a broker prefix, and the queues to
/// delete at the end.
pub struct World {
    pub database: TestDatabase,
    pub db: Db,
    pub cfg: EventsConfig,
    pub topology: Topology,
    pub amqp: Connection,
    pub channel: Channel,
    queues: Vec<String>,
    cleaned: bool,
}

impl World {
    pub async fn new() -> Self {
        let database = TestDatabase::create(&spec()).await.unwrap();
        let mut owner = database.owner_connection().await.unwrap();
        owner
            .batch_execute(&format!(
                "CREATE TABLE test_effects (message_id uuid NOT NULL, tenant_id uuid NOT NULL);
                 GRANT SELECT, INSERT ON test_effects TO {APP_ROLE};"
            ))
            .await
            .unwrap();
        let db = Db::connect(&DatabaseConfig::for_url(&database.app_url, "events-test")).unwrap();
        let prefix = format!("test.{}.", &Uuid::new_v4().simple().to_string()[..10]);
        let mut cfg = EventsConfig::new(&amqp_url(), &prefix);
        cfg.retry_delay = Duration::from_millis(20);
        cfg.reconnect_max = Duration::from_secs(2);
        let topology = Topology::from_config(&cfg);
        let amqp = events::connect_amqp(&amqp_url(), "events-test").await.unwrap();
        let channel = amqp.create_channel().await.unwrap();
        topology.declare_exchanges(&channel).await.unwrap();
        Self {
            database,
            db,
            cfg,
            topology,
            amqp,
            channel,
            queues: Vec::new(),
            cleaned: false,
        }
    }

    /// Re-reads the topology after a test changed `cfg` (e.g. the delivery limit).
    pub fn reconfigure(&mut self) {
        self.topology = Topology::from_config(&self.cfg);
    }

    /// A queue `events-test.<purpose>` bound with `bindings`, declared now, deleted at the end.
    pub async fn queue(&mut self, purpose: &str, bindings: &[&str]) -> QueueSpec {
        let spec = self.topology.queue("events-test", purpose, bindings);
        self.topology.declare_queue(&self.channel, &spec).await.unwrap();
        self.queues.push(spec.name.clone());
        spec
    }

    /// A relay over this database as the relay role.
    pub fn relay(&self, name: &str) -> Relay {
        Relay::new(self.cfg.clone(), SecretString::from(self.database.url_for_role(RELAY_ROLE)), name)
    }

    pub async fn owner(&self) -> AsyncPgConnection {
        self.database.owner_connection().await.unwrap()
    }

    /// Inserts `n` outbox rows for `tenant` with `routing_key` (as the owner, in one statement);
    /// payload `{"n": i}`.
    pub async fn insert_events(&self, tenant: Uuid, n: i64, routing_key: &str) -> Vec<Uuid> {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = SqlUuid)]
            id: Uuid,
        }
        let mut owner = self.owner().await;
        let rows: Vec<Id> = diesel::sql_query(
            "INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, event_type, routing_key, payload)
             SELECT gen_random_uuid(), $1, 'thing', gen_random_uuid(), split_part($2, '.', 2) || '.' || split_part($2, '.', 3), $2,
                    jsonb_build_object('n', g)
             FROM generate_series(1, $3) g RETURNING id",
        )
        .bind::<SqlUuid, _>(tenant)
        .bind::<Text, _>(routing_key)
        .bind::<BigInt, _>(n)
        .load(&mut owner)
        .await
        .unwrap();
        rows.into_iter().map(|r| r.id).collect()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut owner = self.owner().await;
        let row: N = diesel::sql_query(sql).get_result(&mut owner).await.unwrap();
        row.n
    }

    /// Publishes a copy of `event` as the relay would (a duplicate publication).
    pub async fn publish_copy(&self, event: &Envelope) {
        let body = serde_json::to_vec(event).unwrap();
        self.channel
            .basic_publish(
                &self.topology.exchange,
                &event.routing_key,
                BasicPublishOptions::default(),
                &body,
                BasicProperties::default()
                    .with_delivery_mode(2)
                    .with_message_id(event.id.to_string().into()),
            )
            .await
            .unwrap()
            .await
            .unwrap();
    }

    /// Messages now in `queue` (via a passive declare).
    pub async fn depth(&self, queue: &str) -> u32 {
        let q = self
            .channel
            .queue_declare(
                queue,
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .unwrap();
        q.message_count()
    }

    /// Takes one message from `queue`, if any (acked).
    pub async fn take(&self, queue: &str) -> Option<(Envelope, BasicProperties)> {
        let msg = self.channel.basic_get(queue, BasicGetOptions::default()).await.unwrap()?;
        msg.delivery.ack(BasicAckOptions::default()).await.unwrap();
        Some((serde_json::from_slice(&msg.delivery.data).unwrap(), msg.delivery.properties.clone()))
    }

    /// Deletes this test's queues and exchanges.
    pub async fn cleanup(mut self) {
        // Relays declare the platform's whole queue catalog under the prefix.
        let queues: Vec<&str> = self.queues.iter().map(String::as_str).collect();
        let names = self.topology.catalog_queue_names_and(&queues);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.topology.delete(&self.amqp, &names).await.unwrap();
        let _ = self.amqp.close(200, "test done").await;
        self.cleaned = true;
    }
}

impl Drop for World {
    /// A failed test still deletes its queues and exchanges (on a thread: we are inside the
    /// test's runtime).
    fn drop(&mut self) {
        if self.cleaned {
            return;
        }
        let topology = self.topology.clone();
        let queues = self.queues.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(conn) = events::connect_amqp(&amqp_url(), "events-test-cleanup").await {
                    let queues: Vec<&str> = queues.iter().map(String::as_str).collect();
                    let names = topology.catalog_queue_names_and(&queues);
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    let _ = topology.delete(&conn, &names).await;
                    let _ = conn.close(200, "test cleanup").await;
                }
            });
        })
        .join();
    }
}

/// Consumes `queue` raw (auto-ack) until `expected` distinct ids were seen (then 300 ms more, to
/// catch duplicates) or `timeout`; returns every message id received with its count, and the first
/// message's envelope and properties.
pub async fn collect(
    channel: &Channel,
    queue: &str,
    expected: usize,
    timeout: Duration,
) -> (HashMap<Uuid, u32>, Option<(Envelope, BasicProperties)>) {
    let mut consumer = channel
        .basic_consume(
            queue,
            &format!("collector-{}", Uuid::new_v4().simple()),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    let mut seen: HashMap<Uuid, u32> = HashMap::new();
    let mut first = None;
    let deadline = Instant::now() + timeout;
    let mut grace: Option<Instant> = None;
    loop {
        let until = grace.unwrap_or(deadline).min(deadline);
        let Ok(Some(delivery)) = tokio::time::timeout_at(until.into(), consumer.next()).await else {
            break;
        };
        let delivery = delivery.unwrap();
        let event: Envelope = serde_json::from_slice(&delivery.data).unwrap();
        if first.is_none() {
            first = Some((event.clone(), delivery.properties.clone()));
        }
        *seen.entry(event.id).or_default() += 1;
        if seen.len() >= expected && grace.is_none() {
            grace = Some(Instant::now() + Duration::from_millis(300));
        }
    }
    (seen, first)
}

/// Polls `cond` every 20 ms until it holds or `timeout` passes; returns whether it held.
pub async fn wait_until(timeout: Duration, mut cond: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A shutdown signal for `run` loops.
pub fn shutdown_pair() -> (tokio::sync::oneshot::Sender<()>, impl Future<Output = ()> + Send) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    (tx, async move {
        let _ = rx.await;
    })
}

/// HR served in-process over a fresh database on `pg_server` (seeded with the demo studio), with
/// an extra table `table` created by `create_sql` that HR's application role may read and insert
/// into (a test consumer's effects).
pub async fn start_hr_with(pg_server: &str, create_sql: &str, table: &str) -> platform::testing::TestServer {
    let database = TestDatabase::create_on(pg_server, &hr::test_support::spec()).await.unwrap();
    let mut owner = database.owner_connection().await.unwrap();
    owner
        .batch_execute(&format!("{create_sql}; GRANT SELECT, INSERT ON {table} TO {};", hr::APP_ROLE))
        .await
        .unwrap();
    platform::testing::TestServer::serve(
        database,
        hr::SUBGRAPH,
        16,
        platform::auth::KeyPair::generate(),
        async |db: &Db, _: &TestDatabase| {
            hr::seed::run(db).await?;
            Ok(())
        },
        |db, verifier, _| {
            hr::router(hr::AppState {
                db,
                verifier,
                http: platform::config::HttpConfig::default(),
                mode: platform::config::Mode::Development,
            })
        },
    )
    .await
    .unwrap()
}
