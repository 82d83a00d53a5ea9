//! Fault tests of the event pipeline with real mutations: HR's `createEmployee` over HTTP (its
//! business row and outbox row in one transaction), HR's relay, and a checker consumer whose
//! effect is one row per handled event. RabbitMQ and PostgreSQL are private servers of the test
//! (`common::private`), so stopping or crashing them disturbs no other test.
//!
//! The checker counts, per event, how often its effect was applied: `lost` (an event of the
//! outbox never applied), `duplicated` (applied more than once) and `unexpected` (applied without
//! being in the outbox), the categories of RabbitMQ's Jepsen checker.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::private::{PrivatePostgres, PrivateRabbit};
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use events::{Consumer, ConsumerStats, Envelope, EventsConfig, Relay, RelayStats, Topology, handler};
use futures::FutureExt as _;
use lapin::BasicProperties;
use lapin::options::BasicPublishOptions;
use platform::testing::TestServer;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;
use uuid::Uuid;

const CREATE: &str = "mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }";
const CHECKER_PURPOSE: &str = "checker";

/// HR served over a database on `pg_server`, with the checker's effect table.
async fn start_hr(pg_server: &str) -> TestServer {
    common::start_hr_with(
        pg_server,
        "CREATE TABLE fault_effects (message_id uuid NOT NULL, aggregate_id uuid NOT NULL,
                                     handled_at timestamptz NOT NULL DEFAULT clock_timestamp())",
        "fault_effects",
    )
    .await
}

fn config(amqp_url: &str) -> EventsConfig {
    let mut cfg = EventsConfig::new(amqp_url, &format!("test.{}.", &Uuid::new_v4().simple().to_string()[..10]));
    cfg.retry_delay = Duration::from_millis(50);
    cfg.reconnect_max = Duration::from_millis(500);
    cfg.relay_poll = Duration::from_millis(200);
    cfg.confirm_timeout = Duration::from_secs(5);
    cfg
}

/// The checker: one `fault_effects` row per handled `employee.created`.
fn checker(cfg: &EventsConfig, hr: &TestServer) -> Consumer {
    let queue = Topology::from_config(cfg).queue("faults", CHECKER_PURPOSE, &["hr.employee.created"]);
    Consumer::new(
        cfg,
        queue,
        hr.db.clone(),
        handler(|event, conn| {
            async move {
                diesel::sql_query("INSERT INTO fault_effects (message_id, aggregate_id) VALUES ($1, $2)")
                    .bind::<SqlUuid, _>(event.id)
                    .bind::<SqlUuid, _>(event.aggregate_id)
                    .execute(conn)
                    .await?;
                Ok(())
            }
            .boxed()
        }),
    )
}

/// Declares the checker's queue before any event is published (so none is unroutable).
async fn declare_checker(cfg: &EventsConfig, consumer: &Consumer) {
    let conn = events::connect_amqp(cfg.amqp_url.expose_secret(), "faults-setup").await.unwrap();
    let channel = conn.create_channel().await.unwrap();
    Topology::from_config(cfg).declare_queue(&channel, consumer.queue()).await.unwrap();
    conn.close(200, "declared").await.unwrap();
}

/// Deletes the test's queues and exchanges on the shared broker.
async fn delete_topology(cfg: &EventsConfig, consumer: &Consumer) {
    let conn = events::connect_amqp(cfg.amqp_url.expose_secret(), "faults-cleanup").await.unwrap();
    let topology = Topology::from_config(cfg);
    // HR's relay declared the platform's whole queue catalog under the prefix.
    let names = topology.catalog_queue_names_and(&[consumer.queue().name.as_str()]);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    topology.delete(&conn, &names).await.unwrap();
    let _ = conn.close(200, "cleaned").await;
}

