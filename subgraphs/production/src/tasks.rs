//! Tasks: the filtered connection, creation with dependencies, assignment with history,
//! workflow-enforced transitions, notes, and the release of downstream tasks when their upstream
//! work is approved (in the same transaction).

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::{RoleGuard, ScopeGuard, principal};
use platform::idempotency::Idempotent;
use platform::journal::{self, Change};
use platform::pagination::{decode_cursor, encode_cursor, page, page_size};
use platform::scalars::{Date, parse_id};
use platform::{AppError, Conn, Db, ErrorCode, Principal, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::connections::{CountScope, Total};
use crate::loaders::Loaders;
use crate::model::*;
use crate::objects::{EmployeeRef, Note, Task};
use crate::replica;
use crate::schema::{assets, notes, shots, task_assignments, task_dependencies, tasks, workflow_transitions};
use crate::sharing;
use crate::workflow::allowed;
use crate::{MANAGERS, SUBGRAPH};

/// Tasks, in creation order.
pub type TaskConnection = Connection<String, Task, Total>;

/// Filters of `tasks`.
#[derive(InputObject, Default)]
pub struct TaskFilter {
    /// In this project.
    pub project_id: Option<ID>,
    /// Assigned to this employee.
    pub assignee_id: Option<ID>,
    /// In any of these statuses.
    pub status: Option<Vec<TaskStatus>>,
    /// At risk (or not).
    pub at_risk: Option<bool>,
}

/// A parsed task filter.
#[derive(Clone, Default)]
pub struct TaskScope {
    /// Project.
    pub project_id: Option<Uuid>,
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// Statuses.
    pub statuses: Option<Vec<String>>,
    /// At-risk flag.
    pub at_risk: Option<bool>,
}

impl TaskScope {
    fn parse(f: Option<TaskFilter>) -> Result<Self, AppError> {
        let f = f.unwrap_or_default();
        Ok(Self {
            project_id: f.project_id.as_ref().map(parse_id).transpose()?,
            assignee_id: f.assignee_id.as_ref().map(parse_id).transpose()?,
            statuses: f.status.map(|s| s.into_iter().map(|x| x.as_str().to_owned()).collect()),
            at_risk: f.at_risk,
        })
    }

    /// The filtered query.
    pub fn query(&self) -> tasks::BoxedQuery<'static, diesel::pg::Pg> {
        let mut q = tasks::table.into_boxed();
        if let Some(p) = self.project_id {
            q = q.filter(tasks::project_id.eq(p));
        }
        if let Some(a) = self.assignee_id {
            q = q.filter(tasks::assignee_id.eq(a));
        }
        if let Some(s) = &self.statuses {
            q = q.filter(tasks::status.eq_any(s.clone()));
        }
        if let Some(r) = self.at_risk {
            q = q.filter(tasks::at_risk.eq(r));
        }
        q
    }
}

/// A page of tasks matching `scope`: one query, whatever the nested selection.
pub async fn task_connection(
    ctx: &Context<'_>,
    scope: TaskScope,
    first: Option<i32>,
    after: Option<String>,
) -> Result<TaskConnection, AppError> {
    let p = principal(ctx)?;
    let limit = page_size(first)?;
    let cursor: Option<(DateTime<Utc>, Uuid)> = after.as_deref().map(decode_cursor).transpose()?;
    let s = scope.clone();
    let rows: Vec<TaskRow> = ctx
        .data_unchecked::<Db>()
        .tx(p.tenant_id, |c| {
            async move {
                let mut q = s.query();
                if let Some((at, id)) = cursor {
                    q = q.filter(tasks::created_at.gt(at).or(tasks::created_at.eq(at).and(tasks::id.gt(id))));
                }
                Ok(q.order((tasks::created_at, tasks::id))
                    .limit(limit + 1)
                    .select(TaskRow::as_select())
                    .load(c)
                    .await?)
            }
            .scope_boxed()
        })
        .await?;
    Ok(page(
        rows,
        limit,
        after.is_some(),
        Total(CountScope::Tasks(scope)),
        |r| encode_cursor(&(r.created_at, r.id)),
        Task,
    ))
}

/// Task queries.
#[derive(Default)]
pub struct TaskQuery;

