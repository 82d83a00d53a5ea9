//! The outbox relay against the real PostgreSQL and RabbitMQ.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::{World, collect, shutdown_pair, wait_until};
use events::RelayStats;
use lapin::types::AMQPValue;
use platform::ScopedFutureExt as _;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_publishes_each_row_once_and_marks_it() {
    let mut world = World::new().await;
    let sink = world.queue("sink", &["hr.#"]).await;
    let tenant = Uuid::new_v4();
    // A few rows the way a mutation writes them: the application role, in its transaction.
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = world
            .db
            .tx(tenant, |conn| {
                async move {
                    platform::journal::publish(
                        conn,
                        "hr",
                        tenant,
                        Some("req-1"),
                        None,
                        "employee",
                        Uuid::new_v4(),
                        "created",
                        serde_json::json!({"i": i}),
                    )
                    .await
                }
                .scope_boxed()
            })
            .await
            .unwrap();
        ids.push(id);
    }
    ids.extend(world.insert_events(tenant, 2000, "hr.employee.updated").await);
    let n = ids.len();

    let relay = world.relay("relay-test");
    let stats = relay.stats();
    let (stop, shutdown) = shutdown_pair();
    let started = Instant::now();
    let task = tokio::spawn(relay.run(shutdown));
    let (seen, first) = collect(&world.channel, &sink.name, n, Duration::from_secs(60)).await;
    let elapsed = started.elapsed();
    println!(
        "relay: {n} events published and received in {:.2}s = {:.0} events/s ({} batches)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        RelayStats::get(&stats.batches)
    );
    assert_eq!(seen.len(), n, "every event arrives");
    assert!(ids.iter().all(|id| seen.get(id) == Some(&1)), "each exactly once");
    assert!(
        wait_until(Duration::from_secs(10), async || world
            .count("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
            .await
            == 0)
        .await
    );
    assert_eq!(RelayStats::get(&stats.published), n as u64);
    assert_eq!(RelayStats::get(&stats.unroutable), 0);

    // The message as consumers see it: the first row, as a persistent JSON message.
    let (event, props) = first.unwrap();
    assert_eq!(event.id, ids[0]);
    assert_eq!(event.routing_key, "hr.employee.created");
    assert_eq!(event.event_type, "employee.created");
    assert_eq!(event.tenant_id, tenant);
    assert_eq!(event.request_id.as_deref(), Some("req-1"));
    assert_eq!(event.payload, serde_json::json!({"i": 0}));
    assert_eq!(*props.delivery_mode(), Some(2));
    assert_eq!(props.content_type().as_ref().map(|s| s.as_str()), Some("application/json"));
    assert_eq!(props.message_id().as_ref().map(|s| s.to_string()), Some(event.id.to_string()));
    assert_eq!(props.kind().as_ref().map(|s| s.as_str()), Some("hr.employee.created"));
    let headers = props.headers().clone().unwrap();
    assert_eq!(headers.inner().get("seq"), Some(&AMQPValue::LongLongInt(event.seq)));
    assert!(matches!(headers.inner().get("tenant_id"), Some(AMQPValue::LongString(s)) if s.to_string() == tenant.to_string()));
    assert!(headers.inner().contains_key("occurred_at"));

    // Published rows stay: the ordered per-tenant log.
    assert_eq!(world.count("SELECT count(*) AS n FROM outbox").await, n as i64);
    let _ = stop.send(());
    task.await.unwrap();
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_publish_every_row_exactly_once() {
    let mut world = World::new().await;
    world.cfg.relay_batch = 50;
    let sink = world.queue("sink", &["#"]).await;
    let n = 3000;
    let mut ids = Vec::new();
    for t in 0..3 {
        ids.extend(world.insert_events(Uuid::new_v4(), n / 3, &format!("hr.thing.e{t}")).await);
    }
    let (a, b) = (world.relay("relay-a"), world.relay("relay-b"));
    let (stats_a, stats_b) = (a.stats(), b.stats());
    let (stop_a, shutdown_a) = shutdown_pair();
    let (stop_b, shutdown_b) = shutdown_pair();
    let started = Instant::now();
    let tasks = [tokio::spawn(a.run(shutdown_a)), tokio::spawn(b.run(shutdown_b))];
    let (seen, _) = collect(&world.channel, &sink.name, ids.len(), Duration::from_secs(60)).await;
    let elapsed = started.elapsed();
    let duplicates: u32 = seen.values().map(|c| c - 1).sum();
    println!(
        "two relays: {} events in {:.2}s = {:.0} events/s; relay-a {} + relay-b {}; duplicates {duplicates}",
        ids.len(),
        elapsed.as_secs_f64(),
        ids.len() as f64 / elapsed.as_secs_f64(),
        RelayStats::get(&stats_a.published),
        RelayStats::get(&stats_b.published),
    );
    assert_eq!(seen.len(), ids.len(), "lost none");
    assert!(ids.iter().all(|id| seen.contains_key(id)), "nothing unexpected");
    assert_eq!(duplicates, 0, "SKIP LOCKED: no row is claimed by both");
    assert_eq!(
        RelayStats::get(&stats_a.published) + RelayStats::get(&stats_b.published),
        ids.len() as u64
    );
    assert_eq!(world.count("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL").await, 0);
    let _ = (stop_a.send(()), stop_b.send(()));
    for t in tasks {
        t.await.unwrap();
    }
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wakes_the_relay_and_unroutable_events_are_marked() {
    let mut world = World::new().await;
    // A poll far longer than the test: only NOTIFY can wake the relay.
    world.cfg.relay_poll = Duration::from_secs(600);
    let sink = world.queue("sink", &["hr.employee.*"]).await;
    let relay = world.relay("relay-notify");
    let stats = relay.stats();
    let (stop, shutdown) = shutdown_pair();
    let task = tokio::spawn(relay.run(shutdown));
    // Let it connect, drain the (empty) outbox and go to sleep.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let tenant = Uuid::new_v4();
    let started = Instant::now();
    let ids = world.insert_events(tenant, 1, "hr.employee.created").await;
    let (seen, _) = collect(&world.channel, &sink.name, 1, Duration::from_secs(20)).await;
    println!("notify: commit -> received in {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
    assert_eq!(seen.get(&ids[0]), Some(&1));

    // Nobody is bound to this key: returned by the broker, logged, and still marked published.
    let orphan = world.insert_events(tenant, 1, "hr.nobody.listens").await;
    assert!(wait_until(Duration::from_secs(20), async || RelayStats::get(&stats.unroutable) == 1).await);
    assert_eq!(
        world
            .count(&format!(
                "SELECT count(*) AS n FROM outbox WHERE id = '{}' AND published_at IS NOT NULL",
                orphan[0]
            ))
            .await,
        1
    );
    let _ = stop.send(());
    task.await.unwrap();
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_only_old_published_rows() {
    let world = World::new().await;
    let tenant = Uuid::new_v4();
    world.insert_events(tenant, 10, "hr.thing.old").await;
    world.insert_events(tenant, 5, "hr.thing.pending").await;
    let mut owner = world.owner().await;
    use diesel_async::SimpleAsyncConnection as _;
    owner
        .batch_execute(
            "UPDATE outbox SET published_at = now() - interval '40 days' WHERE routing_key = 'hr.thing.old';
             INSERT INTO inbox (queue, message_id, tenant_id, received_at)
             VALUES ('q', gen_random_uuid(), gen_random_uuid(), now() - interval '40 days'),
                    ('q', gen_random_uuid(), gen_random_uuid(), now());",
        )
        .await
        .unwrap();
    let relay = world.relay("relay-retention");
    let mut conn =
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(&world.database.url_for_role(common::RELAY_ROLE))
            .await
            .unwrap();
    let deleted = relay.cleanup(&mut conn).await.unwrap();
    assert_eq!(deleted, 11, "10 old outbox rows and 1 old inbox id");
    assert_eq!(
        world.count("SELECT count(*) AS n FROM outbox").await,
        5,
        "unpublished rows are never deleted"
    );
    assert_eq!(world.count("SELECT count(*) AS n FROM inbox").await, 1);
    world.cleanup().await;
}
