//! SIGTERM under a mutation load: the HR binary finishes every in-flight mutation, stops its
//! relay, publishes what is left in the outbox, and exits 0 — no event stays behind.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use platform::auth::{KeyPair, TokenRequest};
use platform::config::DatabaseConfig;
use platform::testing::TestDatabase;
use serde_json::json;
use tokio::sync::Mutex;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(database: &TestDatabase, sql: &str) -> i64 {
    use diesel_async::RunQueryDsl as _;
    let mut owner = database.owner_connection().await.unwrap();
    diesel::sql_query(sql).get_result::<Count>(&mut owner).await.unwrap().n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_mutation_load_drains_requests_flushes_the_relay_and_exits_cleanly() {
    let database = TestDatabase::create(&hr::test_support::spec()).await.unwrap();
    let db = platform::Db::connect(&DatabaseConfig::for_url(&database.app_url, "sigterm-seed")).unwrap();
    hr::seed::run(&db).await.unwrap();

    // A queue of the test's own receives every employee.created the binary publishes.
    let amqp_url = std::env::var("AMQP_URL").unwrap_or_else(|_| events::config::DEFAULT_AMQP_URL.to_owned());
    let cfg = events::EventsConfig::new(&amqp_url, &format!("test.{}.", &uuid::Uuid::new_v4().simple().to_string()[..10]));
    let topology = events::Topology::from_config(&cfg);
    let queue = topology.queue("sigterm", "check", &["hr.employee.created"]);
    let amqp = events::connect_amqp(&amqp_url, "sigterm-test").await.unwrap();
    let channel = amqp.create_channel().await.unwrap();
    topology.declare_queue(&channel, &queue).await.unwrap();

    let keys = KeyPair::generate();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("public.pem");
    std::fs::write(&key_file, keys.public_pem()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hr"))
        .arg("serve")
        .env("HR_LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("HR_DATABASE_URL", &database.app_url)
        .env("HR_RELAY_DATABASE_URL", database.url_for_role(hr::RELAY_ROLE))
        .env("JWT_PUBLIC_KEY_FILE", &key_file)
        .env("AMQP_URL", &amqp_url)
        .env("EVENTS_PREFIX", &cfg.prefix)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<axum::body::Bytes>>();
    for _ in 0..100 {
        if let Ok(res) = client.get(format!("{base}/healthz").parse().unwrap()).await
            && res.status() == 200
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let user = platform::demo::user("hr@northwind.test").unwrap();
    let token = keys
        .signer(platform::auth::DEFAULT_ISSUER)
        .sign(&TokenRequest {
            subject: user.user_id().to_string(),
            tenant_id: platform::demo::tenant_id(user.tenant),
            employee_id: Some(user.employee_id()),
            roles: user.roles.to_vec(),
            scopes: vec!["*".into()],
            audience: hr::SUBGRAPH.into(),
            ttl_seconds: 300,
        })
        .unwrap();

    let sigterm_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let (ok, failed_in_flight, next) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (client, base, token, sigterm_at) = (client.clone(), base.clone(), token.clone(), sigterm_at.clone());
        let (ok, failed_in_flight, next) = (ok.clone(), failed_in_flight.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let body = json!({
                    "query": "mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }",
                    "variables": {"input": {"firstName": "Term", "lastName": format!("Person {i}"), "email": format!("term-{i}@northwind.test"),
                                             "hireDate": "2026-01-05", "employeeNumber": format!("T{i:06}")}},
                });
                let started = Instant::now();
                let req = hyper::Request::post(format!("{base}/graphql"))
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {token}"))
                    .header("connection", "close")
                    .body(http_body_util::Full::new(axum::body::Bytes::from(serde_json::to_vec(&body).unwrap())))
                    .unwrap();
                let outcome = match client.request(req).await {
                    Ok(res) if res.status() == 200 => {
                        let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
                        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                        v["data"]["createEmployee"]["id"].is_string()
                    }
                    _ => false,
                };
                let term = *sigterm_at.lock().await;
                match (outcome, term) {
                    (true, _) => {
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    (false, Some(t)) if started + Duration::from_millis(50) < t => {
                        failed_in_flight.fetch_add(1, Ordering::SeqCst);
                    }
                    (false, None) => {
                        failed_in_flight.fetch_add(1, Ordering::SeqCst);
                    }
                    (false, Some(_)) => return,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(ok.load(Ordering::SeqCst) > 0, "HR served mutations before the signal");
    *sigterm_at.lock().await = Some(Instant::now());
    let signalled = Instant::now();
    assert!(
        std::process::Command::new("kill")
            .arg("-TERM")
            .arg(child.id().unwrap().to_string())
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exited within the grace period")
        .unwrap();
    let took = signalled.elapsed();
    for w in workers {
        let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
    }
    let created = count(&database, "SELECT count(*) AS n FROM employees WHERE email LIKE 'term-%'").await;
    let events = count(&database, "SELECT count(*) AS n FROM outbox WHERE event_type = 'employee.created'").await;
    let unpublished = count(&database, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL").await;
    let queued = channel
        .queue_declare(
            &queue.name,
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap()
        .message_count();
    println!(
        "HR SIGTERM: {} mutations succeeded, {created} employees created, exited in {took:?} with {status}; \
         employee.created events {events}, in the queue {queued}, left unpublished {unpublished}",
        ok.load(Ordering::SeqCst)
    );
    // The binary's relay declared the platform's whole queue catalog under the prefix.
    let names = topology.catalog_queue_names_and(&[queue.name.as_str()]);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    topology.delete(&amqp, &names).await.unwrap();
    assert!(status.success(), "exit status {status}");
    assert_eq!(failed_in_flight.load(Ordering::SeqCst), 0, "every in-flight mutation completed");
    assert!(created as usize >= ok.load(Ordering::SeqCst));
    assert_eq!(unpublished, 0, "the relay flushed the outbox before exiting");
    assert_eq!(i64::from(queued), events, "every event reached the broker once");
}
