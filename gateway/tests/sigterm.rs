//! SIGTERM under load: the gateway binary stops accepting, finishes every in-flight request and
//! exits 0 within its grace period.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tokio::sync::Mutex;

const QUERY: &str = "{ tasks(first: 100) { nodes { id name assignee { displayName department { name } } shot { code } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_drains_in_flight_requests_and_exits_cleanly() {
    let stack = Stack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("private.pem");
    std::fs::write(&key_file, stack.keys.private_pem()).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let prefix = format!("{}sigterm:", stack.redis_prefix);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("serve")
        .arg("--supergraph")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/supergraph.graphql"))
        .env("GATEWAY_LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("GATEWAY_SUBGRAPH_HR_URL", format!("http://{}/graphql", stack.hr.addr))
        .env(
            "GATEWAY_SUBGRAPH_PRODUCTION_URL",
            format!("http://{}/graphql", stack.production.addr),
        )
        .env("GATEWAY_SUBGRAPH_RENDER_URL", format!("http://{}/graphql", stack.render.addr))
        .env("JWT_PRIVATE_KEY_FILE", &key_file)
        .env("GATEWAY_REDIS_PREFIX", &prefix)
        .env("GATEWAY_RATE_LIMIT_PER_PRINCIPAL", "0")
        .env("GATEWAY_RATE_LIMIT_PER_TENANT", "0")
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
    let token = stack.token("sup@northwind.test");
    let body = serde_json::to_vec(&json!({ "query": QUERY })).unwrap();
    let sigterm_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let (ok, failed_in_flight, refused_after) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut workers = Vec::new();
    for _ in 0..16 {
        let (client, base, token, body, sigterm_at) = (client.clone(), base.clone(), token.clone(), body.clone(), sigterm_at.clone());
        let (ok, failed_in_flight, refused_after) = (ok.clone(), failed_in_flight.clone(), refused_after.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let started = Instant::now();
                let req = hyper::Request::post(format!("{base}/graphql"))
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {token}"))
                    .header("connection", "close")
                    .body(http_body_util::Full::new(axum::body::Bytes::from(body.clone())))
                    .unwrap();
                let outcome = match client.request(req).await {
                    Ok(res) if res.status() == 200 => http_body_util::BodyExt::collect(res.into_body()).await.is_ok(),
                    _ => false,
                };
                let term = *sigterm_at.lock().await;
                match (outcome, term) {
                    (true, _) => {
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    // Started well before the signal: it was in flight and must have succeeded.
                    (false, Some(t)) if started + Duration::from_millis(50) < t => {
                        failed_in_flight.fetch_add(1, Ordering::SeqCst);
                    }
                    (false, None) => {
                        failed_in_flight.fetch_add(1, Ordering::SeqCst);
                    }
                    (false, Some(_)) => {
                        refused_after.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = ok.load(Ordering::SeqCst);
    assert!(before > 0, "the gateway served requests before the signal");
    *sigterm_at.lock().await = Some(Instant::now());
    let pid = child.id().unwrap();
    let signalled = Instant::now();
    assert!(
        std::process::Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("exited within the grace period")
        .unwrap();
    let took = signalled.elapsed();
    for w in workers {
        let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
    }
    println!(
        "served {} requests ({before} before SIGTERM), exited in {took:?} with {status}; refused after the signal: {}",
        ok.load(Ordering::SeqCst),
        refused_after.load(Ordering::SeqCst)
    );
    assert!(status.success(), "exit status {status}");
    assert_eq!(failed_in_flight.load(Ordering::SeqCst), 0, "every in-flight request completed");
}