#[Object]
impl TaskQuery {
    /// Tasks matching a filter, in creation order.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<TaskConnection, AppError> {
        task_connection(ctx, TaskScope::parse(filter)?, first, after).await
    }

    /// One task, or null.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn task(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Task>, AppError> {
        Ok(Loaders::of(ctx)?.tasks.load_one(parse_id(&id)?).await?.map(Task))
    }

    /// Federation: `Task` by id.
    #[graphql(entity)]
    async fn find_task_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Task>, AppError> {
        let Ok(id) = parse_id(&id) else { return Ok(None) };
        Ok(Loaders::of(ctx)?.tasks.load_one(id).await?.map(Task))
    }

    /// Federation: `Employee` references, extended here with their tasks.
    #[graphql(entity)]
    async fn find_employee_by_id(&self, id: ID) -> Result<EmployeeRef, AppError> {
        Ok(EmployeeRef(parse_id(&id)?))
    }
}

/// Input of `createTask`: on a shot or an asset.
#[derive(InputObject, Serialize)]
pub struct CreateTaskInput {
    /// The shot (or give assetId).
    pub shot_id: Option<ID>,
    /// The asset (or give shotId).
    pub asset_id: Option<ID>,
    /// Name, e.g. "Animation".
    pub name: String,
    /// Kind of work.
    #[graphql(name = "type")]
    pub task_type: TaskType,
    /// Due date.
    pub due_date: Option<Date>,
    /// Estimate in hours.
    pub estimate_hours: Option<f64>,
    /// Upstream tasks of the same project; the task waits until they are all approved.
    pub depends_on: Option<Vec<ID>>,
    /// Replays within 24 h return the first result.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// Locks a task row; NOT_FOUND, or FORBIDDEN for a task only shared with the caller's tenant
/// (row-level security lets a vendor read a shared task, never lock or change it).
pub async fn lock_task(c: &mut Conn, id: Uuid) -> Result<TaskRow, AppError> {
    let row: Option<TaskRow> = tasks::table
        .find(id)
        .for_update()
        .select(TaskRow::as_select())
        .first(c)
        .await
        .optional()?;
    match row {
        Some(row) => Ok(row),
        None => Err(sharing::refuse_unlockable(c, id).await?),
    }
}

/// Whether a task still has work ahead (APPROVED is the workflow's only closed status). Only
/// open tasks are at risk, and offboarding unassigns only open tasks.
pub fn is_open(status: TaskStatus) -> bool {
    status != TaskStatus::Approved
}

/// Whether a task in `status`, due on `due` with `estimate` hours, would be at risk in the hands
/// of `assignee`: open, and overlapping the assignee's approved leave
/// ([`replica::conflicts`]).
pub async fn at_risk(
    c: &mut Conn,
    assignee: Option<Uuid>,
    status: TaskStatus,
    due: Option<chrono::NaiveDate>,
    estimate: Option<f64>,
) -> Result<bool, AppError> {
    let Some(assignee) = assignee.filter(|_| is_open(status) && due.is_some()) else {
        return Ok(false);
    };
    let absences = replica::approved_leave(c, assignee).await?;
    Ok(!replica::conflicts(&absences, due, estimate).is_empty())
}

/// Sets a task's status with its audit row and `task.status_changed` event (and `atRisk`, which
/// only open tasks carry); approving releases downstream tasks.
pub async fn set_task_status(
    c: &mut Conn,
    p: &Principal,
    before: &TaskRow,
    to: TaskStatus,
    comment: Option<&str>,
) -> Result<TaskRow, AppError> {
    let risk = at_risk(c, before.assignee_id, to, before.due_date, before.estimate_hours).await?;
    let after: TaskRow = diesel::update(tasks::table.find(before.id))
        .set((
            tasks::status.eq(to.as_str()),
            tasks::at_risk.eq(risk),
            tasks::updated_at.eq(diesel::dsl::now),
        ))
        .returning(TaskRow::as_returning())
        .get_result(c)
        .await?;
    let payload = json!({
        "taskId": after.id, "projectId": after.project_id, "shotId": after.shot_id, "assetId": after.asset_id,
        "from": before.status, "to": after.status, "comment": comment, "assigneeId": after.assignee_id,
        "atRisk": after.at_risk,
    });
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "task",
            aggregate_id: after.id,
            event: "status_changed",
            before: Some(json!(before)),
            after: Some(json!(after)),
            payload,
        },
    )
    .await?;
    if to == TaskStatus::Approved {
        release_dependents(c, p, after.id).await?;
    }
    Ok(after)
}

