//! Idempotent consumers against the real PostgreSQL and RabbitMQ.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{World, shutdown_pair, wait_until};
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::RunQueryDsl;
use events::{Consumer, ConsumerStats, Envelope, Handler, Outcome, Topology, handler};
use futures::{FutureExt as _, StreamExt as _};
use lapin::options::{BasicConsumeOptions, BasicQosOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use platform::AppError;
use uuid::Uuid;

/// The handler's effect: one row per handled event, in the handling transaction.
fn record_effect() -> impl Handler {
    handler(|event, conn| {
        async move {
            diesel::sql_query("INSERT INTO test_effects (message_id, tenant_id) VALUES ($1, $2)")
                .bind::<SqlUuid, _>(event.id)
                .bind::<SqlUuid, _>(event.tenant_id)
                .execute(conn)
                .await?;
            Ok(())
        }
        .boxed()
    })
}

/// Every event published by a relay, in outbox order (owner view).
async fn outbox_events(world: &World) -> Vec<Envelope> {
    use diesel::{QueryDsl as _, SelectableHelper as _};
    use platform::schema::outbox;
    let mut owner = world.owner().await;
    outbox::table
        .order(outbox::seq)
        .select(Envelope::as_select())
        .load(&mut owner)
        .await
        .unwrap()
}

fn get(c: &std::sync::atomic::AtomicU64) -> u64 {
    ConsumerStats::get(c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_absorbed_by_the_inbox() {
    let mut world = World::new().await;
    let queue = world.queue("effects", &["hr.employee.*"]).await;
    let n = 500;
    world.insert_events(Uuid::new_v4(), n, "hr.employee.updated").await;
    let consumer = Consumer::new(&world.cfg, queue.clone(), world.db.clone(), record_effect());
    let stats = consumer.stats();
    let relay = world.relay("relay-dup");
    let (stop_relay, relay_shutdown) = shutdown_pair();
    let (stop_consumer, consumer_shutdown) = shutdown_pair();
    let started = Instant::now();
    let relay_task = tokio::spawn(relay.run(relay_shutdown));
    let consumer_task = tokio::spawn(consumer.run(consumer_shutdown));
    assert!(wait_until(Duration::from_secs(60), async || get(&stats.handled) == n as u64).await);
    let elapsed = started.elapsed();
    // A duplicate of every 10th message, published again as a relay retrying would.
    let events = outbox_events(&world).await;
    for event in events.iter().step_by(10) {
        world.publish_copy(event).await;
    }
    let copies = events.len().div_ceil(10) as u64;
    assert!(wait_until(Duration::from_secs(30), async || get(&stats.duplicates) == copies).await);
    println!(
        "consumer: {n} events relayed and handled in {:.2}s = {:.0} events/s; {} duplicates absorbed",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        get(&stats.duplicates)
    );
    assert_eq!(world.count("SELECT count(*) AS n FROM test_effects").await, n);
    assert_eq!(world.count("SELECT count(DISTINCT message_id) AS n FROM test_effects").await, n);
    assert_eq!(world.count("SELECT count(*) AS n FROM inbox").await, n);
    assert_eq!(get(&stats.handled), n as u64);
    assert_eq!(get(&stats.failures), 0);
    assert_eq!(get(&stats.deliveries), n as u64 + copies);
    let _ = (stop_relay.send(()), stop_consumer.send(()));
    relay_task.await.unwrap();
    consumer_task.await.unwrap();
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_are_dead_lettered_after_the_delivery_limit() {
    let mut world = World::new().await;
    world.cfg.delivery_limit = 3;
    world.reconfigure();
    let queue = world.queue("poison", &["hr.#"]).await;
    let tenant = Uuid::new_v4();
    let good = world.insert_events(tenant, 100, "hr.employee.updated").await;
    let failing = world.insert_events(tenant, 1, "hr.poison.fails").await[0];
    let panicking = world.insert_events(tenant, 1, "hr.poison.panics").await[0];
    let later = world.insert_events(tenant, 100, "hr.employee.updated").await;

    let attempts: Arc<Mutex<HashMap<Uuid, u32>>> = Arc::default();
    let seen = attempts.clone();
    let consumer = Consumer::new(
        &world.cfg,
        queue.clone(),
        world.db.clone(),
        handler(move |event, conn| {
            *seen.lock().unwrap().entry(event.id).or_default() += 1;
            let kind = event.routing_key.clone();
            async move {
                match kind.as_str() {
                    "hr.poison.fails" => Err(AppError::bad_input("this event can never be applied")),
                    "hr.poison.panics" => panic!("a handler bug"),
                    _ => {
                        diesel::sql_query("INSERT INTO test_effects (message_id, tenant_id) VALUES ($1, $2)")
                            .bind::<SqlUuid, _>(event.id)
                            .bind::<SqlUuid, _>(event.tenant_id)
                            .execute(conn)
                            .await?;
                        Ok(())
                    }
                }
            }
            .boxed()
        }),
    );
    let stats = consumer.stats();
    let relay = world.relay("relay-poison");
    let (stop_relay, relay_shutdown) = shutdown_pair();
    let (stop_consumer, consumer_shutdown) = shutdown_pair();
    let relay_task = tokio::spawn(relay.run(relay_shutdown));
    let consumer_task = tokio::spawn(consumer.run(consumer_shutdown));
    let dlq = Topology::dead_letter_queue(&queue.name);
    let started = Instant::now();
    assert!(
        wait_until(Duration::from_secs(60), async || get(&stats.handled) == 200
            && world.depth(&dlq).await == 2)
        .await,
        "handled {} dead-lettered {}",
        get(&stats.handled),
        world.depth(&dlq).await
    );
    let attempts = attempts.lock().unwrap().clone();
    println!(
        "poison: 200 good events handled and 2 poison messages dead-lettered in {:.2}s; attempts: fails {}, panics {}; failures {}",
        started.elapsed().as_secs_f64(),
        attempts[&failing],
        attempts[&panicking],
        get(&stats.failures)
    );
    // Exactly the configured attempts (the queue declares x-delivery-limit = attempts - 1).
    let expected = world.cfg.delivery_limit;
    assert_eq!(attempts[&failing], expected);
    assert_eq!(attempts[&panicking], expected);
    assert_eq!(get(&stats.failures), 2 * u64::from(expected));
    let mut dead = vec![world.take(&dlq).await.unwrap().0.id, world.take(&dlq).await.unwrap().0.id];
    dead.sort();
    let mut poison = vec![failing, panicking];
    poison.sort();
    assert_eq!(dead, poison);
    // The others all went through, once, and the poison left nothing behind.
    assert_eq!(world.count("SELECT count(*) AS n FROM test_effects").await, 200);
    assert!(good.iter().chain(&later).all(|id| attempts[id] == 1));
    assert_eq!(
        world
            .count(&format!(
                "SELECT count(*) AS n FROM inbox WHERE message_id IN ('{failing}', '{panicking}')"
            ))
            .await,
        0
    );
    let _ = (stop_relay.send(()), stop_consumer.send(()));
    relay_task.await.unwrap();
    consumer_task.await.unwrap();
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_killed_between_commit_and_ack_has_its_redelivery_absorbed() {
    let mut world = World::new().await;
    let queue = world.queue("crash", &["hr.#"]).await;
    let ids = world.insert_events(Uuid::new_v4(), 3, "hr.employee.created").await;
    let consumer = Consumer::new(&world.cfg, queue.clone(), world.db.clone(), record_effect());
    let stats = consumer.stats();
    let relay = world.relay("relay-crash");
    let (stop_relay, relay_shutdown) = shutdown_pair();
    let relay_task = tokio::spawn(relay.run(relay_shutdown));
    assert!(wait_until(Duration::from_secs(30), async || world.depth(&queue.name).await == 3).await);

    // A consumer that handles and commits the first message, then dies before its ack.
    let doomed = events::connect_amqp(&common::amqp_url(), "doomed").await.unwrap();
    let channel = doomed.create_channel().await.unwrap();
    channel.basic_qos(1, BasicQosOptions::default()).await.unwrap();
    let mut deliveries = channel
        .basic_consume(&queue.name, "doomed", BasicConsumeOptions::default(), FieldTable::default())
        .await
        .unwrap();
    let delivery = tokio::time::timeout(Duration::from_secs(10), deliveries.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(consumer.process(&delivery.data).await, Outcome::Handled);
    let first: Envelope = serde_json::from_slice(&delivery.data).unwrap();
    drop(deliveries);
    doomed.close(320, "killed before the ack").await.unwrap();

    // A healthy consumer gets the unacknowledged message again: the inbox absorbs it.
    let (stop_consumer, consumer_shutdown) = shutdown_pair();
    let consumer_task = tokio::spawn(consumer.run(consumer_shutdown));
    assert!(
        wait_until(Duration::from_secs(30), async || get(&stats.handled) == 3
            && get(&stats.duplicates) == 1)
        .await
    );
    println!(
        "crash: deliveries {}, handled {}, duplicates {}",
        get(&stats.deliveries),
        get(&stats.handled),
        get(&stats.duplicates)
    );
    assert_eq!(world.count("SELECT count(*) AS n FROM test_effects").await, 3);
    assert_eq!(
        world
            .count(&format!("SELECT count(*) AS n FROM test_effects WHERE message_id = '{}'", first.id))
            .await,
        1
    );
    assert!(ids.contains(&first.id));
    assert_eq!(get(&stats.deliveries), 4);
    let _ = (stop_relay.send(()), stop_consumer.send(()));
    relay_task.await.unwrap();
    consumer_task.await.unwrap();
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_an_envelope_goes_straight_to_the_dead_letter_queue() {
    let mut world = World::new().await;
    let queue = world.queue("garbage", &["hr.#"]).await;
    world
        .channel
        .basic_publish(
            &world.topology.exchange,
            "hr.thing.garbage",
            lapin::options::BasicPublishOptions::default(),
            b"not json",
            lapin::BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    let consumer = Consumer::new(&world.cfg, queue.clone(), world.db.clone(), record_effect());
    let stats = consumer.stats();
    let (stop, shutdown) = shutdown_pair();
    let task = tokio::spawn(consumer.run(shutdown));
    let dlq = Topology::dead_letter_queue(&queue.name);
    assert!(wait_until(Duration::from_secs(20), async || world.depth(&dlq).await == 1).await);
    assert_eq!(get(&stats.rejected), 1);
    assert_eq!(get(&stats.deliveries), 1);
    let _ = stop.send(());
    task.await.unwrap();
    world.cleanup().await;
}

/// Test clean-up keeps deleting after a refused delete, so one bad name cannot leave a stack's
/// other queues behind on the broker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_up_deletes_every_queue_even_after_a_refused_delete() {
    let mut world = World::new().await;
    let queue = world.queue("cleanup", &["test.thing.*"]).await;
    let dlq = Topology::dead_letter_queue(&queue.name);
    // A queue exclusive to the world's connection: another connection's delete is refused
    // (RESOURCE_LOCKED), which closes that channel. It goes when the world's connection closes.
    let locked = format!("{}locked", world.cfg.prefix);
    let exclusive = QueueDeclareOptions {
        exclusive: true,
        ..QueueDeclareOptions::default()
    };
    world
        .channel
        .queue_declare(&locked, exclusive, FieldTable::default())
        .await
        .unwrap();
    let conn = events::connect_amqp(&common::amqp_url(), "cleanup-test").await.unwrap();
    let result = world.topology.delete(&conn, &[locked.as_str(), queue.name.as_str()]).await;
    assert!(result.is_err(), "the refused delete is reported");
    for name in [queue.name.as_str(), dlq.as_str()] {
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        // A failed passive declare closes its channel: one channel per probe.
        let probe = conn.create_channel().await.unwrap();
        let exists = probe.queue_declare(name, passive, FieldTable::default()).await;
        assert!(exists.is_err(), "{name} was deleted after the refused delete");
    }
    let _ = conn.close(200, "test done").await;
    world.cleanup().await;
}
