//! Per-request DataLoaders: every entity by id, every child list by parent, and `_entities`
//! batches; nested fields of a page therefore cost one query per type, whatever the page size.

use std::collections::HashMap;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::loader::{ByIdLoader, EntityBatch, GroupLoader};
use platform::{AppError, Db, ScopedFutureExt};
use uuid::Uuid;

use crate::model::*;
use crate::schema::tasks;

/// Tasks assigned to employees, keyed by (employee, comma-joined status filter or "").
pub struct TasksByAssignee {
    db: Db,
    tenant: Uuid,
}

impl Loader<(Uuid, String)> for TasksByAssignee {
    type Value = Vec<TaskRow>;
    type Error = AppError;

    async fn load(&self, keys: &[(Uuid, String)]) -> Result<HashMap<(Uuid, String), Vec<TaskRow>>, AppError> {
        // One query per distinct status filter (usually one).
        let mut by_filter: HashMap<String, Vec<Uuid>> = HashMap::new();
        for (employee, filter) in keys {
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
    pub projects: DataLoader<ByIdLoader<ProjectRow>>,
    /// Shots by id.
    pub shots: DataLoader<ByIdLoader<ShotRow>>,
    /// Assets by id.
    pub assets: DataLoader<ByIdLoader<AssetRow>>,
    /// Tasks by id.
    pub tasks: DataLoader<ByIdLoader<TaskRow>>,
    /// Versions by id.
    pub versions: DataLoader<ByIdLoader<VersionRow>>,
    /// Tasks by shot.
    pub tasks_by_shot: DataLoader<GroupLoader<TasksByShot>>,
    /// Tasks by asset.
    pub tasks_by_asset: DataLoader<GroupLoader<TasksByAsset>>,
    /// Versions by task.
    pub versions_by_task: DataLoader<GroupLoader<VersionsByTask>>,
    /// Notes by task.
    pub notes_by_task: DataLoader<GroupLoader<NotesByTask>>,
    /// Workflow by project.
    pub workflow: DataLoader<GroupLoader<WorkflowByProject>>,
    /// Upstream dependencies by task.
    pub dependencies: DataLoader<GroupLoader<DependenciesByTask>>,
    /// Tasks by assignee and status filter.
    pub tasks_by_assignee: DataLoader<TasksByAssignee>,
    /// `_entities` batches.
    pub entities: Entities,
}

/// The `_entities` representations of a request, per type.
pub struct Entities {
    /// Projects.
    pub projects: EntityBatch<ProjectRow>,
    /// Shots.
    pub shots: EntityBatch<ShotRow>,
    /// Assets.
    pub assets: EntityBatch<AssetRow>,
    /// Tasks.
    pub tasks: EntityBatch<TaskRow>,
    /// Versions.
    pub versions: EntityBatch<VersionRow>,
}

impl Loaders {
    /// Loaders bound to `tenant`, knowing the request's `_entities` representations.
    pub fn new(db: Db, tenant: Uuid, variables: &async_graphql::Variables) -> Self {
        Self {
            projects: ByIdLoader::data_loader(db.clone(), tenant),
            shots: ByIdLoader::data_loader(db.clone(), tenant),
            assets: ByIdLoader::data_loader(db.clone(), tenant),
            tasks: ByIdLoader::data_loader(db.clone(), tenant),
            versions: ByIdLoader::data_loader(db.clone(), tenant),
            tasks_by_shot: GroupLoader::data_loader(db.clone(), tenant),
            tasks_by_asset: GroupLoader::data_loader(db.clone(), tenant),
            versions_by_task: GroupLoader::data_loader(db.clone(), tenant),
            notes_by_task: GroupLoader::data_loader(db.clone(), tenant),
            workflow: GroupLoader::data_loader(db.clone(), tenant),
            dependencies: GroupLoader::data_loader(db.clone(), tenant),
            tasks_by_assignee: DataLoader::new(TasksByAssignee { db, tenant }, tokio::spawn).max_batch_size(1000),
            entities: Entities {
                projects: EntityBatch::from_variables(variables, "Project"),
                shots: EntityBatch::from_variables(variables, "Shot"),
                assets: EntityBatch::from_variables(variables, "Asset"),
                tasks: EntityBatch::from_variables(variables, "Task"),
                versions: EntityBatch::from_variables(variables, "Version"),
            },
        }
    }

    /// The request's loaders.
    pub fn of<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, AppError> {
        ctx.data_opt::<Loaders>()
            .ok_or_else(|| AppError::unauthenticated("authentication required"))
    }
}
