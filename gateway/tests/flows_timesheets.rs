//! Issue 6, flow 6 end to end (gateway, the three subgraphs, real PostgreSQL and RabbitMQ): an
//! artist's time logs in production become HR timesheet hours for that person and day, exactly
//! once; an update replaces the log's hours instead of adding; a change for an approved month is
//! held for HR instead of failing.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::Duration;

use chrono::{Datelike, Months, NaiveDate, Utc};
use common::events::eventually;
use common::{Stack, demo_id, employee_id, tenant_id};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use events::{ConsumerStats, Envelope, Outcome};
use platform::schema::outbox;
use platform::testing::TestServer;
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(30);
const HR: &str = "hr@northwind.test";
const SUP: &str = "sup@northwind.test";
const ARTIST: &str = "artist@northwind.test";

fn uuid(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().unwrap_or_else(|| panic!("not an id: {v}"))).unwrap()
}

async fn owner(server: &TestServer) -> AsyncPgConnection {
    server.database.owner_connection().await.unwrap()
}

async fn outbox_event(server: &TestServer, aggregate: Uuid, event_type: &str) -> Envelope {
    let mut c = owner(server).await;
    let mut all: Vec<Envelope> = outbox::table
        .filter(outbox::aggregate_id.eq(aggregate).and(outbox::event_type.eq(event_type)))
        .order(outbox::seq)
        .select(Envelope::as_select())
        .load(&mut c)
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "one {event_type} of {aggregate}");
    all.remove(0)
}

/// A task on a demo River Tales shot, assigned to the artist.
async fn artist_task(stack: &Stack) -> Uuid {
    let data = stack
        .ok(
            SUP,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
            json!({"i": {"shotId": demo_id("shot", "northwind/RVR/SQ020_SH030"), "name": "Timesheet layout", "type": "LAYOUT"}}),
        )
        .await;
    let task = uuid(&data["createTask"]["id"]);
    stack
        .ok(
            SUP,
            "mutation($t: ID!, $e: ID!) { assignTask(taskId: $t, employeeId: $e) { id } }",
            json!({"t": task, "e": employee_id("northwind", "artist")}),
        )
        .await;
    task
}

async fn log_time(stack: &Stack, task: Uuid, date: NaiveDate, hours: f64) -> Uuid {
    let data = stack
        .ok(
            ARTIST,
            "mutation($i: LogTimeInput!) { logTime(input: $i) { id hours } }",
            json!({"i": {"taskId": task, "date": date, "hours": hours, "note": "layout"}}),
        )
        .await;
    uuid(&data["logTime"]["id"])
}

const UPDATE: &str = "mutation($id: ID!, $i: UpdateTimeLogInput!) { updateTimeLog(id: $id, input: $i) { id hours note date } }";

/// The artist's timesheet of `month` (as the artist).
async fn sheet(stack: &Stack, month: NaiveDate) -> Value {
    stack
        .ok(
            ARTIST,
            "query($e: ID!, $m: Date!) { timesheet(employeeId: $e, month: $m) { status totalHours entries { date hours source } heldChanges { date hours reason source } } }",
            json!({"e": employee_id("northwind", "artist"), "m": month}),
        )
        .await["timesheet"]
        .clone()
}

async fn sheet_when(stack: &Stack, month: NaiveDate, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    eventually(WAIT, what, || async {
        let s = sheet(stack, month).await;
        done(&s).then_some(s)
    })
    .await
}

fn hours(list: &Value) -> Vec<f64> {
    let mut h: Vec<f64> = list.as_array().unwrap().iter().map(|e| e["hours"].as_f64().unwrap()).collect();
    h.sort_by(f64::total_cmp);
    h
}

fn first_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap()
}

