//! Issue 6, flows 1-3 end to end (gateway, the three subgraphs, real PostgreSQL and RabbitMQ):
//! HR's employee events keep production's replica (in order), offboarding unassigns open tasks,
//! approved leave flags tasks at risk and blocks assignments over the due date.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;
mod flows_support;

use common::Stack;
use common::events::eventually;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use events::{Envelope, Outcome};
use flows_support::*;
use platform::schema::{audit_log, outbox};
use production::replica::leave_replica;
use production::schema::{employee_replica, task_assignments};
use serde_json::{Value, json};
use uuid::Uuid;

/// (employee, previous employee, assigned by, note) of a task's assignment history row.
type AssignmentRow = (Option<Uuid>, Option<Uuid>, Option<Uuid>, Option<String>);

/// (display name, email, status, source seq) of a replicated employee.
type ReplicaRow = (String, Option<String>, String, Option<i64>);

async fn replica(stack: &Stack, id: Uuid) -> Option<ReplicaRow> {
    let mut c = owner(&stack.production).await;
    employee_replica::table
        .find(id)
        .select((
            employee_replica::display_name,
            employee_replica::email,
            employee_replica::status,
            employee_replica::source_seq,
        ))
        .first(&mut c)
        .await
        .optional()
        .unwrap()
}

async fn replica_when(stack: &Stack, id: Uuid, what: &str, done: impl Fn(&ReplicaRow) -> bool) -> ReplicaRow {
    eventually(WAIT, what, || async { replica(stack, id).await.filter(|r| done(r)) }).await
}

#[tokio::test]
async fn employee_events_keep_the_production_replica_current_and_in_order() {
    let stack = Stack::start_with_events().await;
    let id = create_employee(&stack, "Rhea", "Sync").await;
    let created = replica_when(&stack, id, "employee.created in the replica", |_| true).await;
    assert_eq!(created.0, "Rhea Sync");
    assert_eq!(created.1.as_deref(), Some("rhea.sync@northwind.test"));
    assert_eq!(created.2, "ACTIVE");
    let created_event = outbox_event(&stack.hr, id, "employee.created").await;
    assert_eq!(created.3, Some(created_event.seq));
    assert!(created_event.payload["updatedAt"].is_string(), "{}", created_event.payload);

    // The replica is what assignments are validated against: the new person can take work.
    let t = create_task(
        &stack,
        rvr_shot("SQ010_SH010"),
        "Sync layout",
        "LAYOUT",
        Some("2031-06-02"),
        Some(8.0),
    )
    .await;
    assert_eq!(assign_ok(&stack, t, id).await["assignee"]["id"], json!(id));

    stack
        .ok(
            HR,
            "mutation($id: ID!, $i: UpdateEmployeeInput!) { updateEmployee(id: $id, input: $i) { id } }",
            json!({"id": id, "i": {"lastName": "Synced", "email": "rhea.synced@northwind.test", "status": "ON_LEAVE"}}),
        )
        .await;
    let updated = replica_when(&stack, id, "employee.updated in the replica", |r| r.0 == "Rhea Synced").await;
    assert_eq!(updated.1.as_deref(), Some("rhea.synced@northwind.test"));
    assert_eq!(updated.2, "ON_LEAVE");
    let updated_event = outbox_event(&stack.hr, id, "employee.updated").await;
    assert_eq!(updated.3, Some(updated_event.seq));

    // An older state arriving late (the created event, published again under a new id) is ignored.
    let outcome = feed_as_new(&stack, "employees", production::people_sync::employees_handler(), &created_event).await;
    assert_eq!(outcome, Outcome::Handled);
    assert_eq!(replica(&stack, id).await.unwrap(), updated);

    // The very same envelope delivered again (its relay republishes it) is absorbed by the inbox.
    let before = duplicates(&stack, "employees");
    republish(&stack.hr, updated_event.id).await;
    wait_duplicate(&stack, "employees", before).await;
    assert_eq!(replica(&stack, id).await.unwrap(), updated);

    // Only northwind's replica knows the person; vendorx's is untouched.
    let mut c = owner(&stack.production).await;
    let tenants: Vec<Uuid> = employee_replica::table
        .filter(employee_replica::id.eq(id))
        .select(employee_replica::tenant_id)
        .load(&mut c)
        .await
        .unwrap();
    assert_eq!(tenants, vec![common::tenant_id("northwind")]);
    let vendor_rows = count(
        &mut c,
        &format!(
            "SELECT count(*) AS n FROM employee_replica WHERE tenant_id = '{}'",
            common::tenant_id("vendorx")
        ),
    )
    .await;
    assert_eq!(vendor_rows as usize, platform::demo::roster("vendorx").len());
}

