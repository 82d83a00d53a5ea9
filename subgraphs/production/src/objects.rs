//! GraphQL object types over the rows. Every reference resolves through a DataLoader.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use platform::AppError;
use platform::auth::principal;
use platform::scalars::{Date, to_id};
use uuid::Uuid;

use crate::hierarchy::{AssetConnection, ShotConnection, asset_connection, shot_connection};
use crate::loaders::Loaders;
use crate::model::*;
use crate::sharing::is_own;
use crate::tasks::{TaskConnection, TaskScope, task_connection};
use crate::workflow::allowed;

/// A reference to an HR employee (resolved by the HR subgraph), extended with their tasks.
pub struct EmployeeRef(pub Uuid);

#[Object(name = "Employee")]
impl EmployeeRef {
    async fn id(&self) -> ID {
        to_id(self.0)
    }
    /// Tasks assigned to this employee, optionally only in some statuses (batched across
    /// employees).
    async fn tasks(&self, ctx: &Context<'_>, status: Option<Vec<TaskStatus>>) -> Result<Vec<Task>, AppError> {
        let mut filter: Vec<&str> = status.unwrap_or_default().into_iter().map(TaskStatus::as_str).collect();
        filter.sort_unstable();
        filter.dedup();
        let rows = Loaders::of(ctx)?
            .tasks_by_assignee
            .load_one((self.0, filter.join(",")))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Task).collect())
    }
}

/// Whether a row of `tenant` is the viewer's own (not merely shared with the viewer's tenant).
fn own(ctx: &Context<'_>, tenant: Uuid) -> bool {
    principal(ctx).is_ok_and(|p| is_own(p, tenant))
}

/// A film, series or game in production.
pub struct Project(pub ProjectRow);

#[Object]
impl Project {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn status(&self) -> ProjectStatus {
        ProjectStatus::parse(&self.0.status).unwrap_or(ProjectStatus::Active)
    }
    /// Whether published versions of LIGHTING and RENDERING tasks are submitted to the farm.
    async fn auto_render(&self) -> bool {
        self.0.auto_render
    }
    /// The project's supervisor: re-owns an offboarded person's render jobs (see
    /// `offboardRenderJobs`).
    /// Null on a project shared with the viewer's tenant (the studio's people stay its own).
    async fn supervisor(&self, ctx: &Context<'_>) -> Result<Option<EmployeeRef>, AppError> {
        Ok(self.0.supervisor_id.filter(|_| own(ctx, self.0.tenant_id)).map(EmployeeRef))
    }
    /// What becomes of an offboarded person's unfinished render jobs on this project.
    async fn offboard_render_jobs(&self) -> OffboardRenderJobs {
        OffboardRenderJobs::parse(&self.0.offboard_render_jobs).unwrap_or(OffboardRenderJobs::ReassignToSupervisor)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Shots by code.
    async fn shots(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<ShotConnection, AppError> {
        shot_connection(ctx, self.0.id, first, after).await
    }
    /// Assets by code.
    async fn assets(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<AssetConnection, AppError> {
        asset_connection(ctx, self.0.id, first, after).await
    }
    /// Tasks in creation order.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        status: Option<Vec<TaskStatus>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<TaskConnection, AppError> {
        let scope = TaskScope {
            project_id: Some(self.0.id),
            statuses: status.map(|s| s.into_iter().map(|x| x.as_str().to_owned()).collect()),
            ..Default::default()
        };
        task_connection(ctx, scope, first, after).await
    }
}

/// A shot of a project.
pub struct Shot(pub ShotRow);

#[Object]
impl Shot {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>, AppError> {
        Ok(Loaders::of(ctx)?.projects.load_one(self.0.project_id).await?.map(Project))
    }
    async fn frame_start(&self) -> i32 {
        self.0.frame_start
    }
    async fn frame_end(&self) -> i32 {
        self.0.frame_end
    }
    async fn status(&self) -> ShotStatus {
        ShotStatus::parse(&self.0.status).unwrap_or(ShotStatus::Active)
    }
    /// The shot's tasks (batched across shots).
    async fn tasks(&self, ctx: &Context<'_>) -> Result<Vec<Task>, AppError> {
        Ok(Loaders::of(ctx)?
            .tasks_by_shot
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Task)
            .collect())
    }
    /// Versions of all the shot's tasks, newest first.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<Version>, AppError> {
        let loaders = Loaders::of(ctx)?;
        let tasks = loaders.tasks_by_shot.load_one(self.0.id).await?.unwrap_or_default();
        let by_task = loaders.versions_by_task.load_many(tasks.iter().map(|t| t.id)).await?;
        let mut all: Vec<VersionRow> = by_task.into_values().flatten().collect();
        all.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.number.cmp(&a.number)));
        Ok(all.into_iter().map(Version).collect())
    }
}

