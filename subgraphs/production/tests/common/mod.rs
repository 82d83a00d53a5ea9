//! Test harness: the production service over a fresh database seeded with the demo studio.
#![allow(dead_code, unused_imports, missing_docs, clippy::unwrap_used)]

use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use platform::testing::{TemplateSpec, TestServer};
use serde_json::{Value, json};
use uuid::Uuid;

pub use platform::demo::{demo_id, employee_id, tenant_id};
pub use platform::testing::code;

pub use production::test_support::spec;

/// Starts production with the demo data and a pool of `connections`.
pub async fn spawn_with(connections: usize) -> TestServer {
    production::test_support::start(platform::auth::KeyPair::generate(), connections)
        .await
        .expect("start production")
}

pub async fn spawn() -> TestServer {
    spawn_with(8).await
}

pub fn project(code: &str) -> Uuid {
    demo_id("project", &format!("northwind/{code}"))
}

pub fn shot(project: &str, code: &str) -> Uuid {
    demo_id("shot", &format!("northwind/{project}/{code}"))
}

pub fn task(project: &str, parent: &str, name: &str) -> Uuid {
    demo_id("task", &format!("northwind/{project}/{parent}/{name}"))
}

/// Runs SQL as the owner (bypassing row-level security) to arrange a scenario.
pub async fn owner_sql(app: &TestServer, sql: &str) {
    let mut c = app.database.owner_connection().await.unwrap();
    c.batch_execute(sql).await.unwrap();
}

/// Sets a task's status and assignee directly (arrangement only).
pub async fn arrange_task(app: &TestServer, task: Uuid, status: &str, assignee: Option<Uuid>) {
    let assignee = assignee.map_or("NULL".to_owned(), |a| format!("'{a}'"));
    owner_sql(
        app,
        &format!("UPDATE tasks SET status = '{status}', assignee_id = {assignee} WHERE id = '{task}'"),
    )
    .await;
}

/// A fresh shot with a chain of tasks `names` (each depending on the previous), created through
/// the API as the supervisor; returns the task ids.
pub async fn chain(app: &TestServer, code: &str, names: &[&str]) -> Vec<String> {
    let sup = app.token("sup@northwind.test");
    let shot = app
        .ok(
            &sup,
            "mutation($i: CreateShotInput!) { createShot(input: $i) { id } }",
            json!({"i": {"projectId": project("SKY"), "code": code, "frameStart": 1001, "frameEnd": 1100}}),
        )
        .await["createShot"]["id"]
        .clone();
    let mut ids: Vec<String> = Vec::new();
    for name in names {
        let deps: Vec<&String> = ids.last().into_iter().collect();
        let t = app
            .ok(
                &sup,
                "mutation($i: CreateTaskInput!) { createTask(input: $i) { id status } }",
                json!({"i": {"shotId": shot, "name": name, "type": "ANIMATION", "dependsOn": deps}}),
            )
            .await;
        ids.push(t["createTask"]["id"].as_str().unwrap().to_owned());
    }
    ids
}

pub fn status_of(v: &Value) -> &str {
    v.as_str().unwrap()
}
