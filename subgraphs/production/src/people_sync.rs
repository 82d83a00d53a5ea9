//! HR's employee and leave events (issue 6, flows 1-3):
//!
//! - `hr.employee.created/updated/offboarded` (queue `production.employees`) keep the employee
//!   replica current, older states arriving late being ignored ([`crate::replica`]);
//! - `hr.employee.offboarded` also unassigns the person's open tasks: each gets its assignment
//!   history row, audit rows and events (`task.assigned` with a null assignee, and
//!   `task.status_changed` when work had started: IN_PROGRESS or RETAKE go back to READY), and a
//!   system note saying who was offboarded and by whom. WAITING, ON_HOLD and PENDING_REVIEW tasks
//!   keep their status (upstream work, a supervisor's hold, a version awaiting review);
//! - `hr.leave.*` (queue `production.leave`) keep the leave replica current and recompute `atRisk`
//!   on the person's open tasks (`task.at_risk_changed` for each flip): a cancelled leave clears
//!   the flag unless another approved leave still overlaps; a requested or rejected leave changes
//!   nothing.
//!
//! Every change is made as the event's principal (the HR user who acted, under the event's
//! request id), so audit rows say who caused it. Unknown event types and unknown tasks are no-ops;
//! a payload that does not parse is an error (retried, then dead-lettered).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use events::{Envelope, EventsRuntime, Handler};
use futures::FutureExt as _;
use platform::journal::{self, Change};
use platform::{AppError, Conn, Principal};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use uuid::Uuid;

use crate::SUBGRAPH;
use crate::model::{NoteKind, TaskRow, TaskStatus};
use crate::replica::{self, ReplicaEmployee, ReplicaLeave};
use crate::schema::tasks;
use crate::tasks::{add_note, assign, is_open, set_task_status};

/// Adds the `employees` and `leave` consumers to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime.consume("employees", employees_handler()).consume("leave", leave_handler())
}

/// The handler of `production.employees` (public for tests that feed it envelopes directly).
pub fn employees_handler() -> impl Handler {
    events::handler(|event, conn| on_employee(event, conn).boxed())
}

/// The handler of `production.leave`.
pub fn leave_handler() -> impl Handler {
    events::handler(|event, conn| on_leave(event, conn).boxed())
}

/// Parses an event's payload; a malformed payload is a contract bug, not a benign condition.
pub(crate) fn payload<T: DeserializeOwned>(event: &Envelope) -> Result<T, AppError> {
    serde_json::from_value(event.payload.clone())
        .map_err(|e| AppError::bad_input(format!("{} {}: malformed payload: {e}", event.routing_key, event.id)))
}

/// The part of HR's employee payload production uses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmployeeEvent {
    employee_id: Uuid,
    display_name: String,
    email: Option<String>,
    status: String,
    effective_date: Option<NaiveDate>,
    offboarded_by: Option<Actor>,
}

/// Who acted in HR.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Actor {
    display_name: Option<String>,
}

async fn on_employee(event: &Envelope, c: &mut Conn) -> Result<(), AppError> {
    if !matches!(
        event.event_type.as_str(),
        "employee.created" | "employee.updated" | "employee.offboarded"
    ) {
        return Ok(());
    }
    let e: EmployeeEvent = payload(event)?;
    let row = ReplicaEmployee {
        id: e.employee_id,
        tenant_id: event.tenant_id,
        display_name: e.display_name.clone(),
        email: e.email.clone(),
        status: e.status.clone(),
    };
    if !replica::apply_employee(c, &row, event.seq).await? {
        tracing::info!(employee.id = %e.employee_id, event.id = %event.id, event.seq = event.seq, "Older employee state arrived late; ignored");
    }
    // Whatever the order of arrival, once the replica says OFFBOARDED nobody keeps open work.
    let offboarded = replica::employee(c, e.employee_id).await?.is_some_and(|(s, _)| s == "OFFBOARDED");
    if event.event_type == "employee.offboarded" && offboarded {
        let n = unassign_open_tasks(c, &event.principal(), &e).await?;
        tracing::info!(employee.id = %e.employee_id, tasks.unassigned = n, "Unassigned an offboarded employee's open tasks");
    }
    Ok(())
}