/// HR's relay and the checker, running until [`Pipeline::stop`].
struct Pipeline {
    relay: Arc<RelayStats>,
    consumer: Arc<ConsumerStats>,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Pipeline {
    /// Declares the checker's queue, then starts the relay (as HR's relay role) and the checker.
    async fn start(cfg: &EventsConfig, hr: &TestServer) -> Self {
        let consumer = checker(cfg, hr);
        declare_checker(cfg, &consumer).await;
        let relay = Relay::new(
            cfg.clone(),
            SecretString::from(hr.database.url_for_role(hr::RELAY_ROLE)),
            "hr-relay",
        );
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let until = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        Self {
            relay: relay.stats(),
            consumer: consumer.stats(),
            tasks: vec![
                tokio::spawn(relay.run(until(stopped.clone()))),
                tokio::spawn(consumer.run(until(stopped))),
            ],
            stop,
        }
    }

    /// Stops both and waits for them.
    async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            t.await.unwrap();
        }
    }

    fn stats_line(&self) -> String {
        stats_line(&self.relay, &self.consumer)
    }
}

/// Creates employees `0..n` through HR's GraphQL endpoint with `concurrency` clients, each with
/// its idempotency key, retrying every failure (a database away) with the same key; returns
/// the employee id per index and how many requests failed and were retried.
async fn create_employees(hr: Arc<TestServer>, run: &str, n: usize, concurrency: usize, done: Arc<AtomicUsize>) -> (Vec<Uuid>, usize) {
    let token = hr.token_with_scopes("hr@northwind.test", &["hr:write", "hr:read"]);
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (hr, token, next, done, run) = (hr.clone(), token.clone(), next.clone(), done.clone(), run.to_owned());
        workers.push(tokio::spawn(async move {
            let mut created = Vec::new();
            let mut retries = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return (created, retries);
                }
                let input = json!({
                    "firstName": "Fault", "lastName": format!("Tester {i}"),
                    "email": format!("fault-{run}-{i}@northwind.test"), "hireDate": "2026-01-05",
                    "idempotencyKey": format!("fault-{run}-{i}"),
                });
                let started = Instant::now();
                let id = loop {
                    let (status, body) = hr.gql_status(&token, CREATE, json!({ "input": input })).await;
                    if let Some(id) = body["data"]["createEmployee"]["id"].as_str() {
                        break Uuid::parse_str(id).unwrap();
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(120),
                        "createEmployee {i} kept failing: {status} {body}"
                    );
                    retries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                };
                done.fetch_add(1, Ordering::Relaxed);
                created.push((i, id));
            }
        }));
    }
    let mut ids = vec![Uuid::nil(); n];
    let mut retries = 0;
    for w in workers {
        let (created, r) = w.await.unwrap();
        retries += r;
        for (i, id) in created {
            ids[i] = id;
        }
    }
    (ids, retries)
}

/// `employee.created` events already in the outbox (the demo seed's).
async fn seeded(hr: &TestServer) -> usize {
    count(hr, "SELECT count(*) AS n FROM outbox WHERE event_type = 'employee.created'").await as usize
}

