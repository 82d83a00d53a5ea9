//! Real render-agent processes against the real render service: a 1..1000 job rendered by four
//! agents writes every frame exactly once; an agent killed with SIGKILL mid-task loses its chunk
//! to another agent after the heartbeat timeout and the job still completes; SIGTERM returns the
//! running chunk to the queue.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::*;
use platform::testing::TestServer;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("studiograph-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn agent(app: &TestServer, host: &str, token: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_render-agent"))
        .args([
            "--url",
            &format!("http://{}", app.addr),
            "--token",
            token,
            "--pool",
            "cpu",
            "--cores",
            "4",
            "--hostname",
            host,
            "--heartbeat-secs",
            "1",
            "--poll-ms",
            "50",
        ])
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn job(app: &TestServer, token: &str, id: &Value) -> Value {
    app.ok(token, "query($id: ID!) { renderJob(id: $id) { status progress { done total } tasks { status attempts attemptHistory { outcome workerId } } } }", json!({"id": id})).await["renderJob"].clone()
}

async fn wait_for(app: &TestServer, token: &str, id: &Value, limit: Duration, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let j = job(app, token, id).await;
        if done(&j) {
            return j;
        }
        assert!(start.elapsed() < limit, "timed out; job is {j}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_agents_render_every_frame_exactly_once() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let out = scratch("frames");
    let command = format!("echo {{frame}} >> {}/f_{{frame}}.txt", out.display());
    let j = submit(
        &app,
        &sup,
        json!({"name": "e2e", "frameStart": 1, "frameEnd": 1000, "chunkSize": 10, "command": command}),
    )
    .await;
    let token = agent_token(&app, "northwind");
    let agents: Vec<Child> = (0..4).map(|i| agent(&app, &format!("e2e-{i}"), &token)).collect();
    let done = wait_for(&app, &sup, &j["id"], Duration::from_secs(240), |j| {
        j["status"] != "QUEUED" && j["status"] != "RUNNING"
    })
    .await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["progress"], json!({"done": 100, "total": 100}));
    for frame in 1..=1000 {
        let text = std::fs::read_to_string(out.join(format!("f_{frame}.txt"))).unwrap_or_else(|_| panic!("frame {frame} missing"));
        assert_eq!(text, format!("{frame}\n"), "frame {frame} rendered exactly once");
    }
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1000);
    // All four agents took part.
    let workers: std::collections::HashSet<String> = done["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["attemptHistory"][0]["workerId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(workers.len(), 4);
    drop(agents);
    std::fs::remove_dir_all(&out).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_agent_loses_its_chunk_and_the_job_completes() {
    let app = common::spawn_with(Duration::from_secs(4), 8).await;
    let sup = app.token("sup@northwind.test");
    let out = scratch("killed");
    let command = format!(
        "sleep 1; for f in $(seq {{frame_start}} {{frame_end}}); do echo $f >> {}/f_$f.txt; done",
        out.display()
    );
    let j = submit(
        &app,
        &sup,
        json!({"name": "kill", "frameStart": 1, "frameEnd": 40, "chunkSize": 10, "command": command}),
    )
    .await;
    let token = agent_token(&app, "northwind");
    let mut victim = agent(&app, "victim", &token);
    wait_for(&app, &sup, &j["id"], Duration::from_secs(30), |j| {
        j["tasks"].as_array().unwrap().iter().any(|t| t["status"] == "RUNNING")
    })
    .await;
    victim.start_kill().unwrap(); // SIGKILL: no release, no more heartbeats.
    victim.wait().await.unwrap();
    let _rescuer = agent(&app, "rescuer", &token);
    let done = wait_for(&app, &sup, &j["id"], Duration::from_secs(60), |j| {
        j["status"] == "SUCCEEDED" || j["status"] == "FAILED"
    })
    .await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let lost: Vec<&Value> = done["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["attemptHistory"].as_array().unwrap().iter().any(|a| a["outcome"] == "LOST"))
        .collect();
    assert_eq!(lost.len(), 1, "exactly the killed agent's chunk was lost: {done}");
    assert_eq!(lost[0]["attempts"], 2);
    for frame in 1..=40 {
        assert!(out.join(format!("f_{frame}.txt")).exists(), "frame {frame}");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_returns_the_running_chunk() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let j = submit(
        &app,
        &sup,
        json!({"name": "term", "frameStart": 1, "frameEnd": 1, "command": "sleep 60"}),
    )
    .await;
    let token = agent_token(&app, "northwind");
    let mut a = agent(&app, "graceful", &token);
    wait_for(&app, &sup, &j["id"], Duration::from_secs(30), |j| {
        j["tasks"][0]["status"] == "RUNNING"
    })
    .await;
    let pid = a.id().unwrap().to_string();
    let started = Instant::now();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().await.unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(20), a.wait())
        .await
        .expect("agent exits")
        .unwrap();
    assert!(status.success(), "graceful exit: {status}");
    assert!(started.elapsed() < Duration::from_secs(15), "did not wait for the 60 s render");
    let after = job(&app, &sup, &j["id"]).await;
    assert_eq!(after["tasks"][0]["status"], "QUEUED");
    assert_eq!(after["tasks"][0]["attempts"], 0);
    assert_eq!(after["tasks"][0]["attemptHistory"][0]["outcome"], "RELEASED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_failing_twice_then_succeeding_is_paid_for_three_times() {
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    // The agent exports the attempt number; the command fails on attempts 1 and 2.
    let j = submit(&app, &artist, json!({"name": "flaky", "frameStart": 1, "frameEnd": 1, "command": "sleep 0.3; echo attempt $STUDIOGRAPH_ATTEMPT; test $STUDIOGRAPH_ATTEMPT -ge 3", "maxAttempts": 3})).await;
    let token = agent_token(&app, "northwind");
    let _a = agent(&app, "flaky-node", &token);
    let done = wait_for(&app, &artist, &j["id"], Duration::from_secs(60), |j| {
        j["status"] == "SUCCEEDED" || j["status"] == "FAILED"
    })
    .await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["tasks"][0]["attempts"], 3);
    let outcomes: Vec<&str> = done["tasks"][0]["attemptHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["FAILED", "FAILED", "SUCCEEDED"]);
    let q = "query($id: ID!, $e: ID!) { renderJob(id: $id) { coreSeconds tasks { attemptHistory { coreSeconds logTail } } } _entities(representations: [{__typename: \"Employee\", id: $e}]) { ... on Employee { renderJobs { id } } } }";
    let d = app
        .ok(&artist, q, json!({"id": j["id"], "e": employee_id("northwind", "artist")}))
        .await;
    let attempts = d["renderJob"]["tasks"][0]["attemptHistory"].as_array().unwrap();
    // Each attempt ran ~0.3 s on a 4-core node: every attempt is counted, failed ones included.
    let sum: f64 = attempts.iter().map(|a| a["coreSeconds"].as_f64().unwrap()).sum();
    assert!(attempts.iter().all(|a| a["coreSeconds"].as_f64().unwrap() >= 1.0), "{attempts:?}");
    assert!((d["renderJob"]["coreSeconds"].as_f64().unwrap() - sum).abs() < 1e-6);
    assert!(attempts[0]["logTail"].as_str().unwrap().contains("attempt 1"));
    assert_eq!(d["_entities"][0]["renderJobs"], json!([{"id": j["id"]}]));
}

/// A TCP forwarder to the service that can be taken down and brought back on the same port.
struct Outage {
    port: u16,
    target: std::net::SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Outage {
    fn new(target: std::net::SocketAddr) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Self { port, target, task: None }
    }

    async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        let target = self.target;
        self.task = Some(tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                conns.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Stops listening and cuts every open connection.
    fn down(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_rides_out_api_outages() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let token = agent_token(&app, "northwind");
    let mut api = Outage::new(app.addr);
    // The agent starts while the API is unreachable.
    let _a = Command::new(env!("CARGO_BIN_EXE_render-agent"))
        .args([
            "--url",
            &format!("http://127.0.0.1:{}", api.port),
            "--token",
            &token,
            "--pool",
            "cpu",
            "--cores",
            "2",
            "--hostname",
            "outage",
            "--heartbeat-secs",
            "1",
            "--poll-ms",
            "50",
        ])
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    api.up().await;
    let j = submit(
        &app,
        &sup,
        json!({"name": "outage", "frameStart": 1, "frameEnd": 30, "chunkSize": 5, "command": "sleep 0.4"}),
    )
    .await;
    wait_for(&app, &sup, &j["id"], Duration::from_secs(30), |j| {
        j["progress"]["done"].as_i64().unwrap() >= 1
    })
    .await;
    // Down again mid-job, long enough for reports and claims to fail, shorter than the timeout.
    api.down();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    api.up().await;
    let done = wait_for(&app, &sup, &j["id"], Duration::from_secs(60), |j| {
        j["status"] == "SUCCEEDED" || j["status"] == "FAILED"
    })
    .await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert!(
        done["tasks"].as_array().unwrap().iter().all(|t| t["attempts"] == 1),
        "no chunk was lost or repeated: {done}"
    );
    api.down();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_agents_share_the_pool_between_tenants_within_quota() {
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
    let app = common::spawn().await;
    let mut owner = app.database.owner_connection().await.unwrap();
    // vendorx may hold 8 cpu cores at a time: two of the four 4-core agents.
    owner
        .batch_execute(&format!(
            "UPDATE pool_quotas SET max_cores = 8 WHERE tenant_id = '{}'",
            tenant_id("vendorx")
        ))
        .await
        .unwrap();
    let north = app.token("sup@northwind.test");
    let vendor = app.forge(
        uuid::Uuid::new_v4(),
        tenant_id("vendorx"),
        None,
        vec![platform::Role::Vendor],
        &["*"],
    );
    let nj = submit(
        &app,
        &north,
        json!({"name": "north", "frameStart": 1, "frameEnd": 24, "chunkSize": 1, "command": "sleep 0.3"}),
    )
    .await;
    let vj = submit(
        &app,
        &vendor,
        json!({"name": "vendor", "frameStart": 1, "frameEnd": 24, "chunkSize": 1, "command": "sleep 0.3"}),
    )
    .await;
    let token = agent_token(&app, "northwind");
    let _agents: Vec<Child> = (0..4).map(|i| agent(&app, &format!("share-{i}"), &token)).collect();
    #[derive(diesel::QueryableByName)]
    struct Running {
        #[diesel(sql_type = diesel::sql_types::Text)]
        tenant: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        cores: i64,
    }
    let (mut max_vendor, mut both_at_once) = (0, false);
    let start = Instant::now();
    loop {
        let rows: Vec<Running> = diesel::sql_query(
            "SELECT j.tenant_id::text AS tenant, sum(w.cores)::bigint AS cores FROM render_tasks t JOIN jobs j ON j.id = t.job_id \
             JOIN workers w ON w.id = t.worker_id WHERE t.status = 'RUNNING' GROUP BY j.tenant_id",
        )
        .load(&mut owner)
        .await
        .unwrap();
        let vendor_cores = rows
            .iter()
            .find(|r| r.tenant == tenant_id("vendorx").to_string())
            .map_or(0, |r| r.cores);
        max_vendor = max_vendor.max(vendor_cores);
        both_at_once |= rows.len() == 2;
        let (n, v) = (job(&app, &north, &nj["id"]).await, job(&app, &vendor, &vj["id"]).await);
        if n["status"] == "SUCCEEDED" && v["status"] == "SUCCEEDED" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(90), "timed out: {n} {v}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(max_vendor <= 8, "vendorx held {max_vendor} cores over its quota of 8");
    assert!(max_vendor > 0);
    assert!(both_at_once, "both tenants rendered side by side");
}
