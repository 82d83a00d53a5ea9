//! The farm queue through the API: chunking, claims, reports, cost, retries and blocklists,
//! heartbeat timeouts, fair share and quotas, and no double claims under concurrency.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_renders_to_success_with_progress_and_cost() {
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let agent = agent_token(&app, "northwind");
    let shot = demo_id("shot", "northwind/SKY/SQ010_SH010");
    let job = submit(&app, &artist, json!({"name": "sh010 beauty", "shotId": shot, "frameStart": 1001, "frameEnd": 1100, "chunkSize": 10, "command": "render -s {frame_start} -e {frame_end}"})).await;
    assert_eq!(job["status"], "QUEUED");
    assert_eq!(job["progress"], json!({"done": 0, "total": 10}));
    let w = register(&app, &agent, "node-01", "cpu", 16).await;
    let mut frames = Vec::new();
    while let Some(t) = Some(claim(&app, &agent, &w).await).filter(|t| !t.is_null()) {
        assert_eq!(t["command"], "render -s {frame_start} -e {frame_end}");
        frames.push((t["frameStart"].as_i64().unwrap(), t["frameEnd"].as_i64().unwrap()));
        let r = report(&app, &agent, &w, t["id"].as_str().unwrap(), "SUCCEEDED", 900.0).await;
        assert_eq!(r["data"]["reportRenderTask"]["status"], "SUCCEEDED", "{r}");
    }
    assert_eq!(frames.len(), 10);
    assert_eq!(frames[0], (1001, 1010));
    assert_eq!(frames[9], (1091, 1100));
    let q = "query($id: ID!, $s: ID!) { renderJob(id: $id) { status progress { done total } coreSeconds cost { amount currency } tasks { status attempts worker { hostname } } } _entities(representations: [{__typename: \"Shot\", id: $s}]) { ... on Shot { renderJobs { id } renderCost { amount currency } } } }";
    let d = app.ok(&artist, q, json!({"id": job["id"], "s": shot})).await;
    assert_eq!(d["renderJob"]["status"], "SUCCEEDED");
    assert_eq!(d["renderJob"]["progress"], json!({"done": 10, "total": 10}));
    assert_eq!(d["renderJob"]["coreSeconds"], 9000.0);
    // 9,000 core-seconds = 2.5 core-hours at EUR 0.04 = EUR 0.10.
    assert_eq!(d["renderJob"]["cost"], json!({"amount": "0.10", "currency": "EUR"}));
    assert_eq!(d["_entities"][0]["renderCost"], json!({"amount": "0.10", "currency": "EUR"}));
    assert_eq!(d["_entities"][0]["renderJobs"], json!([{"id": job["id"]}]));
    let keys = app.outbox_keys().await;
    for k in [
        "render.job.submitted",
        "render.job.started",
        "render.job.progressed",
        "render.job.succeeded",
    ] {
        assert!(keys.iter().any(|x| x == k), "missing {k}");
    }
    // The chunk records the worker that rendered it.
    let t = d["renderJob"]["tasks"][0].clone();
    assert_eq!(t["worker"]["hostname"], "node-01");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_retry_then_fail_and_blocklist_the_worker() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let agent = agent_token(&app, "northwind");
    // One chunk that fails twice then succeeds: three attempts, all paid for.
    let job = submit(
        &app,
        &sup,
        json!({"name": "flaky", "frameStart": 1, "frameEnd": 5, "chunkSize": 5, "command": "x", "maxAttempts": 3}),
    )
    .await;
    let a = register(&app, &agent, "a", "cpu", 8).await;
    for outcome in ["FAILED", "FAILED", "SUCCEEDED"] {
        let t = claim(&app, &agent, &a).await;
        let r = report(&app, &agent, &a, t["id"].as_str().unwrap(), outcome, 3600.0).await;
        assert!(r.get("errors").is_none(), "{r}");
    }
    let q = "query($id: ID!) { renderJob(id: $id) { status coreSeconds cost { amount } tasks { attempts status attemptHistory { number outcome } } } }";
    let d = app.ok(&sup, q, json!({"id": job["id"]})).await["renderJob"].clone();
    assert_eq!(d["status"], "SUCCEEDED");
    assert_eq!(d["tasks"][0]["attempts"], 3);
    assert_eq!(
        d["tasks"][0]["attemptHistory"],
        json!([{"number": 1, "outcome": "FAILED"}, {"number": 2, "outcome": "FAILED"}, {"number": 3, "outcome": "SUCCEEDED"}])
    );
    // 3 core-hours at EUR 0.04.
    assert_eq!(d["cost"]["amount"], "0.12");

    // Out of attempts: the job fails, its other chunks are cancelled; retry requeues them.
    let job = submit(
        &app,
        &sup,
        json!({"name": "broken", "frameStart": 1, "frameEnd": 20, "chunkSize": 10, "command": "x", "maxAttempts": 2}),
    )
    .await;
    let b = register(&app, &agent, "b", "cpu", 8).await;
    for _ in 0..2 {
        let t = claim(&app, &agent, &b).await;
        assert_eq!(t["frameStart"], 1, "the failing chunk comes back first");
        report(&app, &agent, &b, t["id"].as_str().unwrap(), "FAILED", 1.0).await;
    }
    let d = app.ok(&sup, q, json!({"id": job["id"]})).await["renderJob"].clone();
    assert_eq!(d["status"], "FAILED");
    assert_eq!(
        d["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["FAILED", "CANCELLED"]
    );
    assert!(claim(&app, &agent, &b).await.is_null());
    let retried = app
        .ok(
            &sup,
            "mutation($id: ID!) { retryRenderJob(id: $id) { status } }",
            json!({"id": job["id"]}),
        )
        .await;
    assert_eq!(retried["retryRenderJob"]["status"], "RUNNING");
    assert_eq!(
        code(
            &app.gql(
                &sup,
                "mutation($id: ID!) { retryRenderJob(id: $id) { status } }",
                json!({"id": job["id"]})
            )
            .await
        ),
        "TRANSITION_NOT_ALLOWED"
    );

    // A worker that failed 3 chunks of a job is not given that job again; another worker is.
    let job = submit(
        &app,
        &sup,
        json!({"name": "bad node", "frameStart": 1, "frameEnd": 50, "chunkSize": 10, "command": "x", "maxAttempts": 5, "priority": 100}),
    )
    .await;
    let c = register(&app, &agent, "c", "cpu", 8).await;
    for _ in 0..3 {
        let t = claim(&app, &agent, &c).await;
        assert_eq!(t["job"]["id"], job["id"]);
        report(&app, &agent, &c, t["id"].as_str().unwrap(), "FAILED", 1.0).await;
    }
    let next = claim(&app, &agent, &c).await;
    assert_ne!(next["job"]["id"], job["id"], "blocklisted");
    let d2 = register(&app, &agent, "d", "cpu", 8).await;
    assert_eq!(claim(&app, &agent, &d2).await["job"]["id"], job["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_worker_loses_its_task_after_the_heartbeat_timeout() {
    let app = common::spawn_with(Duration::from_millis(1500), 8).await;
    let sup = app.token("sup@northwind.test");
    let agent = agent_token(&app, "northwind");
    let job = submit(
        &app,
        &sup,
        json!({"name": "timeout", "frameStart": 1, "frameEnd": 10, "chunkSize": 10, "command": "x"}),
    )
    .await;
    let dead = register(&app, &agent, "dead", "cpu", 4).await;
    let alive = register(&app, &agent, "alive", "cpu", 4).await;
    let t = claim(&app, &agent, &dead).await;
    assert!(claim(&app, &agent, &alive).await.is_null(), "one chunk, already held");
    // A retried claim (the answer was lost) returns the same chunk, not a second one.
    assert_eq!(claim(&app, &agent, &dead).await["id"], t["id"]);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    // The next claim sweeps: the dead worker goes OFFLINE and its chunk is handed over.
    let again = claim(&app, &agent, &alive).await;
    assert_eq!(again["id"], t["id"]);
    assert_eq!(again["attempts"], 2);
    // The dead worker's late report is refused; the new holder's counts.
    assert_eq!(
        code(&report(&app, &agent, &dead, t["id"].as_str().unwrap(), "SUCCEEDED", 1.0).await),
        "CONFLICT"
    );
    report(&app, &agent, &alive, t["id"].as_str().unwrap(), "SUCCEEDED", 1.0).await;
    let d = app
        .ok(
            &sup,
            "query($id: ID!) { renderJob(id: $id) { status tasks { attemptHistory { outcome } } } renderWorkers { hostname status } }",
            json!({"id": job["id"]}),
        )
        .await;
    assert_eq!(d["renderJob"]["status"], "SUCCEEDED");
    assert_eq!(
        d["renderJob"]["tasks"][0]["attemptHistory"],
        json!([{"outcome": "LOST"}, {"outcome": "SUCCEEDED"}])
    );
    assert!(app.outbox_keys().await.iter().any(|k| k == "render.worker.offline"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_share_a_pool_by_fair_share_within_quotas() {
    let app = common::spawn().await;
    // vendorx may run 128 cpu cores; northwind 512. Workers of 32 cores.
    let north = app.token("sup@northwind.test");
    let vendor = app.forge(
        uuid::Uuid::new_v4(),
        tenant_id("vendorx"),
        None,
        vec![platform::Role::Vendor],
        &["*"],
    );
    let nj = submit_frames(&app, &north, "north", 200).await;
    let vj = submit_frames(&app, &vendor, "vendor", 200).await;
    // Neither tenant sees the other's job.
    assert_eq!(
        app.ok(&vendor, "{ renderJobs { totalCount } }", json!({})).await["renderJobs"]["totalCount"],
        1
    );
    assert_eq!(
        app.ok(&vendor, "query($id: ID!) { renderJob(id: $id) { id } }", json!({"id": nj["id"]}))
            .await["renderJob"],
        json!(null)
    );
    let agent = agent_token(&app, "northwind");
    let mut workers = Vec::new();
    for i in 0..10 {
        workers.push(register(&app, &agent, &format!("n{i:02}"), "cpu", 32).await);
    }
    // Ten concurrent claims: fair share alternates tenants until vendorx reaches its quota (4 x 32).
    let claims = futures::future::join_all(workers.iter().map(|w| claim(&app, &agent, w))).await;
    let mut jobs = Vec::new();
    for c in &claims {
        jobs.push(job_of(&app, c["id"].as_str().unwrap()).await);
        // The farm's agent sees a vendor chunk's frames and command, not the vendor's job.
        if c["job"].is_null() {
            assert!(c["command"].is_string());
        }
    }
    let per_job = |id: &serde_json::Value| jobs.iter().filter(|j| json!(j) == *id).count();
    assert_eq!(per_job(&vj["id"]), 4, "vendorx stops at 128 cores");
    assert_eq!(per_job(&nj["id"]), 6);
    // Sequential fairness: with both below quota, claims alternate between tenants.
    let app2 = common::spawn().await;
    let north2 = app2.token("sup@northwind.test");
    let vendor2 = app2.forge(
        uuid::Uuid::new_v4(),
        tenant_id("vendorx"),
        None,
        vec![platform::Role::Vendor],
        &["*"],
    );
    let a = submit_frames(&app2, &north2, "a", 50).await;
    let b = submit_frames(&app2, &vendor2, "b", 50).await;
    let agent2 = agent_token(&app2, "northwind");
    let mut order = Vec::new();
    for i in 0..6 {
        let w = register(&app2, &agent2, &format!("m{i}"), "cpu", 8).await;
        let t = claim(&app2, &agent2, &w).await;
        let job = json!(job_of(&app2, t["id"].as_str().unwrap()).await);
        order.push(if job == a["id"] {
            "north"
        } else if job == b["id"] {
            "vendor"
        } else {
            "?"
        });
    }
    assert_eq!(order, ["north", "vendor", "north", "vendor", "north", "vendor"]);
    // Priority beats fair share.
    let urgent = submit(
        &app2,
        &vendor2,
        json!({"name": "urgent", "frameStart": 1, "frameEnd": 2, "chunkSize": 1, "command": "x", "priority": 90}),
    )
    .await;
    let w = register(&app2, &agent2, "m9", "cpu", 8).await;
    let t = claim(&app2, &agent2, &w).await;
    assert_eq!(json!(job_of(&app2, t["id"].as_str().unwrap()).await), urgent["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claimers_never_share_a_task() {
    let app = common::spawn_with(Duration::from_secs(30), 16).await;
    let sup = app.token("sup@northwind.test");
    let agent = agent_token(&app, "northwind");
    submit_frames(&app, &sup, "many", 300).await;
    let mut workers = Vec::new();
    for i in 0..16 {
        workers.push(register(&app, &agent, &format!("c{i:02}"), "cpu", 1).await);
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    loop {
        let round = futures::future::join_all(workers.iter().map(|w| async {
            let t = claim(&app, &agent, w).await;
            if !t.is_null() {
                report(&app, &agent, w, t["id"].as_str().unwrap(), "SUCCEEDED", 1.0).await;
            }
            t
        }))
        .await;
        let got: Vec<_> = round.into_iter().filter(|t| !t.is_null()).collect();
        if got.is_empty() {
            break;
        }
        for t in got {
            assert!(seen.insert(t["id"].as_str().unwrap().to_owned()), "task handed out twice");
            total += 1;
        }
    }
    assert_eq!(total, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_controls_and_permissions() {
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let other = app.token("hr@northwind.test");
    let agent = agent_token(&app, "northwind");
    let input = json!({"name": "mine", "frameStart": 1, "frameEnd": 30, "chunkSize": 10, "command": "x", "idempotencyKey": "sub-1"});
    let job = submit(&app, &artist, input.clone()).await;
    assert_eq!(submit(&app, &artist, input).await["id"], job["id"]);
    assert_eq!(
        code(
            &app.gql(
                &artist,
                SUBMIT,
                json!({"i": {"name": "x", "frameStart": 5, "frameEnd": 1, "command": "x"}})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql(
                &artist,
                SUBMIT,
                json!({"i": {"name": "x", "frameStart": 1, "frameEnd": 1000000, "chunkSize": 1, "command": "x"}})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql(
                &artist,
                SUBMIT,
                json!({"i": {"name": "x", "frameStart": 1, "frameEnd": 2, "command": "x", "pool": "quantum"}})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    // Only the submitter or an operator changes a job; artists cannot run agents.
    assert_eq!(
        code(
            &app.gql(
                &other,
                "mutation($id: ID!) { cancelRenderJob(id: $id) { id } }",
                json!({"id": job["id"]})
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.gql(&artist, REGISTER, json!({"h": "laptop", "p": "cpu", "c": 8})).await),
        "FORBIDDEN"
    );
    // Pause: nothing is handed out; resume: work flows again.
    assert_eq!(
        app.ok(
            &artist,
            "mutation($id: ID!) { pauseRenderJob(id: $id) { status } }",
            json!({"id": job["id"]})
        )
        .await["pauseRenderJob"]["status"],
        "PAUSED"
    );
    let w = register(&app, &agent, "p1", "cpu", 8).await;
    assert!(claim(&app, &agent, &w).await.is_null());
    app.ok(
        &artist,
        "mutation($id: ID!) { resumeRenderJob(id: $id) { status } }",
        json!({"id": job["id"]}),
    )
    .await;
    let t = claim(&app, &agent, &w).await;
    assert_eq!(t["job"]["id"], job["id"]);
    // Priority; cancel drops the rest, and the running chunk's report is refused.
    assert_eq!(
        app.ok(
            &artist,
            "mutation($id: ID!) { setRenderJobPriority(id: $id, priority: 80) { priority } }",
            json!({"id": job["id"]})
        )
        .await["setRenderJobPriority"]["priority"],
        80
    );
    let c = app
        .ok(
            &artist,
            "mutation($id: ID!) { cancelRenderJob(id: $id) { status tasks { status } } }",
            json!({"id": job["id"]}),
        )
        .await;
    assert_eq!(c["cancelRenderJob"]["status"], "CANCELLED");
    assert!(
        c["cancelRenderJob"]["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "CANCELLED")
    );
    assert_eq!(
        code(&report(&app, &agent, &w, t["id"].as_str().unwrap(), "SUCCEEDED", 1.0).await),
        "CONFLICT"
    );
    // Release returns a task without counting the attempt.
    let job2 = submit(
        &app,
        &artist,
        json!({"name": "rel", "frameStart": 1, "frameEnd": 1, "command": "x"}),
    )
    .await;
    let t2 = claim(&app, &agent, &w).await;
    let rel = app
        .ok(
            &agent,
            "mutation($t: ID!, $w: ID!) { releaseRenderTask(taskId: $t, workerId: $w) { status attempts } }",
            json!({"t": t2["id"], "w": w}),
        )
        .await;
    assert_eq!(rel["releaseRenderTask"], json!({"status": "QUEUED", "attempts": 0}));
    assert_eq!(claim(&app, &agent, &w).await["job"]["id"], job2["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_job_whose_last_chunk_finishes_succeeds() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let agent = agent_token(&app, "northwind");
    let job = submit(&app, &sup, json!({"name": "last", "frameStart": 1, "frameEnd": 1, "command": "x"})).await;
    let w = register(&app, &agent, "p", "cpu", 2).await;
    let t = claim(&app, &agent, &w).await;
    app.ok(
        &sup,
        "mutation($id: ID!) { pauseRenderJob(id: $id) { status } }",
        json!({"id": job["id"]}),
    )
    .await;
    report(&app, &agent, &w, t["id"].as_str().unwrap(), "SUCCEEDED", 1.0).await;
    let d = app
        .ok(&sup, "query($id: ID!) { renderJob(id: $id) { status } }", json!({"id": job["id"]}))
        .await;
    assert_eq!(d["renderJob"]["status"], "SUCCEEDED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planner_batch_fetch_costs_one_query_per_type() {
    // The request shape of the query planner's BatchFetch: several aliased `_entities` fields.
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let shots: Vec<uuid::Uuid> = (0..20).map(|i| demo_id("shot", &format!("northwind/SKY/S{i}"))).collect();
    for s in &shots {
        submit(
            &app,
            &artist,
            json!({"name": "b", "shotId": s, "frameStart": 1, "frameEnd": 1, "command": "x"}),
        )
        .await;
    }
    let q = "query($r0: [_Any!]!, $r1: [_Any!]!) { _e0: _entities(representations: $r0) { ... on Shot { renderCost { amount } } } \
             _e1: _entities(representations: $r1) { ... on Employee { renderJobs { status cost { amount } } } } }";
    let reps = |n: usize| {
        json!(
            shots[..n]
                .iter()
                .map(|s| json!({"__typename": "Shot", "id": s}))
                .collect::<Vec<_>>()
        )
    };
    let me = json!([{"__typename": "Employee", "id": employee_id("northwind", "artist")}]);
    let cost = async |n: usize| {
        let before = app.db.statements().get();
        let d = app.ok(&artist, q, json!({"r0": reps(n), "r1": me})).await;
        (app.db.statements().get() - before, d)
    };
    let (one, _) = cost(1).await;
    let (twenty, d) = cost(20).await;
    assert_eq!(one, twenty, "jobs by shot and jobs by submitter: one query each, for 1 or 20 shots");
    assert_eq!(one, 8);
    assert_eq!(d["_e0"].as_array().unwrap().len(), 20);
    assert_eq!(d["_e1"][0]["renderJobs"].as_array().unwrap().len(), 20);
}

/// `renderPools` shows each tenant its own quota and use of the shared pools (its running cores
/// even on another tenant's workers) and the pool's online capacity, nothing else of others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn render_pools_show_each_tenant_its_quota_and_use_of_the_shared_farm() {
    const POOLS: &str =
        "{ renderPools { name ratePerCoreHour { amount currency } quotaCores runningCores queuedTasks onlineWorkers capacityCores } }";
    let app = common::spawn().await;
    let north = app.token("sup@northwind.test");
    let vendor = app.forge(
        uuid::Uuid::new_v4(),
        tenant_id("vendorx"),
        None,
        vec![platform::Role::Vendor],
        &["*"],
    );
    let pools = |token: String| {
        let app = &app;
        async move { app.ok(&token, POOLS, json!({})).await["renderPools"].clone() }
    };
    assert_eq!(
        pools(north.clone()).await,
        json!([
            {"name": "cpu", "ratePerCoreHour": {"amount": "0.04", "currency": "EUR"}, "quotaCores": 512,
             "runningCores": 0, "queuedTasks": 0, "onlineWorkers": 0, "capacityCores": 0},
            {"name": "gpu", "ratePerCoreHour": {"amount": "0.90", "currency": "EUR"}, "quotaCores": 64,
             "runningCores": 0, "queuedTasks": 0, "onlineWorkers": 0, "capacityCores": 0},
        ])
    );

    let nj = submit_frames(&app, &north, "north", 5).await;
    let vj = submit_frames(&app, &vendor, "vendor", 10).await;
    // Northwind runs the farm: three 32-core workers, each claiming one chunk of either tenant.
    let agent = agent_token(&app, "northwind");
    let mut running = Vec::new();
    for i in 0..3 {
        let worker = register(&app, &agent, &format!("farm{i}"), "cpu", 32).await;
        let task = claim(&app, &agent, &worker).await;
        running.push(job_of(&app, task["id"].as_str().unwrap()).await);
    }
    let of = |job: &serde_json::Value| running.iter().filter(|j| json!(j) == *job).count() as i64;
    let (north_running, vendor_running) = (of(&nj["id"]), of(&vj["id"]));
    assert_eq!(north_running + vendor_running, 3);
    assert!(vendor_running > 0, "fair share gave the vendor a chunk");

    let cpu = |all: serde_json::Value| all.as_array().unwrap().iter().find(|p| p["name"] == "cpu").unwrap().clone();
    let north_cpu = cpu(pools(north.clone()).await);
    assert_eq!(north_cpu["quotaCores"], 512);
    assert_eq!(north_cpu["runningCores"], 32 * north_running);
    assert_eq!(north_cpu["queuedTasks"], 5 - north_running);
    assert_eq!(north_cpu["onlineWorkers"], 3);
    assert_eq!(north_cpu["capacityCores"], 96);
    // The vendor's chunks run on northwind's workers: counted as the vendor's use, though the
    // vendor can see none of those workers.
    let vendor_cpu = cpu(pools(vendor.clone()).await);
    assert_eq!(vendor_cpu["quotaCores"], 128);
    assert_eq!(vendor_cpu["runningCores"], 32 * vendor_running);
    assert_eq!(vendor_cpu["queuedTasks"], 10 - vendor_running);
    assert_eq!(vendor_cpu["onlineWorkers"], 0);
    assert_eq!(vendor_cpu["capacityCores"], 96);
    assert_eq!(
        app.ok(&vendor, "{ renderWorkers { id } }", json!({})).await["renderWorkers"],
        json!([])
    );
}
