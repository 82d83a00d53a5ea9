//! What render keeps of the other subgraphs, written by its event consumers: the employee
//! replica (HR `employee.*`), project settings and the shot -> project map (production
//! `project.*`, `shot.*`).
//!
//! Ordering: a row remembers the outbox `seq` of the event that last wrote it, and an event with
//! a lower `seq` changes nothing. The producers write a project's or an employee's events under a
//! row lock, so `seq` follows their order of commit (HR's `updatedAt` would not: it is the
//! transaction's start time).

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use events::Envelope;
use platform::{AppError, Conn};
use serde::Deserialize;
use uuid::Uuid;

use crate::schema::{employee_replica, project_replica, shot_replica};

/// The part of HR's employee payload render keeps.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct EmployeePayload {
    display_name: String,
    status: String,
}

/// Applies `hr.employee.created/updated/offboarded` to the replica; returns whether the row
/// changed (false for an older event arriving late).
pub async fn apply_employee(c: &mut Conn, event: &Envelope) -> Result<bool, AppError> {
    let p: EmployeePayload = parse(event)?;
    let status = match p.status.as_str() {
        "ACTIVE" | "ON_LEAVE" | "OFFBOARDED" => p.status,
        other => {
            tracing::warn!(event.id = %event.id, status = other, "Unknown employee status; keeping the replica as it is");
            return Ok(false);
        }
    };
    let upsert = diesel::insert_into(employee_replica::table)
        .values((
            employee_replica::id.eq(event.aggregate_id),
            employee_replica::tenant_id.eq(event.tenant_id),
            employee_replica::display_name.eq(&p.display_name),
            employee_replica::status.eq(&status),
            employee_replica::source_seq.eq(event.seq),
        ))
        .on_conflict(employee_replica::id)
        .do_update()
        .set((
            employee_replica::display_name.eq(excluded(employee_replica::display_name)),
            employee_replica::status.eq(excluded(employee_replica::status)),
            employee_replica::source_seq.eq(excluded(employee_replica::source_seq)),
            employee_replica::updated_at.eq(diesel::dsl::now),
        ));
    // Only a newer event overwrites (ON CONFLICT ... DO UPDATE ... WHERE).
    let n = diesel::query_dsl::methods::FilterDsl::filter(upsert, employee_replica::source_seq.lt(excluded(employee_replica::source_seq)))
        .execute(c)
        .await?;
    Ok(n == 1)
}

/// The part of production's project payload render keeps (fields missing from older events
/// take the defaults).
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct ProjectPayload {
    code: Option<String>,
    #[serde(default)]
    auto_render: bool,
    supervisor_id: Option<Uuid>,
    offboard_render_jobs: Option<String>,
}

/// Applies `production.project.created/updated` to the project replica; returns whether the row
/// changed.
pub async fn apply_project(c: &mut Conn, event: &Envelope) -> Result<bool, AppError> {
    let p: ProjectPayload = parse(event)?;
    let policy = match p.offboard_render_jobs.as_deref() {
        None | Some("REASSIGN_TO_SUPERVISOR") => "REASSIGN_TO_SUPERVISOR",
        Some("CANCEL") => "CANCEL",
        Some(other) => {
            tracing::warn!(event.id = %event.id, policy = other, "Unknown offboardRenderJobs; cancelling by default");
            "CANCEL"
        }
    };
    let upsert = diesel::insert_into(project_replica::table)
        .values((
            project_replica::id.eq(event.aggregate_id),
            project_replica::tenant_id.eq(event.tenant_id),
            project_replica::code.eq(&p.code),
            project_replica::auto_render.eq(p.auto_render),
            project_replica::supervisor_id.eq(p.supervisor_id),
            project_replica::offboard_render_jobs.eq(policy),
            project_replica::source_seq.eq(event.seq),
        ))
        .on_conflict(project_replica::id)
        .do_update()
        .set((
            project_replica::code.eq(excluded(project_replica::code)),
            project_replica::auto_render.eq(excluded(project_replica::auto_render)),
            project_replica::supervisor_id.eq(excluded(project_replica::supervisor_id)),
            project_replica::offboard_render_jobs.eq(excluded(project_replica::offboard_render_jobs)),
            project_replica::source_seq.eq(excluded(project_replica::source_seq)),
            project_replica::updated_at.eq(diesel::dsl::now),
        ));
    // Only a newer event overwrites (ON CONFLICT ... DO UPDATE ... WHERE).
    let n = diesel::query_dsl::methods::FilterDsl::filter(upsert, project_replica::source_seq.lt(excluded(project_replica::source_seq)))
        .execute(c)
        .await?;
    Ok(n == 1)
}

/// Records that `shot` belongs to `project` (a shot never moves; the first record stays).
pub async fn remember_shot(c: &mut Conn, tenant: Uuid, shot: Uuid, project: Uuid) -> Result<(), AppError> {
    diesel::insert_into(shot_replica::table)
        .values((
            shot_replica::id.eq(shot),
            shot_replica::tenant_id.eq(tenant),
            shot_replica::project_id.eq(project),
        ))
        .on_conflict(shot_replica::id)
        .do_nothing()
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct ShotPayload {
    project_id: Uuid,
}

/// Applies `production.shot.*` (every shot event carries its `projectId`).
pub async fn apply_shot(c: &mut Conn, event: &Envelope) -> Result<(), AppError> {
    let p: ShotPayload = parse(event)?;
    remember_shot(c, event.tenant_id, event.aggregate_id, p.project_id).await
}

/// A project's settings as render knows them.
#[derive(Queryable, Clone, Debug)]
pub struct ProjectSettings {
    /// Project id.
    pub id: Uuid,
    /// Its supervisor.
    pub supervisor_id: Option<Uuid>,
    /// `REASSIGN_TO_SUPERVISOR` or `CANCEL`.
    pub offboard_render_jobs: String,
}

/// The settings of the project of each of `shots` (shots of unknown projects are missing).
pub async fn projects_of_shots(c: &mut Conn, shots: &[Uuid]) -> Result<Vec<(Uuid, ProjectSettings)>, AppError> {
    Ok(shot_replica::table
        .inner_join(project_replica::table.on(project_replica::id.eq(shot_replica::project_id)))
        .filter(shot_replica::id.eq_any(shots))
        .select((
            shot_replica::id,
            (
                project_replica::id,
                project_replica::supervisor_id,
                project_replica::offboard_render_jobs,
            ),
        ))
        .load(c)
        .await?)
}

/// The replica status of an employee (None when render has never heard of them).
pub async fn employee_status(c: &mut Conn, id: Uuid) -> Result<Option<String>, AppError> {
    Ok(employee_replica::table
        .find(id)
        .select(employee_replica::status)
        .first(c)
        .await
        .optional()?)
}

/// The payload as `T`; a payload that does not fit is an error (the message is retried, then
/// dead-lettered where someone can look at it).
pub fn parse<T: serde::de::DeserializeOwned>(event: &Envelope) -> Result<T, AppError> {
    serde_json::from_value(event.payload.clone())
        .map_err(|e| AppError::bad_input(format!("{} payload of event {} does not fit: {e}", event.routing_key, event.id)))
}
