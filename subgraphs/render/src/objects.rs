//! GraphQL types of the render subgraph, and the stubs of other subgraphs' entities it extends or
//! references (`Shot`, `Employee`, `Task`).

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use platform::AppError;
use platform::money::Money;
use platform::scalars::to_id;
use uuid::Uuid;

use crate::loaders::Loaders;
use crate::model::*;

/// A production shot, extended with its render jobs and their cost.
pub struct ShotRef(pub Uuid);

#[Object(name = "Shot")]
impl ShotRef {
    async fn id(&self) -> ID {
        to_id(self.0)
    }
    /// Render jobs of the shot, newest first (batched across shots).
    async fn render_jobs(&self, ctx: &Context<'_>) -> Result<Vec<RenderJob>, AppError> {
        Ok(Loaders::of(ctx)?
            .jobs_by_shot
            .load_one(self.0)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(RenderJob)
            .collect())
    }
    /// What the shot's renders cost so far (null when it has none).
    async fn render_cost(&self, ctx: &Context<'_>) -> Result<Option<Money>, AppError> {
        let jobs = Loaders::of(ctx)?.jobs_by_shot.load_one(self.0).await?.unwrap_or_default();
        let Some(currency) = jobs.first().map(|j| j.currency.clone()) else {
            return Ok(None);
        };
        Ok(Some(Money::from_minor(
            jobs.iter().filter(|j| j.currency == currency).map(|j| j.cost_minor).sum(),
            &currency,
        )))
    }
}

/// An HR employee, extended with the render jobs they submitted.
pub struct EmployeeRef(pub Uuid);

#[Object(name = "Employee")]
impl EmployeeRef {
    async fn id(&self) -> ID {
        to_id(self.0)
    }
    /// Jobs this employee submitted, newest first (batched across employees).
    async fn render_jobs(&self, ctx: &Context<'_>) -> Result<Vec<RenderJob>, AppError> {
        Ok(Loaders::of(ctx)?
            .jobs_by_submitter
            .load_one(self.0)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(RenderJob)
            .collect())
    }
}

/// A production task (resolved by the production subgraph).
#[derive(SimpleObject)]
#[graphql(name = "Task", unresolvable = "id")]
pub struct TaskRef {
    /// Task id.
    pub id: ID,
}

/// How far a job is.
#[derive(SimpleObject)]
pub struct Progress {
    /// Chunks done.
    pub done: i32,
    /// Chunks in all.
    pub total: i32,
}

/// A render job: a frame range of a shot split into chunks.
pub struct RenderJob(pub JobRow);

#[Object]
impl RenderJob {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn shot(&self) -> Option<ShotRef> {
        self.0.shot_id.map(ShotRef)
    }
    async fn task(&self) -> Option<TaskRef> {
        self.0.task_id.map(|id| TaskRef { id: to_id(id) })
    }
    async fn submitted_by(&self) -> Option<EmployeeRef> {
        self.0.submitted_by.map(EmployeeRef)
    }
    async fn status(&self) -> RenderJobStatus {
        self.0.status()
    }
    /// 0 (lowest) to 100.
    async fn priority(&self) -> i32 {
        self.0.priority
    }
    /// The pool's name.
    async fn pool(&self, ctx: &Context<'_>) -> Result<String, AppError> {
        Ok(Loaders::of(ctx)?
            .pools
            .load_one(self.0.pool_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default())
    }
    /// The command template (`{frame_start}`, `{frame_end}`, `{frame}`).
    async fn command(&self) -> &str {
        &self.0.command
    }
    async fn frame_start(&self) -> i32 {
        self.0.frame_start
    }
    async fn frame_end(&self) -> i32 {
        self.0.frame_end
    }
    async fn chunk_size(&self) -> i32 {
        self.0.chunk_size
    }
    /// Attempts a chunk gets before the job fails.
    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }
    async fn progress(&self) -> Progress {
        Progress {
            done: self.0.tasks_done,
            total: self.0.tasks_total,
        }
    }
    /// The chunks, by first frame.
    async fn tasks(&self, ctx: &Context<'_>) -> Result<Vec<RenderTask>, AppError> {
        Ok(Loaders::of(ctx)?
            .tasks_by_job
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|t| RenderTask(t, None))
            .collect())
    }
    /// Core-seconds of every attempt, failed ones included.
    async fn core_seconds(&self) -> f64 {
        self.0.core_seconds
    }
    /// core-seconds x the pool's rate per core-hour.
    async fn cost(&self) -> Money {
        Money::from_minor(self.0.cost_minor, &self.0.currency)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

/// A chunk of frames of a job (with the job's command when handed to an agent).
pub struct RenderTask(pub TaskRow, pub Option<String>);

#[Object]
impl RenderTask {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn frame_start(&self) -> i32 {
        self.0.frame_start
    }
    async fn frame_end(&self) -> i32 {
        self.0.frame_end
    }
    async fn status(&self) -> RenderTaskStatus {
        RenderTaskStatus::parse(&self.0.status).unwrap_or(RenderTaskStatus::Queued)
    }
    /// Attempts started so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The worker holding or last holding the task (in the viewer's tenant).
    async fn worker(&self, ctx: &Context<'_>) -> Result<Option<RenderWorker>, AppError> {
        let Some(id) = self.0.worker_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.workers.load_one(id).await?.map(RenderWorker))
    }
    /// The job.
    async fn job(&self, ctx: &Context<'_>) -> Result<Option<RenderJob>, AppError> {
        Ok(Loaders::of(ctx)?.jobs.load_one(self.0.job_id).await?.map(RenderJob))
    }
    /// The job's command template, for the agent that claimed the task.
    async fn command(&self, ctx: &Context<'_>) -> Result<Option<String>, AppError> {
        if let Some(c) = &self.1 {
            return Ok(Some(c.clone()));
        }
        Ok(Loaders::of(ctx)?.jobs.load_one(self.0.job_id).await?.map(|j| j.command))
    }
    /// Every attempt: worker, times, outcome, log tail, core-seconds.
    async fn attempt_history(&self, ctx: &Context<'_>) -> Result<Vec<RenderAttempt>, AppError> {
        Ok(Loaders::of(ctx)?
            .attempts_by_task
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(RenderAttempt)
            .collect())
    }
}

/// One attempt at a chunk.
pub struct RenderAttempt(pub AttemptRow);

#[Object]
impl RenderAttempt {
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn worker_id(&self) -> ID {
        to_id(self.0.worker_id)
    }
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// SUCCEEDED, FAILED, LOST (heartbeat timeout), RELEASED (agent shutdown), or null while running.
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_deref()
    }
    async fn log_tail(&self) -> Option<&str> {
        self.0.log_tail.as_deref()
    }
    async fn core_seconds(&self) -> f64 {
        self.0.core_seconds
    }
}

/// A render node.
pub struct RenderWorker(pub WorkerRow);

#[Object]
impl RenderWorker {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn hostname(&self) -> &str {
        &self.0.hostname
    }
    async fn pool(&self, ctx: &Context<'_>) -> Result<String, AppError> {
        Ok(Loaders::of(ctx)?
            .pools
            .load_one(self.0.pool_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default())
    }
    async fn cores(&self) -> i32 {
        self.0.cores
    }
    async fn status(&self) -> RenderWorkerStatus {
        RenderWorkerStatus::parse(&self.0.status).unwrap_or(RenderWorkerStatus::Offline)
    }
    async fn last_heartbeat_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_heartbeat_at
    }
}
