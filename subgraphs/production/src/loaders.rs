//! Per-request loaders: every entity by id and every child list by parent, batched per wave of
//! resolution (see `platform::batch`); nested fields of a page therefore cost one query per
//! type, whatever the page size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::batch::{BatchFn, BatchLoader, Flush};
use platform::loader::{ById, ByParent};
use platform::{AppError, Db, ScopedFutureExt};
use uuid::Uuid;

use crate::model::*;
use crate::schema::tasks;
use crate::sharing::SharesByTask;

/// Tasks assigned to employees, keyed by (employee, comma-joined status filter or "").
pub struct TasksByAssignee {
    db: Db,
    tenant: Uuid,
}

impl BatchFn for TasksByAssignee {
    type Key = (Uuid, String);
    type Value = Vec<TaskRow>;

    async fn load(&self, keys: Vec<(Uuid, String)>) -> Result<HashMap<(Uuid, String), Vec<TaskRow>>, AppError> {
        // One query per distinct status filter (usually one).
        let mut by_filter: HashMap<String, Vec<Uuid>> = HashMap::new();
        for (employee, filter) in &keys {
            by_filter.entry(filter.clone()).or_default().push(*employee);
        }
        let groups: Vec<(String, Vec<Uuid>)> = by_filter.into_iter().collect();
        let rows: Vec<(String, Vec<TaskRow>)> = self
            .db
            .tx(self.tenant, |c| {
                async move {
                    let mut out = Vec::new();
                    for (filter, employees) in groups {
                        let mut q = tasks::table.filter(tasks::assignee_id.eq_any(employees)).into_boxed();
                        if !filter.is_empty() {
                            q = q.filter(tasks::status.eq_any(filter.split(',').map(str::to_owned).collect::<Vec<_>>()));
                        }
                        let rows = q
                            .order((tasks::due_date.asc().nulls_last(), tasks::id))
                            .select(TaskRow::as_select())
                            .load(c)
                            .await?;
                        out.push((filter, rows));
                    }
                    Ok(out)
                }
                .scope_boxed()
            })
            .await?;
        let mut out: HashMap<(Uuid, String), Vec<TaskRow>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for (filter, list) in rows {
            for row in list {
                if let Some(assignee) = row.assignee_id {
                    out.entry((assignee, filter.clone())).or_default().push(row);
                }
            }
        }
        Ok(out)
    }
}

/// The loaders of one request.
pub struct Loaders {
    /// Projects by id.
    pub projects: BatchLoader<ById<ProjectRow>>,
    /// Shots by id.
    pub shots: BatchLoader<ById<ShotRow>>,
    /// Assets by id.
    pub assets: BatchLoader<ById<AssetRow>>,
    /// Tasks by id.
    pub tasks: BatchLoader<ById<TaskRow>>,
    /// Versions by id.
    pub versions: BatchLoader<ById<VersionRow>>,
    /// Tasks by shot.
    pub tasks_by_shot: BatchLoader<ByParent<TasksByShot>>,
    /// Tasks by asset.
    pub tasks_by_asset: BatchLoader<ByParent<TasksByAsset>>,
    /// Versions by task.
    pub versions_by_task: BatchLoader<ByParent<VersionsByTask>>,
    /// Notes by task.
    pub notes_by_task: BatchLoader<ByParent<NotesByTask>>,
    /// Workflow by project.
    pub workflow: BatchLoader<ByParent<WorkflowByProject>>,
    /// Upstream dependencies by task.
    pub dependencies: BatchLoader<ByParent<DependenciesByTask>>,
    /// Tasks by assignee and status filter.
    pub tasks_by_assignee: BatchLoader<TasksByAssignee>,
    /// Assignment history by task.
    pub assignments: BatchLoader<ByParent<AssignmentsByTask>>,
    /// Vendor shares by task.
    pub shares: BatchLoader<ByParent<SharesByTask>>,
}

impl Loaders {
    /// Loaders bound to `tenant`.
    pub fn new(db: Db, tenant: Uuid) -> Arc<Self> {
        Arc::new(Self {
            projects: ById::loader(db.clone(), tenant),
            shots: ById::loader(db.clone(), tenant),
            assets: ById::loader(db.clone(), tenant),
            tasks: ById::loader(db.clone(), tenant),
            versions: ById::loader(db.clone(), tenant),
            tasks_by_shot: ByParent::loader(db.clone(), tenant),
            tasks_by_asset: ByParent::loader(db.clone(), tenant),
            versions_by_task: ByParent::loader(db.clone(), tenant),
            notes_by_task: ByParent::loader(db.clone(), tenant),
            workflow: ByParent::loader(db.clone(), tenant),
            dependencies: ByParent::loader(db.clone(), tenant),
            assignments: ByParent::loader(db.clone(), tenant),
            shares: ByParent::loader(db.clone(), tenant),
            tasks_by_assignee: BatchLoader::new(TasksByAssignee { db, tenant }),
        })
    }

    /// The request's loaders.
    pub fn of<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, AppError> {
        ctx.data_opt::<Arc<Loaders>>()
            .map(Arc::as_ref)
            .ok_or_else(|| AppError::unauthenticated("authentication required"))
    }
}

impl Flush for Loaders {
    fn flush(&self) {
        self.projects.flush();
        self.shots.flush();
        self.assets.flush();
        self.tasks.flush();
        self.versions.flush();
        self.tasks_by_shot.flush();
        self.tasks_by_asset.flush();
        self.versions_by_task.flush();
        self.notes_by_task.flush();
        self.workflow.flush();
        self.dependencies.flush();
        self.tasks_by_assignee.flush();
        self.assignments.flush();
        self.shares.flush();
    }

    fn forget(&self) {
        self.projects.forget();
        self.shots.forget();
        self.assets.forget();
        self.tasks.forget();
        self.versions.forget();
        self.tasks_by_shot.forget();
        self.tasks_by_asset.forget();
        self.versions_by_task.forget();
        self.notes_by_task.forget();
        self.workflow.forget();
        self.dependencies.forget();
        self.tasks_by_assignee.forget();
        self.assignments.forget();
        self.shares.forget();
    }
}
