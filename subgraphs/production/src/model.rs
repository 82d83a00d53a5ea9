//! Rows of `studiograph_production`, the status and type enums, and how each row is fetched by
//! id or by parent for the DataLoaders.
#![allow(missing_docs)] // row fields mirror the table columns

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::loader::Group;
use platform::{AppError, Conn};
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{assets, notes, projects, shots, task_assignments, task_dependencies, tasks, versions, workflow_transitions};

platform::text_enum!(
    /// Where a task is in its workflow.
    TaskStatus {
        /// Waiting on upstream tasks.
        Waiting = "WAITING",
        /// Can be started.
        Ready = "READY",
        /// Being worked on.
        InProgress = "IN_PROGRESS",
        /// A version awaits review.
        PendingReview = "PENDING_REVIEW",
        /// Done.
        Approved = "APPROVED",
        /// Needs another version.
        Retake = "RETAKE",
        /// Paused.
        OnHold = "ON_HOLD",
    }
);

platform::text_enum!(
    /// The kind of work.
    TaskType {
        /// Modeling.
        Modeling = "MODELING",
        /// Rigging.
        Rigging = "RIGGING",
        /// Animation.
        Animation = "ANIMATION",
        /// Layout.
        Layout = "LAYOUT",
        /// Effects.
        Fx = "FX",
        /// Lighting.
        Lighting = "LIGHTING",
        /// Compositing.
        Compositing = "COMPOSITING",
        /// Rendering.
        Rendering = "RENDERING",
        /// Anything else.
        Other = "OTHER",
    }
);

impl TaskType {
    /// Whether a published version of this type is rendered on the farm (auto-render, issue 6:
    /// LIGHTING and RENDERING).
    pub fn renders(self) -> bool {
        matches!(self, Self::Lighting | Self::Rendering)
    }
}

platform::text_enum!(
    /// Review state of a version.
    VersionStatus {
        /// Awaiting review.
        PendingReview = "PENDING_REVIEW",
        /// Approved.
        Approved = "APPROVED",
        /// A retake was asked for.
        Retake = "RETAKE",
    }
);

platform::text_enum!(
    /// State of a project.
    ProjectStatus {
        /// In production.
        Active = "ACTIVE",
        /// Paused.
        OnHold = "ON_HOLD",
        /// Delivered.
        Completed = "COMPLETED",
        /// Archived.
        Archived = "ARCHIVED",
    }
);

platform::text_enum!(
    /// What becomes of an offboarded person's unfinished render jobs on a project.
    OffboardRenderJobs {
        /// They are re-owned by the project's supervisor (cancelled when it has none).
        ReassignToSupervisor = "REASSIGN_TO_SUPERVISOR",
        /// They are cancelled.
        Cancel = "CANCEL",
    }
);

platform::text_enum!(
    /// State of a shot.
    ShotStatus {
        /// In production.
        Active = "ACTIVE",
        /// Paused.
        OnHold = "ON_HOLD",
        /// Cut from the edit.
        Omitted = "OMITTED",
        /// Final.
        Final = "FINAL",
    }
);

platform::text_enum!(
    /// Kind of asset.
    AssetType {
        /// A character.
        Character = "CHARACTER",
        /// A prop.
        Prop = "PROP",
        /// An environment or set.
        Environment = "ENVIRONMENT",
        /// A vehicle.
        Vehicle = "VEHICLE",
        /// An effects element.
        Fx = "FX",
        /// Anything else.
        Other = "OTHER",
    }
);

platform::text_enum!(
    /// Kind of note.
    NoteKind {
        /// Written by a person.
        Comment = "COMMENT",
        /// A review decision.
        Review = "REVIEW",
        /// Written by the system (e.g. why a task was unassigned).
        System = "SYSTEM",
    }
);

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = projects, check_for_backend(diesel::pg::Pg))]
pub struct ProjectRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub code: String,
    pub name: String,
    pub status: String,
    pub auto_render: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub supervisor_id: Option<Uuid>,
    pub offboard_render_jobs: String,
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = shots, check_for_backend(diesel::pg::Pg))]
pub struct ShotRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub project_id: Uuid,
    pub sequence_id: Option<Uuid>,
    pub code: String,
    pub description: Option<String>,
    pub frame_start: i32,
    pub frame_end: i32,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = assets, check_for_backend(diesel::pg::Pg))]
pub struct AssetRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub project_id: Uuid,
    pub code: String,
    pub name: String,
    pub asset_type: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = tasks, check_for_backend(diesel::pg::Pg))]
pub struct TaskRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub project_id: Uuid,
    pub shot_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub name: String,
    pub task_type: String,
    pub status: String,
    pub assignee_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
    pub estimate_hours: Option<f64>,
    pub at_risk: bool,
    pub version_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TaskRow {
    /// The status as an enum (rows always hold a valid one).
    pub fn status(&self) -> TaskStatus {
        TaskStatus::parse(&self.status).unwrap_or(TaskStatus::OnHold)
    }

    /// The type as an enum.
    pub fn task_type(&self) -> TaskType {
        TaskType::parse(&self.task_type).unwrap_or(TaskType::Other)
    }
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = versions, check_for_backend(diesel::pg::Pg))]
pub struct VersionRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub task_id: Uuid,
    pub number: i32,
    pub path: String,
    pub comment: Option<String>,
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_by_user: Option<Uuid>,
    pub frame_start: Option<i32>,
    pub frame_end: Option<i32>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = notes, check_for_backend(diesel::pg::Pg))]