/// Moves every WAITING task whose upstream tasks are now all APPROVED to READY.
async fn release_dependents(c: &mut Conn, p: &Principal, upstream: Uuid) -> Result<(), AppError> {
    let downstream: Vec<Uuid> = task_dependencies::table
        .filter(task_dependencies::depends_on_id.eq(upstream))
        .select(task_dependencies::task_id)
        .load(c)
        .await?;
    for id in downstream {
        let task = lock_task(c, id).await?;
        if task.status() != TaskStatus::Waiting {
            continue;
        }
        let pending: i64 = task_dependencies::table
            .inner_join(tasks::table.on(tasks::id.eq(task_dependencies::depends_on_id)))
            .filter(task_dependencies::task_id.eq(id))
            .filter(tasks::status.ne(TaskStatus::Approved.as_str()))
            .count()
            .get_result(c)
            .await?;
        if pending == 0 {
            Box::pin(set_task_status(c, p, &task, TaskStatus::Ready, Some("all upstream tasks approved"))).await?;
        }
    }
    Ok(())
}

/// Adds a note (system notes have no author).
pub async fn add_note(
    c: &mut Conn,
    p: &Principal,
    task: Uuid,
    version: Option<Uuid>,
    kind: NoteKind,
    body: &str,
) -> Result<NoteRow, AppError> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 10_000 {
        return Err(AppError::bad_input("a note must be 1 to 10000 characters"));
    }
    let row: NoteRow = diesel::insert_into(notes::table)
        .values((
            notes::id.eq(Uuid::new_v4()),
            notes::tenant_id.eq(p.tenant_id),
            notes::task_id.eq(task),
            notes::version_id.eq(version),
            notes::author_user.eq((kind != NoteKind::System).then_some(p.user_id)),
            notes::author_employee.eq(if kind == NoteKind::System { None } else { p.employee_id }),
            notes::kind.eq(kind.as_str()),
            notes::body.eq(body),
        ))
        .returning(NoteRow::as_returning())
        .get_result(c)
        .await?;
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "note",
            aggregate_id: row.id,
            event: "created",
            before: None,
            after: Some(json!(row)),
            payload: json!({"noteId": row.id, "taskId": task, "versionId": version, "kind": row.kind}),
        },
    )
    .await?;
    Ok(row)
}

/// Task mutations.
#[derive(Default)]
pub struct TaskMutation;

