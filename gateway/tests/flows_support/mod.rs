//! Helpers of the cross-subgraph flow tests (issue 6): production tasks through the gateway,
//! events read from a subgraph's outbox, republished by its relay, or fed to a handler directly.
#![allow(dead_code)]

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use events::{Envelope, Handler, Outcome};
use platform::schema::outbox;
use platform::testing::TestServer;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::Stack;
use crate::common::events::eventually;

/// How long a flow may take to show its effect.
pub const WAIT: Duration = Duration::from_secs(30);

pub const HR: &str = "hr@northwind.test";
pub const SUP: &str = "sup@northwind.test";
pub const ADMIN: &str = "admin@northwind.test";
pub const WRANGLER: &str = "wrangler@northwind.test";
pub const VENDOR: &str = "lead@vendorx.test";

/// A demo shot of the River Tales project (no auto-render).
pub fn rvr_shot(code: &str) -> Uuid {
    platform::demo::demo_id("shot", &format!("northwind/RVR/{code}"))
}

/// The user id of a demo login.
pub fn user_id(email: &str) -> Uuid {
    platform::demo::user(email).unwrap().user_id()
}

pub fn uuid(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().unwrap_or_else(|| panic!("not an id: {v}"))).unwrap()
}

/// Creates an employee in HR (as HR) and returns the id.
pub async fn create_employee(stack: &Stack, first: &str, last: &str) -> Uuid {
    let email = format!("{}.{}@northwind.test", first.to_lowercase(), last.to_lowercase());
    let data = stack
        .ok(
            HR,
            "mutation($i: CreateEmployeeInput!) { createEmployee(input: $i) { id } }",
            json!({"i": {"firstName": first, "lastName": last, "email": email, "hireDate": "2024-01-08"}}),
        )
        .await;
    uuid(&data["createEmployee"]["id"])
}

/// Creates a task on a shot (as the supervisor).
pub async fn create_task(stack: &Stack, shot: Uuid, name: &str, task_type: &str, due: Option<&str>, estimate: Option<f64>) -> Uuid {
    let data = stack
        .ok(
            SUP,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id status } }",
            json!({"i": {"shotId": shot, "name": name, "type": task_type, "dueDate": due, "estimateHours": estimate}}),
        )
        .await;
    uuid(&data["createTask"]["id"])
}

pub const ASSIGN: &str = "mutation($t: ID!, $e: ID) { assignTask(taskId: $t, employeeId: $e) { id atRisk assignee { id } } }";

/// Assigns a task (as the supervisor); returns the whole response.
pub async fn assign(stack: &Stack, task: Uuid, employee: Uuid) -> Value {
    stack.post(Some(SUP), ASSIGN, json!({"t": task, "e": employee})).await.1
}

/// Assigns a task (as the supervisor), which must succeed; returns `assignTask`.
pub async fn assign_ok(stack: &Stack, task: Uuid, employee: Uuid) -> Value {
    stack.ok(SUP, ASSIGN, json!({"t": task, "e": employee})).await["assignTask"].clone()
}

/// Moves a task along the workflow (as the supervisor).
pub async fn transition(stack: &Stack, task: Uuid, to: &str) {
    stack
        .ok(
            SUP,
            "mutation($t: ID!, $to: TaskStatus!) { transitionTask(taskId: $t, to: $to) { id status } }",
            json!({"t": task, "to": to}),
        )
        .await;
}

pub const TASK: &str = "query($id: ID!) { task(id: $id) { id status atRisk dueDate assignee { id } \
    notes { kind body } versions { number path status frameStart frameEnd createdBy { id } } } }";

/// A task read through the gateway (as the supervisor).
pub async fn task(stack: &Stack, id: Uuid) -> Value {
    stack.ok(SUP, TASK, json!({"id": id})).await["task"].clone()
}

/// Polls a task until `done` holds; returns it.
pub async fn task_when(stack: &Stack, id: Uuid, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    eventually(WAIT, what, || async {
        let t = task(stack, id).await;
        done(&t).then_some(t)
    })
    .await
}

/// The notes of a task of one kind.
pub fn notes(task: &Value, kind: &str) -> Vec<String> {
    task["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind)
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect()
}

/// A superuser connection to a subgraph's database.
pub async fn owner(server: &TestServer) -> AsyncPgConnection {
    server.database.owner_connection().await.unwrap()
}

/// The events in a subgraph's outbox about `aggregate` of type `event_type`, oldest first.
pub async fn outbox_events(server: &TestServer, aggregate: Uuid, event_type: &str) -> Vec<Envelope> {
    let mut c = owner(server).await;
    outbox::table
        .filter(outbox::aggregate_id.eq(aggregate))
        .filter(outbox::event_type.eq(event_type))
        .order(outbox::seq)
        .select(Envelope::as_select())
        .load(&mut c)
        .await
        .unwrap()
}

/// The one event of `event_type` about `aggregate` in a subgraph's outbox.
pub async fn outbox_event(server: &TestServer, aggregate: Uuid, event_type: &str) -> Envelope {
    let mut all = outbox_events(server, aggregate, event_type).await;
    assert_eq!(all.len(), 1, "{event_type} events about {aggregate}");
    all.pop().unwrap()
}

/// Marks an outbox row unpublished: its relay publishes the very same envelope (same message id)
/// again, as after a crash between the broker's ack and the commit.
pub async fn republish(server: &TestServer, event: Uuid) {
    let mut c = owner(server).await;
    let n = diesel::update(outbox::table.find(event))
        .set(outbox::published_at.eq(None::<chrono::DateTime<chrono::Utc>>))
        .execute(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// Waits until a production consumer has counted one more duplicate than `before`.
pub async fn wait_duplicate(stack: &Stack, purpose: &str, before: u64) {
    let stats = stack.events().production.consumer_stats(purpose).unwrap();
    eventually(WAIT, "the redelivery to be absorbed by the inbox", || async {
        (events::ConsumerStats::get(&stats.duplicates) > before).then_some(())
    })
    .await;
}

/// Duplicates counted so far by a production consumer.
pub fn duplicates(stack: &Stack, purpose: &str) -> u64 {
    events::ConsumerStats::get(&stack.events().production.consumer_stats(purpose).unwrap().duplicates)
}

/// Handles `event` with a new message id through `handler`, as production's consumer of
/// `<purpose>` would (its own transaction, tenant and inbox): a second publication of the same
/// change, or an older state arriving late.
pub async fn feed_as_new(stack: &Stack, purpose: &str, handler: impl Handler, event: &Envelope) -> Outcome {
    let cfg = &stack.events().cfg;
    let entry = events::catalog::find("production", purpose).unwrap();
    let queue = events::Topology::from_config(cfg).queue("production", purpose, entry.bindings);
    let consumer = events::Consumer::new(cfg, queue, stack.production.db.clone(), handler);
    let copy = Envelope {
        id: Uuid::new_v4(),
        ..event.clone()
    };
    consumer.process(&serde_json::to_vec(&copy).unwrap()).await
}

/// `count(*)` of a query on a superuser connection.
pub async fn count(c: &mut AsyncPgConnection, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql).get_result::<N>(c).await.unwrap().n
}
