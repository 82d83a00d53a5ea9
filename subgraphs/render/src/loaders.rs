//! Per-request loaders (batched per wave of resolution, see `platform::batch`).

use std::sync::Arc;

use async_graphql::Context;
use platform::batch::{BatchLoader, Flush};
use platform::loader::{ById, ByParent};
use platform::{AppError, Db};
use uuid::Uuid;

use crate::model::*;

/// The loaders of one request.
pub struct Loaders {
    /// Jobs by id.
    pub jobs: BatchLoader<ById<JobRow>>,
    /// Workers by id.
    pub workers: BatchLoader<ById<WorkerRow>>,
    /// Pools by id.
    pub pools: BatchLoader<ById<PoolRow>>,
    /// Tasks by job.
    pub tasks_by_job: BatchLoader<ByParent<TasksByJob>>,
    /// Jobs by shot.
    pub jobs_by_shot: BatchLoader<ByParent<JobsByShot>>,
    /// Jobs by submitter.
    pub jobs_by_submitter: BatchLoader<ByParent<JobsBySubmitter>>,
    /// Attempts by task.
    pub attempts_by_task: BatchLoader<ByParent<AttemptsByTask>>,
}

impl Loaders {
    /// Loaders bound to `tenant`.
    pub fn new(db: Db, tenant: Uuid) -> Arc<Self> {
        Arc::new(Self {
            jobs: ById::loader(db.clone(), tenant),
            workers: ById::loader(db.clone(), tenant),
            pools: ById::loader(db.clone(), tenant),
            tasks_by_job: ByParent::loader(db.clone(), tenant),
            jobs_by_shot: ByParent::loader(db.clone(), tenant),
            jobs_by_submitter: ByParent::loader(db.clone(), tenant),
            attempts_by_task: ByParent::loader(db, tenant),
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
        self.jobs.flush();
        self.workers.flush();
        self.pools.flush();
        self.tasks_by_job.flush();
        self.jobs_by_shot.flush();
        self.jobs_by_submitter.flush();
        self.attempts_by_task.flush();
    }

    fn forget(&self) {
        self.jobs.forget();
        self.workers.forget();
        self.pools.forget();
        self.tasks_by_job.forget();
        self.jobs_by_shot.forget();
        self.jobs_by_submitter.forget();
        self.attempts_by_task.forget();
    }
}