pub struct NoteRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub task_id: Uuid,
    pub version_id: Option<Uuid>,
    pub author_user: Option<Uuid>,
    pub author_employee: Option<Uuid>,
    pub kind: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = workflow_transitions, check_for_backend(diesel::pg::Pg))]
pub struct TransitionRow {
    pub project_id: Uuid,
    pub from_status: String,
    pub to_status: String,
    pub label: String,
    pub roles: Vec<String>,
    pub assignee_allowed: bool,
}

platform::fetch_by_id!(ProjectRow, projects);
platform::fetch_by_id!(ShotRow, shots);
platform::fetch_by_id!(AssetRow, assets);
platform::fetch_by_id!(TaskRow, tasks);
platform::fetch_by_id!(VersionRow, versions);

/// Tasks of a shot, by name.
pub struct TasksByShot;

impl Group for TasksByShot {
    type Row = TaskRow;
    fn parent(row: &TaskRow) -> Uuid {
        row.shot_id.unwrap_or_default()
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<TaskRow>, AppError> {
        Ok(tasks::table
            .filter(tasks::shot_id.eq_any(parents))
            .order((tasks::created_at, tasks::id))
            .select(TaskRow::as_select())
            .load(c)
            .await?)
    }
}

/// Tasks of an asset.
pub struct TasksByAsset;

impl Group for TasksByAsset {
    type Row = TaskRow;
    fn parent(row: &TaskRow) -> Uuid {
        row.asset_id.unwrap_or_default()
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<TaskRow>, AppError> {
        Ok(tasks::table
            .filter(tasks::asset_id.eq_any(parents))
            .order((tasks::created_at, tasks::id))
            .select(TaskRow::as_select())
            .load(c)
            .await?)
    }
}

/// Versions of a task, by number.
pub struct VersionsByTask;

impl Group for VersionsByTask {
    type Row = VersionRow;
    fn parent(row: &VersionRow) -> Uuid {
        row.task_id
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<VersionRow>, AppError> {
        Ok(versions::table
            .filter(versions::task_id.eq_any(parents))
            .order((versions::task_id, versions::number))
            .select(VersionRow::as_select())
            .load(c)
            .await?)
    }
}

/// Notes of a task, oldest first.
pub struct NotesByTask;

impl Group for NotesByTask {
    type Row = NoteRow;
    fn parent(row: &NoteRow) -> Uuid {
        row.task_id
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<NoteRow>, AppError> {
        Ok(notes::table
            .filter(notes::task_id.eq_any(parents))
            .order((notes::created_at, notes::id))
            .select(NoteRow::as_select())
            .load(c)
            .await?)
    }
}

/// The workflow (transition table) of a project.
pub struct WorkflowByProject;

impl Group for WorkflowByProject {
    type Row = TransitionRow;
    fn parent(row: &TransitionRow) -> Uuid {
        row.project_id
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<TransitionRow>, AppError> {
        Ok(workflow_transitions::table
            .filter(workflow_transitions::project_id.eq_any(parents))
            .order((workflow_transitions::from_status, workflow_transitions::to_status))
            .select(TransitionRow::as_select())
            .load(c)
            .await?)
    }
}

/// Upstream tasks a task depends on (the dependency row, keyed by the downstream task).
#[derive(Clone, Debug)]
pub struct Dependency {
    pub task_id: Uuid,
    pub depends_on_id: Uuid,
}

/// Dependencies of a task.
pub struct DependenciesByTask;

impl Group for DependenciesByTask {
    type Row = Dependency;
    fn parent(row: &Dependency) -> Uuid {
        row.task_id
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<Dependency>, AppError> {
        let rows: Vec<(Uuid, Uuid)> = task_dependencies::table
            .filter(task_dependencies::task_id.eq_any(parents))
            .select((task_dependencies::task_id, task_dependencies::depends_on_id))
            .load(c)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(task_id, depends_on_id)| Dependency { task_id, depends_on_id })
            .collect())
    }
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = task_assignments, check_for_backend(diesel::pg::Pg))]
pub struct AssignmentRow {
    pub id: Uuid,
    pub task_id: Uuid,
    pub employee_id: Option<Uuid>,
    pub previous_employee_id: Option<Uuid>,
    pub assigned_by: Option<Uuid>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Assignment history of a task, oldest first.
pub struct AssignmentsByTask;

impl Group for AssignmentsByTask {
    type Row = AssignmentRow;
    fn parent(row: &AssignmentRow) -> Uuid {
        row.task_id
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<AssignmentRow>, AppError> {
        Ok(task_assignments::table
            .filter(task_assignments::task_id.eq_any(parents))
            .order((task_assignments::created_at, task_assignments::id))
            .select(AssignmentRow::as_select())
            .load(c)
            .await?)
    }
}