/// Unassigns every open task of an offboarded person; returns how many.
async fn unassign_open_tasks(c: &mut Conn, p: &Principal, e: &EmployeeEvent) -> Result<usize, AppError> {
    let open: Vec<TaskRow> = tasks::table
        .filter(tasks::assignee_id.eq(e.employee_id))
        .filter(tasks::status.ne(TaskStatus::Approved.as_str()))
        .order((tasks::created_at, tasks::id))
        .for_update()
        .select(TaskRow::as_select())
        .load(c)
        .await?;
    let by = e
        .offboarded_by
        .as_ref()
        .and_then(|a| a.display_name.clone())
        .unwrap_or_else(|| "HR".to_owned());
    let effective = e.effective_date.map(|d| format!(" effective {d}")).unwrap_or_default();
    let why = format!("Unassigned: {} was offboarded{effective} by {by}.", e.display_name);
    for task in &open {
        let after = assign(c, p, task.id, None, Some(&why)).await?;
        if matches!(task.status(), TaskStatus::InProgress | TaskStatus::Retake) {
            set_task_status(c, p, &after, TaskStatus::Ready, Some(&why)).await?;
        }
        add_note(c, p, task.id, None, NoteKind::System, &why).await?;
    }
    Ok(open.len())
}

/// The part of HR's leave payload production uses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeaveEvent {
    leave_request_id: Uuid,
    employee_id: Uuid,
    #[serde(rename = "type")]
    leave_type: String,
    start_date: NaiveDate,
    end_date: NaiveDate,
    status: String,
}

async fn on_leave(event: &Envelope, c: &mut Conn) -> Result<(), AppError> {
    if !matches!(
        event.event_type.as_str(),
        "leave.requested" | "leave.approved" | "leave.rejected" | "leave.cancelled"
    ) {
        return Ok(());
    }
    let l: LeaveEvent = payload(event)?;
    let row = ReplicaLeave {
        id: l.leave_request_id,
        tenant_id: event.tenant_id,
        employee_id: l.employee_id,
        leave_type: l.leave_type,
        start_date: l.start_date,
        end_date: l.end_date,
        status: l.status,
    };
    if !replica::apply_leave(c, &row, event.seq).await? {
        tracing::info!(leave.id = %l.leave_request_id, event.id = %event.id, event.seq = event.seq, "Older leave state arrived late; ignored");
        return Ok(());
    }
    let n = refresh_at_risk(c, &event.principal(), l.employee_id, l.leave_request_id).await?;
    if n > 0 {
        tracing::info!(employee.id = %l.employee_id, leave.id = %l.leave_request_id, tasks.changed = n, "Recomputed tasks at risk from leave");
    }
    Ok(())
}

/// Recomputes `atRisk` on an employee's open tasks from their approved leave; records
/// `task.at_risk_changed` for each task whose flag flips (because of `leave`). Returns how many.
async fn refresh_at_risk(c: &mut Conn, p: &Principal, employee: Uuid, leave: Uuid) -> Result<usize, AppError> {
    let absences = replica::approved_leave(c, employee).await?;
    let assigned: Vec<TaskRow> = tasks::table
        .filter(tasks::assignee_id.eq(employee))
        .order((tasks::created_at, tasks::id))
        .for_update()
        .select(TaskRow::as_select())
        .load(c)
        .await?;
    let mut changed = 0;
    for before in assigned.iter().filter(|t| is_open(t.status())) {
        let conflicts = replica::conflicts(&absences, before.due_date, before.estimate_hours);
        let risk = !conflicts.is_empty();
        if risk == before.at_risk {
            continue;
        }
        let after: TaskRow = diesel::update(tasks::table.find(before.id))
            .set((tasks::at_risk.eq(risk), tasks::updated_at.eq(diesel::dsl::now)))
            .returning(TaskRow::as_returning())
            .get_result(c)
            .await?;
        let payload = json!({
            "taskId": after.id, "projectId": after.project_id, "shotId": after.shot_id, "assetId": after.asset_id,
            "assigneeId": employee, "atRisk": risk, "dueDate": after.due_date, "leaveRequestId": leave, "conflicts": conflicts,
        });
        journal::record(
            c,
            SUBGRAPH,
            p,
            Change {
                aggregate: "task",
                aggregate_id: after.id,
                event: "at_risk_changed",
                before: Some(json!(before)),
                after: Some(json!(after)),
                payload,
            },
        )
        .await?;
        changed += 1;
    }
    Ok(changed)
}