#[tokio::test]
async fn time_logs_become_timesheet_hours_once_and_updates_replace_them() {
    let stack = Stack::start_with_events().await;
    let stats = stack.events().hr.consumer_stats("timesheets").unwrap();
    let task = artist_task(&stack).await;
    let today = Utc::now().date_naive();
    let month = first_of(today);

    let morning = log_time(&stack, task, today, 3.5).await;
    log_time(&stack, task, today, 2.0).await;
    let s = sheet_when(&stack, month, "both time logs in the timesheet", |s| {
        s["entries"].as_array().unwrap().len() == 2
    })
    .await;
    assert_eq!(s["totalHours"], 5.5);
    assert_eq!(hours(&s["entries"]), vec![2.0, 3.5]);
    assert!(
        s["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["source"] == "production.timelog" && e["date"] == json!(today))
    );

    // The person who logged it corrects it: the day's total is replaced, not added to.
    let (_, body) = stack.post(Some(SUP), UPDATE, json!({"id": morning, "i": {"hours": 1.0}})).await;
    assert_eq!(common::code(&body), "FORBIDDEN", "{body}");
    let (_, body) = stack.post(Some(ARTIST), UPDATE, json!({"id": morning, "i": {"hours": 23.0}})).await;
    assert_eq!(common::code(&body), "BAD_USER_INPUT", "2 h + 23 h is more than a day: {body}");
    let updated = stack
        .ok(ARTIST, UPDATE, json!({"id": morning, "i": {"hours": 1.5, "note": null}}))
        .await;
    assert_eq!(
        updated["updateTimeLog"],
        json!({"id": morning, "hours": 1.5, "note": null, "date": today})
    );
    let s = sheet_when(&stack, month, "the corrected hours", |s| s["totalHours"] == 3.5).await;
    assert_eq!(hours(&s["entries"]), vec![1.5, 2.0]);
    let event = outbox_event(&stack.production, morning, "timelog.updated").await;
    assert_eq!(
        (&event.payload["minutes"], &event.payload["previousMinutes"]),
        (&json!(90), &json!(210))
    );

    // The created state arriving late (a second publication) changes nothing.
    let created = outbox_event(&stack.production, morning, "timelog.created").await;
    let cfg = &stack.events().cfg;
    let entry = events::catalog::find("hr", "timesheets").unwrap();
    let queue = events::Topology::from_config(cfg).queue("hr", "timesheets", entry.bindings);
    let consumer = events::Consumer::new(cfg, queue, stack.hr.db.clone(), hr::consumers::timesheets_handler());
    let late = Envelope {
        id: Uuid::new_v4(),
        ..created
    };
    assert_eq!(consumer.process(&serde_json::to_vec(&late).unwrap()).await, Outcome::Handled);
    // The update delivered twice (its relay publishes it again) is absorbed by the inbox.
    let duplicates = ConsumerStats::get(&stats.duplicates);
    let mut c = owner(&stack.production).await;
    diesel::update(outbox::table.find(event.id))
        .set(outbox::published_at.eq(None::<chrono::DateTime<Utc>>))
        .execute(&mut c)
        .await
        .unwrap();
    eventually(WAIT, "the redelivery to reach the inbox", || async {
        (ConsumerStats::get(&stats.duplicates) > duplicates).then_some(())
    })
    .await;
    let s = sheet(&stack, month).await;
    assert_eq!((s["totalHours"].as_f64(), hours(&s["entries"])), (Some(3.5), vec![1.5, 2.0]));

    // A month approved by HR keeps its hours; later changes are held for HR, not dead-lettered.
    let old = first_of(today).checked_sub_months(Months::new(2)).unwrap() + chrono::Days::new(2);
    let old_month = first_of(old);
    let late_log = log_time(&stack, task, old, 3.0).await;
    sheet_when(&stack, old_month, "hours in the older month", |s| s["totalHours"] == 3.0).await;
    let approved = stack
        .ok(
            HR,
            "mutation($e: ID!, $m: Date!) { approveTimesheet(employeeId: $e, month: $m) { status totalHours } }",
            json!({"e": employee_id("northwind", "artist"), "m": old_month}),
        )
        .await;
    assert_eq!(approved["approveTimesheet"], json!({"status": "APPROVED", "totalHours": 3.0}));
    stack.ok(ARTIST, UPDATE, json!({"id": late_log, "i": {"hours": 5.0}})).await;
    log_time(&stack, task, old, 1.0).await;
    let s = sheet_when(&stack, old_month, "two held changes", |s| {
        s["heldChanges"].as_array().unwrap().len() == 2
    })
    .await;
    assert_eq!(s["status"], "APPROVED");
    assert_eq!(
        (s["totalHours"].as_f64(), hours(&s["entries"])),
        (Some(3.0), vec![3.0]),
        "approved hours stay"
    );
    assert_eq!(hours(&s["heldChanges"]), vec![1.0, 5.0]);
    assert!(
        s["heldChanges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["reason"] == "PERIOD_APPROVED")
    );
    assert_eq!(
        ConsumerStats::get(&stats.failures),
        0,
        "nothing failed, so nothing is dead-lettered"
    );

    // The current month is untouched by all this, and the other tenant has no hours at all.
    assert_eq!(sheet(&stack, month).await["totalHours"], 3.5);
    let mut c = owner(&stack.hr).await;
    let vendor: i64 = hr::schema::timesheet_entries::table
        .filter(hr::schema::timesheet_entries::tenant_id.eq(tenant_id("vendorx")))
        .count()
        .get_result(&mut c)
        .await
        .unwrap();
    assert_eq!(vendor, 0);
}
