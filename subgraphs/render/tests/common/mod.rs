//! Test harness: the render service (app pool + scheduler pool) over a fresh database with the
//! demo pools and quotas, and helpers for agents' tokens.
#![allow(dead_code, unused_imports, missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use platform::auth::Role;
use platform::testing::{TemplateSpec, TestServer};
use serde_json::{Value, json};
use uuid::Uuid;

pub use platform::demo::{demo_id, employee_id, tenant_id};
pub use platform::testing::code;

pub use render::test_support::spec;

/// Starts render with the demo pools and a heartbeat timeout.
pub async fn spawn_with(heartbeat_timeout: Duration, connections: usize) -> TestServer {
    render::test_support::start(platform::auth::KeyPair::generate(), connections, heartbeat_timeout)
        .await
        .expect("start render")
}

pub async fn spawn() -> TestServer {
    spawn_with(Duration::from_secs(30), 8).await
}

/// An agent token (render wrangler of `tenant`, scope render:agent).
pub fn agent_token(app: &TestServer, tenant: &str) -> String {
    app.forge(
        Uuid::new_v4(),
        tenant_id(tenant),
        None,
        vec![Role::RenderWrangler],
        &["render:agent"],
    )
}

pub const SUBMIT: &str =
    "mutation($i: SubmitRenderJobInput!) { submitRenderJob(input: $i) { id status progress { done total } cost { amount currency } } }";
pub const REGISTER: &str =
    "mutation($h: String!, $p: String!, $c: Int!) { registerRenderWorker(input: {hostname: $h, pool: $p, cores: $c}) { id status } }";
pub const CLAIM: &str = "mutation($w: ID!) { claimRenderTask(workerId: $w) { id frameStart frameEnd attempts command job { id } } }";
pub const REPORT: &str = "mutation($t: ID!, $w: ID!, $s: RenderTaskStatus!, $cs: Float) { reportRenderTask(taskId: $t, workerId: $w, status: $s, logTail: \"ok\", coreSeconds: $cs) { id status attempts } }";

pub async fn register(app: &TestServer, token: &str, host: &str, pool: &str, cores: i32) -> String {
    app.ok(token, REGISTER, json!({"h": host, "p": pool, "c": cores})).await["registerRenderWorker"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn submit(app: &TestServer, token: &str, input: Value) -> Value {
    app.ok(token, SUBMIT, json!({"i": input})).await["submitRenderJob"].clone()
}

/// Submits a job `name` of frames 1..=`frames`, one frame per chunk (command `x`), to the
/// default pool.
pub async fn submit_frames(app: &TestServer, token: &str, name: &str, frames: i32) -> Value {
    submit(
        app,
        token,
        json!({"name": name, "frameStart": 1, "frameEnd": frames, "chunkSize": 1, "command": "x"}),
    )
    .await
}

pub async fn claim(app: &TestServer, token: &str, worker: &str) -> Value {
    app.ok(token, CLAIM, json!({"w": worker})).await["claimRenderTask"].clone()
}

pub async fn report(app: &TestServer, token: &str, worker: &str, task: &str, status: &str, core_seconds: f64) -> Value {
    app.gql(token, REPORT, json!({"t": task, "w": worker, "s": status, "cs": core_seconds}))
        .await
}

/// The job of a task, read as the owner (agents cannot see other tenants' jobs).
pub async fn job_of(app: &TestServer, task: &str) -> String {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct J {
        #[diesel(sql_type = diesel::sql_types::Text)]
        job: String,
    }
    let mut c = app.database.owner_connection().await.unwrap();
    diesel::sql_query("SELECT job_id::text AS job FROM render_tasks WHERE id = $1::uuid")
        .bind::<diesel::sql_types::Text, _>(task)
        .get_result::<J>(&mut c)
        .await
        .unwrap()
        .job
}