#[Object]
impl TaskMutation {
    /// Creates a task on a shot or an asset; WAITING when it depends on unapproved work, else READY.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn create_task(&self, ctx: &Context<'_>, input: CreateTaskInput) -> Result<Task, AppError> {
        let p = principal(ctx)?.clone();
        let shot = input.shot_id.as_ref().map(parse_id).transpose()?;
        let asset = input.asset_id.as_ref().map(parse_id).transpose()?;
        if shot.is_some() == asset.is_some() {
            return Err(AppError::bad_input("give exactly one of shotId and assetId"));
        }
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.len() > 200 {
            return Err(AppError::bad_input("name must be 1 to 200 characters"));
        }
        if input.estimate_hours.is_some_and(|h| !(0.0..=10_000.0).contains(&h) || h.is_nan()) {
            return Err(AppError::bad_input("estimateHours must be between 0 and 10000"));
        }
        let upstream: Vec<Uuid> = input.depends_on.iter().flatten().map(parse_id).collect::<Result<_, _>>()?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) =
                        Idempotent::begin(c, p.tenant_id, "createTask", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok(tasks::table.find(id).select(TaskRow::as_select()).first(c).await?);
                    }
                    let (owner, project): (Uuid, Uuid) = match (shot, asset) {
                        (Some(s), _) => shots::table
                            .find(s)
                            .select((shots::tenant_id, shots::project_id))
                            .first(c)
                            .await
                            .optional()?
                            .ok_or_else(|| AppError::not_found("shot"))?,
                        (_, Some(a)) => assets::table
                            .find(a)
                            .select((assets::tenant_id, assets::project_id))
                            .first(c)
                            .await
                            .optional()?
                            .ok_or_else(|| AppError::not_found("asset"))?,
                        _ => return Err(AppError::bad_input("give exactly one of shotId and assetId")),
                    };
                    sharing::ensure_own(&p, owner, if shot.is_some() { "shot" } else { "asset" })?;
                    // Only the tenant's own tasks: a task shared with it is no upstream of its work.
                    let ups: Vec<(Uuid, Uuid, String)> = tasks::table
                        .filter(tasks::tenant_id.eq(p.tenant_id))
                        .filter(tasks::id.eq_any(&upstream))
                        .select((tasks::id, tasks::project_id, tasks::status))
                        .load(c)
                        .await?;
                    if ups.len() != upstream.len() {
                        return Err(AppError::bad_input("dependsOn names a task that does not exist"));
                    }
                    if ups.iter().any(|u| u.1 != project) {
                        return Err(AppError::bad_input("dependsOn must name tasks of the same project"));
                    }
                    let status = if ups.iter().all(|u| u.2 == TaskStatus::Approved.as_str()) {
                        TaskStatus::Ready
                    } else {
                        TaskStatus::Waiting
                    };
                    let row = insert_task(
                        c,
                        &p,
                        Uuid::new_v4(),
                        project,
                        shot,
                        asset,
                        &name,
                        input.task_type,
                        status,
                        input.due_date.map(|d| d.0),
                        input.estimate_hours,
                        None,
                    )
                    .await?;
                    for u in &upstream {
                        diesel::insert_into(task_dependencies::table)
                            .values((
                                task_dependencies::tenant_id.eq(p.tenant_id),
                                task_dependencies::task_id.eq(row.id),
                                task_dependencies::depends_on_id.eq(u),
                            ))
                            .on_conflict_do_nothing()
                            .execute(c)
                            .await?;
                    }
                    idem.finish(c, row.id).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Task(row))
    }

    /// Assigns a task (or unassigns with `employeeId: null`). Refused with ASSIGNEE_UNAVAILABLE
    /// for unknown or offboarded people and for someone on approved leave over the due date
    /// (`extensions.details.conflicts: [{start, end}]`); sets `atRisk` when the person's approved
    /// leave overlaps the days before the due date that the estimate needs.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn assign_task(&self, ctx: &Context<'_>, task_id: ID, employee_id: Option<ID>, note: Option<String>) -> Result<Task, AppError> {
        let p = principal(ctx)?.clone();
        let task_id = parse_id(&task_id)?;
        let employee = employee_id.as_ref().map(parse_id).transpose()?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move { assign(c, &p, task_id, employee, note.as_deref()).await }.scope_boxed()
            })
            .await?;
        Ok(Task(row))
    }

    /// Moves a task along its project's workflow; TRANSITION_NOT_ALLOWED otherwise.
    #[graphql(guard = "ScopeGuard(\"production:write\")")]
    async fn transition_task(&self, ctx: &Context<'_>, task_id: ID, to: TaskStatus, comment: Option<String>) -> Result<Task, AppError> {
        let p = principal(ctx)?.clone();
        let task_id = parse_id(&task_id)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let task = lock_task(c, task_id).await?;
                    let rule: Option<TransitionRow> = workflow_transitions::table
                        .filter(workflow_transitions::project_id.eq(task.project_id))
                        .filter(workflow_transitions::from_status.eq(&task.status))
                        .filter(workflow_transitions::to_status.eq(to.as_str()))
                        .select(TransitionRow::as_select())
                        .first(c)
                        .await
                        .optional()?;
                    match rule {
                        Some(r) if allowed(&p, &task, &r) => {}
                        Some(_) => {
                            return Err(AppError::new(
                                ErrorCode::TransitionNotAllowed,
                                format!("you may not move this task from {} to {}", task.status, to.as_str()),
                            ));
                        }
                        None => {
                            return Err(AppError::new(
                                ErrorCode::TransitionNotAllowed,
                                format!("the workflow has no transition from {} to {}", task.status, to.as_str()),
                            ));
                        }
                    }
                    if let Some(text) = comment.as_deref().filter(|t| !t.trim().is_empty()) {
                        add_note(c, &p, task.id, None, NoteKind::Comment, text).await?;
                    }
                    set_task_status(c, &p, &task, to, comment.as_deref()).await
                }
                .scope_boxed()
            })
            .await?;
        Ok(Task(row))
    }

    /// Adds a note to a task (optionally about one of its versions).
    #[graphql(guard = "ScopeGuard(\"production:write\")")]
    async fn add_note(&self, ctx: &Context<'_>, task_id: ID, body: String, version_id: Option<ID>) -> Result<Note, AppError> {
        let p = principal(ctx)?.clone();
        let task_id = parse_id(&task_id)?;
        let version = version_id.as_ref().map(parse_id).transpose()?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    lock_task(c, task_id).await?;
                    add_note(c, &p, task_id, version, NoteKind::Comment, &body).await
                }
                .scope_boxed()
            })
            .await?;
        Ok(Note(row))
    }
}