#[tokio::test]
async fn offboarding_unassigns_open_tasks_with_a_note_and_an_audit_trail() {
    let stack = Stack::start_with_events().await;
    let leaver = create_employee(&stack, "Otto", "Leaver").await;
    replica_when(&stack, leaver, "the new employee in the replica", |_| true).await;
    let shot = rvr_shot("SQ010_SH020");
    let in_progress = create_task(&stack, shot, "Leaver anim", "ANIMATION", Some("2031-06-02"), Some(16.0)).await;
    assign_ok(&stack, in_progress, leaver).await;
    transition(&stack, in_progress, "IN_PROGRESS").await;
    let ready = create_task(&stack, shot, "Leaver layout", "LAYOUT", Some("2031-06-03"), None).await;
    assign_ok(&stack, ready, leaver).await;
    let approved = create_task(&stack, shot, "Leaver fx", "FX", Some("2031-06-04"), None).await;
    assign_ok(&stack, approved, leaver).await;
    for to in ["IN_PROGRESS", "PENDING_REVIEW", "APPROVED"] {
        transition(&stack, approved, to).await;
    }
    let artist = platform::demo::user("artist@northwind.test").unwrap().employee_id();
    let others = create_task(&stack, shot, "Someone else's", "ANIMATION", Some("2031-06-02"), None).await;
    assign_ok(&stack, others, artist).await;
    transition(&stack, others, "IN_PROGRESS").await;
    let vendorx_audit = format!(
        "SELECT count(*) AS n FROM audit_log WHERE tenant_id = '{}'",
        common::tenant_id("vendorx")
    );
    let vendor_before = count(&mut owner(&stack.production).await, &vendorx_audit).await;

    stack
        .ok(
            HR,
            "mutation($id: ID!) { offboardEmployee(id: $id, effectiveDate: \"2026-12-31\", reason: \"Contract ended early\") { id status } }",
            json!({"id": leaver}),
        )
        .await;

    let why = "Otto Leaver was offboarded effective 2026-12-31 by Helen Park";
    let t = task_when(&stack, in_progress, "the IN_PROGRESS task unassigned", |t| t["assignee"].is_null()).await;
    assert_eq!(t["status"], "READY", "work had started: back to READY");
    let system = notes(&t, "SYSTEM");
    assert_eq!(system.len(), 1, "{t}");
    assert!(system[0].contains(why), "{}", system[0]);
    assert!(!system[0].contains("Contract ended"), "the HR reason stays in HR: {}", system[0]);
    let t = task_when(&stack, ready, "the READY task unassigned", |t| t["assignee"].is_null()).await;
    assert_eq!(t["status"], "READY");
    assert!(notes(&t, "SYSTEM")[0].contains(why));
    let t = task(&stack, approved).await;
    assert_eq!(
        (t["status"].as_str(), &t["assignee"]["id"]),
        (Some("APPROVED"), &json!(leaver)),
        "closed work keeps its assignee"
    );
    assert!(notes(&t, "SYSTEM").is_empty());
    let t = task(&stack, others).await;
    assert_eq!((t["status"].as_str(), &t["assignee"]["id"]), (Some("IN_PROGRESS"), &json!(artist)));
    assert!(notes(&t, "SYSTEM").is_empty());
    assert_eq!(replica(&stack, leaver).await.unwrap().2, "OFFBOARDED");

    // Audit, history and events name the HR user who offboarded, under HR's request id.
    let offboarded = outbox_event(&stack.hr, leaver, "employee.offboarded").await;
    let hr_user = user_id(HR);
    assert_eq!(offboarded.actor_user_id, Some(hr_user));
    assert_eq!(offboarded.payload["offboardedBy"]["displayName"], "Helen Park");
    let mut c = owner(&stack.production).await;
    let audits: Vec<(String, Option<Uuid>, Option<String>)> = audit_log::table
        .filter(audit_log::entity_id.eq_any([in_progress, ready]))
        .filter(audit_log::actor_user_id.eq(hr_user))
        .order(audit_log::id)
        .select((audit_log::action, audit_log::entity_id, audit_log::request_id))
        .load(&mut c)
        .await
        .unwrap();
    let actions: Vec<(&str, Uuid)> = audits.iter().map(|(a, e, _)| (a.as_str(), e.unwrap())).collect();
    assert_eq!(
        actions,
        vec![
            ("task.assigned", in_progress),
            ("task.status_changed", in_progress),
            ("task.assigned", ready),
        ]
    );
    assert!(audits.iter().all(|(_, _, r)| r == &offboarded.request_id), "{audits:?}");
    let history: Vec<AssignmentRow> = task_assignments::table
        .filter(task_assignments::task_id.eq(in_progress))
        .order(task_assignments::created_at)
        .select((
            task_assignments::employee_id,
            task_assignments::previous_employee_id,
            task_assignments::assigned_by,
            task_assignments::note,
        ))
        .load(&mut c)
        .await
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.0, last.1, last.2), (None, Some(leaver), Some(hr_user)));
    assert!(last.3.as_deref().unwrap().contains(why));
    let unassigned: Vec<Envelope> = outbox::table
        .filter(outbox::event_type.eq("task.assigned"))
        .filter(outbox::aggregate_id.eq_any([in_progress, ready]))
        .filter(outbox::actor_user_id.eq(hr_user))
        .select(Envelope::as_select())
        .load(&mut c)
        .await
        .unwrap();
    assert_eq!(unassigned.len(), 2);
    assert!(
        unassigned
            .iter()
            .all(|e| e.payload["assigneeId"].is_null() && e.payload["previousAssigneeId"] == json!(leaver))
    );

    // Nobody can give the offboarded person work any more.
    let refused = assign(&stack, ready, leaver).await;
    assert_eq!(common::code(&refused), "ASSIGNEE_UNAVAILABLE", "{refused}");

    // A redelivery (same message) and a second publication (new message id) change nothing.
    let snapshot = "SELECT (SELECT count(*) FROM notes) + (SELECT count(*) FROM task_assignments) \
                    + (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM outbox) AS n";
    let before_redelivery = count(&mut c, snapshot).await;
    let before = duplicates(&stack, "employees");
    republish(&stack.hr, offboarded.id).await;
    wait_duplicate(&stack, "employees", before).await;
    let outcome = feed_as_new(&stack, "employees", production::people_sync::employees_handler(), &offboarded).await;
    assert_eq!(outcome, Outcome::Handled);
    assert_eq!(count(&mut c, snapshot).await, before_redelivery);
    assert_eq!(notes(&task(&stack, in_progress).await, "SYSTEM").len(), 1);

    // The other tenant saw nothing.
    assert_eq!(count(&mut c, &vendorx_audit).await, vendor_before);
    let vendor_view = stack
        .ok(
            VENDOR,
            "query($e: ID!) { tasks(filter: {assigneeId: $e}) { totalCount } }",
            json!({"e": leaver}),
        )
        .await;
    assert_eq!(vendor_view["tasks"]["totalCount"], 0);
}