/// An asset of a project.
pub struct Asset(pub AssetRow);

#[Object]
impl Asset {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    #[graphql(name = "type")]
    async fn asset_type(&self) -> AssetType {
        AssetType::parse(&self.0.asset_type).unwrap_or(AssetType::Other)
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>, AppError> {
        Ok(Loaders::of(ctx)?.projects.load_one(self.0.project_id).await?.map(Project))
    }
    /// The asset's tasks (batched across assets).
    async fn tasks(&self, ctx: &Context<'_>) -> Result<Vec<Task>, AppError> {
        Ok(Loaders::of(ctx)?
            .tasks_by_asset
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Task)
            .collect())
    }
}

/// A move the viewer may make on a task.
#[derive(SimpleObject, Clone, Debug)]
pub struct TaskTransition {
    /// Target status.
    pub to: TaskStatus,
    /// Button label.
    pub label: String,
}

/// A unit of work on a shot or an asset.
pub struct Task(pub TaskRow);

#[Object]
impl Task {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    #[graphql(name = "type")]
    async fn task_type(&self) -> TaskType {
        self.0.task_type()
    }
    async fn status(&self) -> TaskStatus {
        self.0.status()
    }
    /// Null on a task shared with the viewer's tenant (the studio's people stay its own).
    async fn assignee(&self, ctx: &Context<'_>) -> Option<EmployeeRef> {
        self.0.assignee_id.filter(|_| own(ctx, self.0.tenant_id)).map(EmployeeRef)
    }
    async fn due_date(&self) -> Option<Date> {
        self.0.due_date.map(Date)
    }
    async fn estimate_hours(&self) -> Option<f64> {
        self.0.estimate_hours
    }
    /// Set while the assignee is on approved leave overlapping the task's dates (always false
    /// on a task shared with the viewer's tenant: it would tell of the studio's people's leave).
    async fn at_risk(&self, ctx: &Context<'_>) -> bool {
        self.0.at_risk && own(ctx, self.0.tenant_id)
    }
    /// The vendor tenants this task is shared with; only its own studio sees them (empty for a
    /// vendor).
    async fn shared_with(&self, ctx: &Context<'_>) -> Result<Vec<ID>, AppError> {
        if !own(ctx, self.0.tenant_id) {
            return Ok(Vec::new());
        }
        let shares = Loaders::of(ctx)?.shares.load_one(self.0.id).await?.unwrap_or_default();
        Ok(shares.into_iter().map(|s| to_id(s.vendor_tenant_id)).collect())
    }
    /// Exactly the transitions the viewer may make now.
    async fn available_transitions(&self, ctx: &Context<'_>) -> Result<Vec<TaskTransition>, AppError> {
        let p = principal(ctx)?;
        let workflow = Loaders::of(ctx)?.workflow.load_one(self.0.project_id).await?.unwrap_or_default();
        Ok(workflow
            .into_iter()
            .filter(|t| allowed(p, &self.0, t))
            .filter_map(|t| TaskStatus::parse(&t.to_status).map(|to| TaskTransition { to, label: t.label }))
            .collect())
    }
    /// Versions by number.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<Version>, AppError> {
        Ok(Loaders::of(ctx)?
            .versions_by_task
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Version)
            .collect())
    }
    /// Notes, oldest first.
    async fn notes(&self, ctx: &Context<'_>) -> Result<Vec<Note>, AppError> {
        Ok(Loaders::of(ctx)?
            .notes_by_task
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Note)
            .collect())
    }
    async fn shot(&self, ctx: &Context<'_>) -> Result<Option<Shot>, AppError> {
        let Some(id) = self.0.shot_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.shots.load_one(id).await?.map(Shot))
    }
    async fn asset(&self, ctx: &Context<'_>) -> Result<Option<Asset>, AppError> {
        let Some(id) = self.0.asset_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.assets.load_one(id).await?.map(Asset))
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>, AppError> {
        Ok(Loaders::of(ctx)?.projects.load_one(self.0.project_id).await?.map(Project))
    }
    /// Who was assigned when, and by whom (oldest first).
    async fn assignments(&self, ctx: &Context<'_>) -> Result<Vec<TaskAssignment>, AppError> {
        Ok(Loaders::of(ctx)?
            .assignments
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(TaskAssignment)
            .collect())
    }
    /// Upstream tasks this one waits for.
    async fn depends_on(&self, ctx: &Context<'_>) -> Result<Vec<Task>, AppError> {
        let loaders = Loaders::of(ctx)?;
        let deps = loaders.dependencies.load_one(self.0.id).await?.unwrap_or_default();
        let rows = loaders.tasks.load_many(deps.iter().map(|d| d.depends_on_id)).await?;
        Ok(deps.iter().filter_map(|d| rows.get(&d.depends_on_id).cloned()).map(Task).collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A published iteration of a task's work.
pub struct Version(pub VersionRow);

#[Object]
impl Version {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// 1, 2, 3… per task, without gaps.
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>, AppError> {
        Ok(Loaders::of(ctx)?.tasks.load_one(self.0.task_id).await?.map(Task))
    }
    async fn path(&self) -> &str {
        &self.0.path
    }
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    async fn status(&self) -> VersionStatus {
        VersionStatus::parse(&self.0.status).unwrap_or(VersionStatus::PendingReview)
    }
    /// Null on a version shared with the viewer's tenant.
    async fn created_by(&self, ctx: &Context<'_>) -> Option<EmployeeRef> {
        self.0.created_by.filter(|_| own(ctx, self.0.tenant_id)).map(EmployeeRef)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn frame_start(&self) -> Option<i32> {
        self.0.frame_start
    }
    async fn frame_end(&self) -> Option<i32> {
        self.0.frame_end
    }
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }
}

/// A note on a task (and maybe one of its versions).
pub struct Note(pub NoteRow);

#[Object]
impl Note {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn kind(&self) -> NoteKind {
        NoteKind::parse(&self.0.kind).unwrap_or(NoteKind::Comment)
    }
    /// Null on a note shared with the viewer's tenant.
    async fn author(&self, ctx: &Context<'_>) -> Option<EmployeeRef> {
        self.0.author_employee.filter(|_| own(ctx, self.0.tenant_id)).map(EmployeeRef)
    }
    async fn version(&self, ctx: &Context<'_>) -> Result<Option<Version>, AppError> {
        let Some(id) = self.0.version_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.versions.load_one(id).await?.map(Version))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One change of a task's assignee.
pub struct TaskAssignment(pub AssignmentRow);

#[Object]
impl TaskAssignment {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The new assignee (null: unassigned).
    async fn employee(&self) -> Option<EmployeeRef> {
        self.0.employee_id.map(EmployeeRef)
    }
    /// The assignee before.
    async fn previous_employee(&self) -> Option<EmployeeRef> {
        self.0.previous_employee_id.map(EmployeeRef)
    }
    /// The user who made the change (null: the system).
    async fn assigned_by_user_id(&self) -> Option<ID> {
        self.0.assigned_by.filter(|u| !u.is_nil()).map(to_id)
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