async fn wait_for(done: &AtomicUsize, at_least: usize) {
    while done.load(Ordering::Relaxed) < at_least {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn ids(hr: &TestServer, sql: &str) -> Vec<Uuid> {
    let mut owner = hr.database.owner_connection().await.unwrap();
    let rows: Vec<Row> = diesel::sql_query(sql).load(&mut owner).await.unwrap();
    rows.into_iter().map(|r| r.id).collect()
}

async fn count(hr: &TestServer, sql: &str) -> i64 {
    let mut owner = hr.database.owner_connection().await.unwrap();
    let row: Count = diesel::sql_query(sql).get_result(&mut owner).await.unwrap();
    row.n
}

/// Lost, duplicated and unexpected effects of the `employee.created` events (the demo seed's and
/// the test's).
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    events: usize,
    lost: usize,
    duplicated: usize,
    unexpected: usize,
}

async fn verdict(hr: &TestServer) -> Verdict {
    let published = ids(hr, "SELECT id FROM outbox WHERE event_type = 'employee.created'").await;
    let applied = ids(hr, "SELECT message_id AS id FROM fault_effects").await;
    let mut times: HashMap<Uuid, usize> = HashMap::new();
    for id in &applied {
        *times.entry(*id).or_default() += 1;
    }
    let published_set: HashSet<Uuid> = published.iter().copied().collect();
    Verdict {
        events: published.len(),
        lost: published.iter().filter(|id| !times.contains_key(id)).count(),
        duplicated: times.values().filter(|n| **n > 1).count(),
        unexpected: times.keys().filter(|id| !published_set.contains(id)).count(),
    }
}

/// Waits until the outbox is drained and every event's effect is in (or `within` passes).
async fn drain(hr: &TestServer, expected: usize, within: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < within {
        let unpublished = count(hr, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL").await;
        let applied = count(hr, "SELECT count(DISTINCT message_id) AS n FROM fault_effects").await;
        if unpublished == 0 && applied as usize >= expected {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

fn stats_line(relay: &RelayStats, consumer: &ConsumerStats) -> String {
    format!(
        "relay published {} in {} batches, {} failed sessions; consumer deliveries {}, handled {}, duplicates absorbed {}, failures {}, held while the database was away {}",
        RelayStats::get(&relay.published),
        RelayStats::get(&relay.batches),
        RelayStats::get(&relay.failures),
        ConsumerStats::get(&consumer.deliveries),
        ConsumerStats::get(&consumer.handled),
        ConsumerStats::get(&consumer.duplicates),
        ConsumerStats::get(&consumer.failures),
        ConsumerStats::get(&consumer.waits_for_database),
    )
}

/// 2,000 mutations while RabbitMQ is stopped and restarted twice: every effect applied exactly
/// once and the outbox drained.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rabbitmq_stopped_and_restarted_twice_during_2000_mutations_loses_and_duplicates_nothing() {
    let rabbit = PrivateRabbit::start().await;
    let hr = Arc::new(start_hr(&platform::testing::server_url()).await);
    let seeded = seeded(&hr).await;
    let pipeline = Pipeline::start(&config(&rabbit.url()), &hr).await;

    let n = 2000;
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let load = tokio::spawn(create_employees(hr.clone(), "rabbit", n, 8, done.clone()));
    let mut outages = Vec::new();
    for at in [n / 5, n * 3 / 5] {
        wait_for(&done, at).await;
        let down = Instant::now();
        rabbit.stop().await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        rabbit.boot().await;
        outages.push((at, down.elapsed()));
    }
    let (created, retries) = load.await.unwrap();
    let load_time = started.elapsed();
    let drained_in = drain(&hr, n + seeded, Duration::from_secs(120)).await;
    let verdict = verdict(&hr).await;
    println!(
        "rabbitmq restarts: {n} mutations in {load_time:.1?} ({retries} retried), outages {outages:?}; drained {drained_in:.1?} after the load; {verdict:?}; {}",
        pipeline.stats_line()
    );
    assert_eq!(created.iter().filter(|id| !id.is_nil()).count(), n);
    assert_eq!(
        verdict,
        Verdict {
            events: n + seeded,
            lost: 0,
            duplicated: 0,
            unexpected: 0
        }
    );
    assert_eq!(count(&hr, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL").await, 0);
    assert!(RelayStats::get(&pipeline.relay.failures) >= 2, "the relay saw both outages");
    pipeline.stop().await;
}

/// A copy of every 10th message is published again: the effects are unchanged and the inbox
/// counted the copies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_duplicate_of_every_tenth_message_changes_no_effect() {
    let hr = Arc::new(start_hr(&platform::testing::server_url()).await);
    let seeded = seeded(&hr).await;
    let cfg = config(&common::amqp_url());
    let n = 500;
    let done = Arc::new(AtomicUsize::new(0));
    create_employees(hr.clone(), "dup", n, 8, done).await;
    // Publish as the relay does, and inject a second copy of every 10th event.
    let pipeline = Pipeline::start(&cfg, &hr).await;
    let consumer_stats = pipeline.consumer.clone();
    assert!(drain(&hr, n + seeded, Duration::from_secs(60)).await < Duration::from_secs(60));
    let mut owner = hr.database.owner_connection().await.unwrap();
    let events: Vec<Envelope> = {
        use diesel::{ExpressionMethods as _, QueryDsl as _, SelectableHelper as _};
        use platform::schema::outbox;
        outbox::table
            .filter(outbox::event_type.eq("employee.created"))
            .order(outbox::seq)
            .select(Envelope::as_select())
            .load(&mut owner)
            .await
            .unwrap()
    };
    let amqp = events::connect_amqp(cfg.amqp_url.expose_secret(), "duplicator").await.unwrap();
    let channel = amqp.create_channel().await.unwrap();
    let exchange = Topology::from_config(&cfg).exchange;
    let copies: Vec<&Envelope> = events.iter().step_by(10).collect();
    for event in &copies {
        channel
            .basic_publish(
                &exchange,
                &event.routing_key,
                BasicPublishOptions::default(),
                &serde_json::to_vec(event).unwrap(),
                BasicProperties::default()
                    .with_delivery_mode(2)
                    .with_message_id(event.id.to_string().into()),
            )
            .await
            .unwrap();
    }
    let start = Instant::now();
    while (ConsumerStats::get(&consumer_stats.duplicates) as usize) < copies.len() && start.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let verdict = verdict(&hr).await;
    println!(
        "duplicates: {} events, {} copies injected; {verdict:?}; consumer handled {}, duplicates absorbed {}",
        events.len(),
        copies.len(),
        ConsumerStats::get(&consumer_stats.handled),
        ConsumerStats::get(&consumer_stats.duplicates)
    );
    assert_eq!(
        verdict,
        Verdict {
            events: n + seeded,
            lost: 0,
            duplicated: 0,
            unexpected: 0
        }
    );
    assert_eq!(ConsumerStats::get(&consumer_stats.duplicates) as usize, copies.len());
    assert_eq!(ConsumerStats::get(&consumer_stats.handled) as usize, n + seeded);
    pipeline.stop().await;
    let _ = amqp.close(200, "done").await;
    delete_topology(&cfg, &checker(&cfg, &hr)).await;
}

/// PostgreSQL crashes twice while mutations run: every employee has exactly one
/// `employee.created` outbox row and every such row its employee; the outbox drains and every
/// effect is applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgresql_crashing_during_load_leaves_no_business_row_without_its_event() {
    let pg = PrivatePostgres::start();
    let hr = Arc::new(start_hr(&pg.server_url()).await);
    let seeded = seeded(&hr).await;
    let cfg = config(&common::amqp_url());
    let pipeline = Pipeline::start(&cfg, &hr).await;

    let n = 1000;
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let load = tokio::spawn(create_employees(hr.clone(), "pg", n, 8, done.clone()));
    for at in [n / 4, n * 3 / 5] {
        wait_for(&done, at).await;
        pg.crash_and_restart(Duration::from_millis(500)).await;
    }
    let (created, retries) = load.await.unwrap();
    let load_time = started.elapsed();
    let drained_in = drain(&hr, n + seeded, Duration::from_secs(120)).await;

    let employees = ids(&hr, "SELECT id FROM employees WHERE email LIKE 'fault-%'").await;
    let orphans = count(
        &hr,
        "SELECT count(*) AS n FROM employees e WHERE e.email LIKE 'fault-%' AND (SELECT count(*) FROM outbox o
           WHERE o.event_type = 'employee.created' AND o.aggregate_id = e.id) <> 1",
    )
    .await;
    let ghosts = count(
        &hr,
        "SELECT count(*) AS n FROM outbox o WHERE o.event_type = 'employee.created'
           AND NOT EXISTS (SELECT 1 FROM employees e WHERE e.id = o.aggregate_id)",
    )
    .await;
    let verdict = verdict(&hr).await;
    println!(
        "postgresql crashes: {n} mutations in {load_time:.1?} ({retries} failed and retried with their idempotency key); drained {drained_in:.1?} after; \
         employees {}, without exactly one event {orphans}, events without employee {ghosts}; {verdict:?}; {}",
        employees.len(),
        pipeline.stats_line()
    );
    let distinct: HashSet<Uuid> = created.iter().copied().collect();
    assert_eq!(distinct.len(), n, "every request got its own employee");
    assert_eq!(employees.len(), n, "no employee twice, none missing");
    assert_eq!((orphans, ghosts), (0, 0));
    assert_eq!(
        verdict,
        Verdict {
            events: n + seeded,
            lost: 0,
            duplicated: 0,
            unexpected: 0
        }
    );
    pipeline.stop().await;
    delete_topology(&cfg, &checker(&cfg, &hr)).await;
}