const REQUEST_LEAVE: &str = "mutation($i: RequestLeaveInput!) { requestLeave(input: $i) { id status } }";
const DECIDE_LEAVE: &str = "mutation($id: ID!, $a: Boolean!) { decideLeave(id: $id, approve: $a) { id status } }";
const CANCEL_LEAVE: &str = "mutation($id: ID!) { cancelLeave(id: $id) { id status } }";

/// Requested by HR for `employee` (so another HR user or an admin decides).
async fn request_leave(stack: &Stack, employee: Uuid, start: &str, end: &str) -> Uuid {
    let data = stack
        .ok(
            HR,
            REQUEST_LEAVE,
            json!({"i": {"type": "OTHER", "startDate": start, "endDate": end, "reason": "Family matters", "employeeId": employee}}),
        )
        .await;
    uuid(&data["requestLeave"]["id"])
}

async fn decide_leave(stack: &Stack, leave: Uuid, approve: bool) {
    stack.ok(ADMIN, DECIDE_LEAVE, json!({"id": leave, "a": approve})).await;
}

async fn leave_status_when(stack: &Stack, leave: Uuid, status: &str) {
    eventually(WAIT, &format!("leave {leave} {status} in production"), || async {
        let mut c = owner(&stack.production).await;
        let s: Option<String> = leave_replica::table
            .find(leave)
            .select(leave_replica::status)
            .first(&mut c)
            .await
            .optional()
            .unwrap();
        (s.as_deref() == Some(status)).then_some(())
    })
    .await;
}

