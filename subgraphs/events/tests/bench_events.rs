//! Event pipeline figures (`make bench-events`; ignored in `make test`): the latency from a
//! mutation's commit to its consumer's effect, and the relay's and a consumer's throughput.
//! Prints figures; asserts only that every event arrived.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use common::World;
use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use events::{Consumer, ConsumerStats, EventsConfig, Relay, RelayStats, Topology, handler};
use futures::FutureExt as _;
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Commit-to-effect latency: HR `createEmployee` over HTTP at a steady rate, HR's relay, and a
/// consumer that records `clock_timestamp()` in its handling transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: make bench-events"]
async fn bench_commit_to_effect_latency() {
    let hr = common::start_hr_with(
        &platform::testing::server_url(),
        "CREATE TABLE bench_effects (aggregate_id uuid NOT NULL, handled_at timestamptz NOT NULL DEFAULT clock_timestamp())",
        "bench_effects",
    )
    .await;
    let mut owner = hr.database.owner_connection().await.unwrap();
    let mut cfg = EventsConfig::new(
        &common::amqp_url(),
        &format!("bench.{}.", &Uuid::new_v4().simple().to_string()[..10]),
    );
    cfg.prefetch = 64;
    let topology = Topology::from_config(&cfg);
    let queue = topology.queue("bench", "latency", &["hr.employee.created"]);
    let consumer = Consumer::new(
        &cfg,
        queue.clone(),
        hr.db.clone(),
        handler(|event, conn| {
            async move {
                diesel::sql_query("INSERT INTO bench_effects (aggregate_id) VALUES ($1)")
                    .bind::<SqlUuid, _>(event.aggregate_id)
                    .execute(conn)
                    .await?;
                Ok(())
            }
            .boxed()
        }),
    );
    let amqp = events::connect_amqp(&common::amqp_url(), "bench-setup").await.unwrap();
    let channel = amqp.create_channel().await.unwrap();
    topology.declare_queue(&channel, &queue).await.unwrap();
    let relay = Relay::new(
        cfg.clone(),
        SecretString::from(hr.database.url_for_role(hr::RELAY_ROLE)),
        "bench-relay",
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let tasks = [
        tokio::spawn(relay.run(until(stopped.clone()))),
        tokio::spawn(consumer.run(until(stopped.clone()))),
    ];
    tokio::time::sleep(Duration::from_millis(500)).await;

    let token = hr.token_with_scopes("hr@northwind.test", &["hr:write"]);
    let hr = Arc::new(hr);
    let (n, rate) = (600usize, 40.0);
    let mut sent: Vec<(Uuid, DateTime<Utc>)> = Vec::with_capacity(n);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let mut next = Instant::now();
    for i in 0..n {
        tokio::time::sleep_until(next.into()).await;
        next += interval;
        let input = json!({"firstName": "Bench", "lastName": format!("Person {i}"), "email": format!("bench-{i}@northwind.test"), "hireDate": "2026-01-05"});
        let body = hr
            .ok(
                &token,
                "mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }",
                json!({ "input": input }),
            )
            .await;
        let committed: DateTime<Utc> = SystemTime::now().into();
        sent.push((Uuid::parse_str(body["createEmployee"]["id"].as_str().unwrap()).unwrap(), committed));
    }
    #[derive(diesel::QueryableByName)]
    struct Effect {
        #[diesel(sql_type = SqlUuid)]
        aggregate_id: Uuid,
        #[diesel(sql_type = Timestamptz)]
        handled_at: DateTime<Utc>,
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let effects: Vec<Effect> = loop {
        let rows: Vec<Effect> = diesel::sql_query("SELECT aggregate_id, handled_at FROM bench_effects")
            .load(&mut owner)
            .await
            .unwrap();
        let seen: std::collections::HashSet<Uuid> = rows.iter().map(|r| r.aggregate_id).collect();
        if sent.iter().all(|(id, _)| seen.contains(id)) || Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let handled: std::collections::HashMap<Uuid, DateTime<Utc>> = effects.into_iter().map(|e| (e.aggregate_id, e.handled_at)).collect();
    let mut latencies: Vec<f64> = sent
        .iter()
        .map(|(id, committed)| {
            (*handled.get(id).expect("every effect arrived") - *committed)
                .num_microseconds()
                .unwrap() as f64
                / 1000.0
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    println!(
        "commit -> consumer effect, {n} mutations at {rate}/s: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies.last().unwrap()
    );
    let _ = stop.send(true);
    for t in tasks {
        t.await.unwrap();
    }
    // The relay declared the platform's whole queue catalog under the prefix.
    let names = topology.catalog_queue_names_and(&[queue.name.as_str()]);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    topology.delete(&amqp, &names).await.unwrap();
}

/// Relay throughput: 20,000 outbox rows published by one relay, then by two; and a consumer's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: make bench-events"]
async fn bench_relay_and_consumer_throughput() {
    for relays in [1usize, 2] {
        let mut world = World::new().await;
        let queue = world.queue("throughput", &["hr.#"]).await;
        let n = 20_000i64;
        world.insert_events(Uuid::new_v4(), n, "hr.employee.updated").await;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let until = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let started = Instant::now();
        let mut stats = Vec::new();
        let mut tasks = Vec::new();
        for r in 0..relays {
            let relay = world.relay(&format!("bench-relay-{r}"));
            stats.push(relay.stats());
            tasks.push(tokio::spawn(relay.run(until(stopped.clone()))));
        }
        let published = || stats.iter().map(|s| RelayStats::get(&s.published)).sum::<u64>();
        while published() < n as u64 {
            assert!(started.elapsed() < Duration::from_secs(300), "relay too slow");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let relay_time = started.elapsed();
        println!(
            "relay ({relays} replica{}): {n} events in {relay_time:.2?} = {:.0} events/s",
            if relays == 1 { "" } else { "s" },
            n as f64 / relay_time.as_secs_f64()
        );
        if relays == 1 {
            let consumer = Consumer::new(
                &world.cfg,
                queue.clone(),
                world.db.clone(),
                handler(|_, _| async move { Ok(()) }.boxed()),
            );
            let cstats = consumer.stats();
            let started = Instant::now();
            tasks.push(tokio::spawn(consumer.run(until(stopped.clone()))));
            while ConsumerStats::get(&cstats.handled) < n as u64 {
                assert!(started.elapsed() < Duration::from_secs(300), "consumer too slow");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let t = started.elapsed();
            println!(
                "consumer (inbox insert + commit + ack per message, prefetch {}): {n} events in {t:.2?} = {:.0} events/s",
                world.cfg.prefetch,
                n as f64 / t.as_secs_f64()
            );
        }
        let _ = stop.send(true);
        for t in tasks {
            t.await.unwrap();
        }
        world.cleanup().await;
    }
}