/// Inserts a task (shared by the mutation and the seed).
#[allow(clippy::too_many_arguments)]
pub async fn insert_task(
    c: &mut Conn,
    p: &Principal,
    id: Uuid,
    project: Uuid,
    shot: Option<Uuid>,
    asset: Option<Uuid>,
    name: &str,
    task_type: TaskType,
    status: TaskStatus,
    due: Option<chrono::NaiveDate>,
    estimate: Option<f64>,
    assignee: Option<Uuid>,
) -> Result<TaskRow, AppError> {
    let row: TaskRow = diesel::insert_into(tasks::table)
        .values((
            tasks::id.eq(id),
            tasks::tenant_id.eq(p.tenant_id),
            tasks::project_id.eq(project),
            tasks::shot_id.eq(shot),
            tasks::asset_id.eq(asset),
            tasks::name.eq(name),
            tasks::task_type.eq(task_type.as_str()),
            tasks::status.eq(status.as_str()),
            tasks::due_date.eq(due),
            tasks::estimate_hours.eq(estimate),
            tasks::assignee_id.eq(assignee),
        ))
        .returning(TaskRow::as_returning())
        .get_result(c)
        .await?;
    let payload = json!({"taskId": row.id, "projectId": project, "shotId": shot, "assetId": asset, "name": row.name, "type": row.task_type, "status": row.status, "assigneeId": assignee});
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "task",
            aggregate_id: row.id,
            event: "created",
            before: None,
            after: Some(json!(row)),
            payload,
        },
    )
    .await?;
    Ok(row)
}

/// Assigns `task` to `employee` (or nobody), with history, audit and `task.assigned`, and sets
/// `atRisk` for the new assignee. Refused with ASSIGNEE_UNAVAILABLE for unknown or offboarded
/// people, and for an open task whose due date falls in the person's approved leave (the
/// conflicting periods in the message and in `extensions.details.conflicts`).
pub async fn assign(c: &mut Conn, p: &Principal, task: Uuid, employee: Option<Uuid>, note: Option<&str>) -> Result<TaskRow, AppError> {
    let before = lock_task(c, task).await?;
    let mut risk = false;
    if let Some(e) = employee {
        let name = match replica::employee(c, e).await? {
            None => return Err(AppError::new(ErrorCode::AssigneeUnavailable, "no such employee")),
            Some((status, _)) if status == "OFFBOARDED" => {
                return Err(AppError::new(ErrorCode::AssigneeUnavailable, "the employee is offboarded"));
            }
            Some((_, name)) => name,
        };
        if is_open(before.status()) {
            let absences = replica::approved_leave(c, e).await?;
            if let Some(due) = before.due_date {
                let over_due: Vec<replica::Absence> = absences.iter().copied().filter(|a| a.overlaps(due, due)).collect();
                if !over_due.is_empty() {
                    let periods: Vec<String> = over_due.iter().map(|a| format!("{} to {}", a.start, a.end)).collect();
                    return Err(AppError::new(
                        ErrorCode::AssigneeUnavailable,
                        format!("{name} is on approved leave {} over the task's due date {due}", periods.join(", ")),
                    )
                    .with_details(json!({"employeeId": e, "dueDate": due, "conflicts": over_due})));
                }
            }
            risk = !replica::conflicts(&absences, before.due_date, before.estimate_hours).is_empty();
        }
    }
    let after: TaskRow = diesel::update(tasks::table.find(task))
        .set((
            tasks::assignee_id.eq(employee),
            tasks::at_risk.eq(risk),
            tasks::updated_at.eq(diesel::dsl::now),
        ))
        .returning(TaskRow::as_returning())
        .get_result(c)
        .await?;
    diesel::insert_into(task_assignments::table)
        .values((
            task_assignments::id.eq(Uuid::new_v4()),
            task_assignments::tenant_id.eq(p.tenant_id),
            task_assignments::task_id.eq(task),
            task_assignments::employee_id.eq(employee),
            task_assignments::previous_employee_id.eq(before.assignee_id),
            task_assignments::assigned_by.eq(Some(p.user_id)),
            task_assignments::note.eq(note),
        ))
        .execute(c)
        .await?;
    let payload = json!({
        "taskId": task, "projectId": after.project_id, "assigneeId": employee, "previousAssigneeId": before.assignee_id,
        "dueDate": after.due_date, "atRisk": after.at_risk, "note": note,
    });
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "task",
            aggregate_id: task,
            event: "assigned",
            before: Some(json!(before)),
            after: Some(json!(after)),
            payload,
        },
    )
    .await?;
    Ok(after)
}

/// Whether `p` manages production (SUPERVISOR or ADMIN).
pub fn is_manager(p: &Principal) -> bool {
    p.has_any_role(MANAGERS)
}
