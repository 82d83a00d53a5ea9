//! The workflow as data: each project has a transition table (from, to, label, roles, whether the
//! assignee may make it), seeded from [`DEFAULT`]. `transitionTask` and
//! `Task.availableTransitions` both read it through [`allowed`], so what the UI offers is exactly
//! what the server accepts.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::{AppError, Conn, Principal};
use uuid::Uuid;

use crate::model::{TaskRow, TransitionRow};
use crate::schema::workflow_transitions;

/// One default transition: (from, to, label, roles, assignee allowed).
pub type DefaultTransition = (&'static str, &'static str, &'static str, &'static [&'static str], bool);

const LEADS: &[&str] = &["SUPERVISOR", "ADMIN"];

/// The studio default: artists move their own work between READY, IN_PROGRESS and
/// PENDING_REVIEW; supervisors review, hold, release and reopen.
pub const DEFAULT: &[DefaultTransition] = &[
    ("WAITING", "READY", "Release", LEADS, false),
    ("READY", "IN_PROGRESS", "Start", LEADS, true),
    ("IN_PROGRESS", "READY", "Stop", LEADS, true),
    ("IN_PROGRESS", "PENDING_REVIEW", "Submit for review", LEADS, true),
    ("PENDING_REVIEW", "APPROVED", "Approve", LEADS, false),
    ("PENDING_REVIEW", "RETAKE", "Request retake", LEADS, false),
    ("RETAKE", "IN_PROGRESS", "Resume work", LEADS, true),
    ("APPROVED", "RETAKE", "Reopen", LEADS, false),
    ("WAITING", "ON_HOLD", "Put on hold", LEADS, false),
    ("READY", "ON_HOLD", "Put on hold", LEADS, false),
    ("IN_PROGRESS", "ON_HOLD", "Put on hold", LEADS, false),
    ("RETAKE", "ON_HOLD", "Put on hold", LEADS, false),
    ("ON_HOLD", "READY", "Take off hold", LEADS, false),
];

/// Copies the default workflow onto a new project.
pub async fn install_default(c: &mut Conn, tenant: Uuid, project: Uuid) -> Result<(), AppError> {
    let rows: Vec<_> = DEFAULT
        .iter()
        .map(|(from, to, label, roles, assignee)| {
            (
                workflow_transitions::tenant_id.eq(tenant),
                workflow_transitions::project_id.eq(project),
                workflow_transitions::from_status.eq(*from),
                workflow_transitions::to_status.eq(*to),
                workflow_transitions::label.eq(*label),
                workflow_transitions::roles.eq(roles.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>()),
                workflow_transitions::assignee_allowed.eq(*assignee),
            )
        })
        .collect();
    diesel::insert_into(workflow_transitions::table).values(rows).execute(c).await?;
    Ok(())
}

/// Whether `p` may move `task` along `t` now: the transition starts at the task's status, the
/// token may write production data, and `p` holds one of its roles or is the task's assignee
/// where the assignee may make it.
pub fn allowed(p: &Principal, task: &TaskRow, t: &TransitionRow) -> bool {
    if t.from_status != task.status || !p.has_scope("production:write") {
        return false;
    }
    let by_role = p.roles.iter().any(|r| t.roles.iter().any(|x| x == r.as_str()));
    let by_assignment = t.assignee_allowed && task.assignee_id.is_some() && task.assignee_id == p.employee_id;
    by_role || by_assignment
}