async fn at_risk(stack: &Stack, id: Uuid) -> bool {
    task(stack, id).await["atRisk"].as_bool().unwrap()
}

#[tokio::test]
async fn approved_leave_flags_tasks_at_risk_and_blocks_assignment_over_the_due_date() {
    let stack = Stack::start_with_events().await;
    let away = create_employee(&stack, "Lena", "Away").await;
    replica_when(&stack, away, "the new employee in the replica", |_| true).await;
    let shot = rvr_shot("SQ020_SH010");
    // L1 = 2031-03-03..07, L2 = 2031-03-10..11 (both approved); L3 = 2031-03-17..18 (rejected).
    let in_l1 = create_task(&stack, shot, "Due in L1", "ANIMATION", Some("2031-03-05"), Some(8.0)).await;
    let spans_both = create_task(&stack, shot, "Ten days up to 03-12", "ANIMATION", Some("2031-03-12"), Some(80.0)).await;
    let in_l2 = create_task(&stack, shot, "Due in L2", "LAYOUT", Some("2031-03-11"), Some(8.0)).await;
    let later = create_task(&stack, shot, "Due in April", "LAYOUT", Some("2031-04-30"), Some(8.0)).await;
    let in_l3 = create_task(&stack, shot, "Due in L3", "FX", Some("2031-03-18"), Some(8.0)).await;
    for t in [in_l1, spans_both, in_l2, later, in_l3] {
        assert_eq!(assign_ok(&stack, t, away).await["atRisk"], false);
    }
    let artist = platform::demo::user("artist@northwind.test").unwrap().employee_id();
    let artists = create_task(&stack, shot, "Artist's, due in L1", "ANIMATION", Some("2031-03-05"), Some(8.0)).await;
    assign_ok(&stack, artists, artist).await;

    let l1 = request_leave(&stack, away, "2031-03-03", "2031-03-07").await;
    let l2 = request_leave(&stack, away, "2031-03-10", "2031-03-11").await;
    leave_status_when(&stack, l2, "PENDING").await;
    assert!(!at_risk(&stack, in_l2).await, "pending leave flags nothing");
    decide_leave(&stack, l1, true).await;
    decide_leave(&stack, l2, true).await;
    for t in [in_l1, spans_both, in_l2] {
        task_when(&stack, t, "the task flagged at risk", |t| t["atRisk"] == true).await;
    }
    assert!(!at_risk(&stack, later).await);
    assert!(!at_risk(&stack, artists).await, "another person's task is untouched");
    let flagged = stack
        .ok(
            SUP,
            "query($e: ID!) { tasks(filter: {assigneeId: $e, atRisk: true}) { totalCount edges { node { id } } } }",
            json!({"e": away}),
        )
        .await;
    assert_eq!(flagged["tasks"]["totalCount"], 3, "{flagged}");

    // Requested then rejected leave has no effect.
    let l3 = request_leave(&stack, away, "2031-03-17", "2031-03-18").await;
    decide_leave(&stack, l3, false).await;
    leave_status_when(&stack, l3, "REJECTED").await;
    assert!(!at_risk(&stack, in_l3).await);

    // Assigning over the due date is refused with the conflicting dates.
    let blocked = create_task(&stack, shot, "Due mid-leave", "COMPOSITING", Some("2031-03-06"), Some(8.0)).await;
    let refused = assign(&stack, blocked, away).await;
    assert_eq!(common::code(&refused), "ASSIGNEE_UNAVAILABLE", "{refused}");
    let error = &refused["errors"][0];
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("2031-03-03 to 2031-03-07") && message.contains("2031-03-06"),
        "{message}"
    );
    assert_eq!(
        error["extensions"]["details"]["conflicts"],
        json!([{"start": "2031-03-03", "end": "2031-03-07"}]),
        "{refused}"
    );
    assert!(task(&stack, blocked).await["assignee"].is_null());
    // Assigning work whose days before the due date cross the leave flags it at once.
    let crossing = create_task(&stack, shot, "Five days up to 03-14", "LIGHTING", Some("2031-03-14"), Some(40.0)).await;
    assert_eq!(assign_ok(&stack, crossing, away).await["atRisk"], true);
    let clear = create_task(&stack, shot, "Due in May", "LIGHTING", Some("2031-05-06"), Some(40.0)).await;
    assert_eq!(assign_ok(&stack, clear, away).await["atRisk"], false);

    // Cancelling L2 clears what only L2 put at risk; L1 still holds the ten-day task.
    stack.ok(HR, CANCEL_LEAVE, json!({"id": l2})).await;
    task_when(&stack, in_l2, "the L2 task cleared", |t| t["atRisk"] == false).await;
    task_when(&stack, crossing, "the task assigned into L2 cleared", |t| t["atRisk"] == false).await;
    assert!(at_risk(&stack, spans_both).await, "L1 still overlaps");
    assert!(at_risk(&stack, in_l1).await);

    // Each flip is a production event caused by the HR user who acted.
    let flips = outbox_events(&stack.production, in_l2, "task.at_risk_changed").await;
    let flips: Vec<(bool, Option<Uuid>, Value)> = flips
        .iter()
        .map(|e| {
            (
                e.payload["atRisk"].as_bool().unwrap(),
                e.actor_user_id,
                e.payload["leaveRequestId"].clone(),
            )
        })
        .collect();
    assert_eq!(
        flips,
        vec![(true, Some(user_id(ADMIN)), json!(l2)), (false, Some(user_id(HR)), json!(l2))]
    );

    // A late `approved` for the cancelled L2 (new message id) and the cancellation delivered again
    // change nothing.
    let approved_l2 = outbox_event(&stack.hr, l2, "leave.approved").await;
    let outcome = feed_as_new(&stack, "leave", production::people_sync::leave_handler(), &approved_l2).await;
    assert_eq!(outcome, Outcome::Handled);
    leave_status_when(&stack, l2, "CANCELLED").await;
    assert!(!at_risk(&stack, in_l2).await);
    let cancelled_l2 = outbox_event(&stack.hr, l2, "leave.cancelled").await;
    let before = duplicates(&stack, "leave");
    republish(&stack.hr, cancelled_l2.id).await;
    wait_duplicate(&stack, "leave", before).await;
    assert_eq!(outbox_events(&stack.production, in_l2, "task.at_risk_changed").await.len(), 2);

    // The other tenant has no leave and no flagged task.
    let mut c = owner(&stack.production).await;
    let vendor_leave = count(
        &mut c,
        &format!(
            "SELECT count(*) AS n FROM leave_replica WHERE tenant_id = '{}'",
            common::tenant_id("vendorx")
        ),
    )
    .await;
    assert_eq!(vendor_leave, 0);
    let vendor_view = stack
        .ok(VENDOR, "{ tasks(filter: {atRisk: true}) { totalCount } }", json!({}))
        .await;
    assert_eq!(vendor_view["tasks"]["totalCount"], 0);
}
