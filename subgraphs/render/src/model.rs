//! Rows of `studiograph_render`, the status enums, and how rows are fetched for the loaders.
#![allow(missing_docs)] // row fields mirror the table columns

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::loader::Group;
use platform::{AppError, Conn};
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{attempts, jobs, pools, render_tasks, workers};

platform::text_enum!(
    /// State of a render job.
    RenderJobStatus {
        /// Waiting for workers.
        Queued = "QUEUED",
        /// At least one task has started.
        Running = "RUNNING",
        /// Every task succeeded.
        Succeeded = "SUCCEEDED",
        /// A task ran out of attempts.
        Failed = "FAILED",
        /// Cancelled.
        Cancelled = "CANCELLED",
        /// Not scheduled until resumed.
        Paused = "PAUSED",
    }
);

platform::text_enum!(
    /// State of a frame chunk.
    RenderTaskStatus {
        /// Waiting for a worker.
        Queued = "QUEUED",
        /// Held by a worker.
        Running = "RUNNING",
        /// Rendered.
        Succeeded = "SUCCEEDED",
        /// Out of attempts.
        Failed = "FAILED",
        /// Cancelled with its job.
        Cancelled = "CANCELLED",
    }
);

platform::text_enum!(
    /// State of a render node.
    RenderWorkerStatus {
        /// Ready for work.
        Idle = "IDLE",
        /// Rendering.
        Busy = "BUSY",
        /// No heartbeat within the timeout.
        Offline = "OFFLINE",
        /// Taken out of service.
        Disabled = "DISABLED",
    }
);

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = pools, check_for_backend(diesel::pg::Pg))]
pub struct PoolRow {
    pub id: Uuid,
    pub name: String,
    pub rate_minor_per_core_hour: i64,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = workers, check_for_backend(diesel::pg::Pg))]
pub struct WorkerRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub pool_id: Uuid,
    pub hostname: String,
    pub cores: i32,
    pub status: String,
    pub last_heartbeat_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = jobs, check_for_backend(diesel::pg::Pg))]
pub struct JobRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub shot_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub submitted_by: Option<Uuid>,
    pub submitted_by_user: Option<Uuid>,
    pub pool_id: Uuid,
    pub command: String,
    pub frame_start: i32,
    pub frame_end: i32,
    pub chunk_size: i32,
    pub priority: i32,
    pub max_attempts: i32,
    pub status: String,
    pub tasks_total: i32,
    pub tasks_done: i32,
    pub core_seconds: f64,
    pub cost_minor: i64,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl RenderJobStatus {
    /// Queued, running or paused: not yet finished (may still be cancelled or re-owned).
    pub fn is_unfinished(self) -> bool {
        matches!(self, Self::Queued | Self::Running | Self::Paused)
    }
}

impl JobRow {
    /// The status as an enum.
    pub fn status(&self) -> RenderJobStatus {
        RenderJobStatus::parse(&self.status).unwrap_or(RenderJobStatus::Queued)
    }

    /// The event payload (`render.job.*`). `taskId`/`shotId` are production's; `submittedBy` is
    /// the submitter's employee id and `submittedByUser` their user id; `frameStart`/`frameEnd`
    /// the job's range.
    pub fn payload(&self) -> serde_json::Value {
        serde_json::json!({
            "jobId": self.id, "name": self.name, "shotId": self.shot_id, "taskId": self.task_id, "status": self.status,
            "progress": {"done": self.tasks_done, "total": self.tasks_total}, "coreSeconds": self.core_seconds,
            "cost": {"amountMinor": self.cost_minor, "currency": self.currency}, "submittedBy": self.submitted_by,
            "submittedByUser": self.submitted_by_user, "frameStart": self.frame_start, "frameEnd": self.frame_end,
            "finishedAt": self.finished_at,
        })
    }

    /// The payload of `render.job.failed`: [`Self::payload`] plus `failedFrames`, the ranges of
    /// the chunks that ran out of attempts (`[{start, end}]`).
    pub fn failure_payload(&self, failed_frames: &[(i32, i32)]) -> serde_json::Value {
        let mut payload = self.payload();
        payload["failedFrames"] = failed_frames
            .iter()
            .map(|(start, end)| serde_json::json!({"start": start, "end": end}))
            .collect();
        payload
    }
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = render_tasks, check_for_backend(diesel::pg::Pg))]
pub struct TaskRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub job_id: Uuid,
    pub frame_start: i32,
    pub frame_end: i32,
    pub status: String,
    pub attempts: i32,
    pub worker_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = attempts, check_for_backend(diesel::pg::Pg))]
pub struct AttemptRow {
    pub id: Uuid,
    pub task_id: Uuid,
    pub worker_id: Uuid,
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub log_tail: Option<String>,
    pub core_seconds: f64,
}

platform::fetch_by_id!(PoolRow, pools);
platform::fetch_by_id!(WorkerRow, workers);
platform::fetch_by_id!(JobRow, jobs);

/// Tasks of a job, by first frame.
pub struct TasksByJob;

impl Group for TasksByJob {
    type Row = TaskRow;
    fn parent(row: &TaskRow) -> Uuid {
        row.job_id
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<TaskRow>, AppError> {
        Ok(render_tasks::table
            .filter(render_tasks::job_id.eq_any(parents))
            .order(render_tasks::frame_start)
            .select(TaskRow::as_select())
            .load(c)
            .await?)
    }
}

/// Jobs of a shot, newest first.
pub struct JobsByShot;

impl Group for JobsByShot {
    type Row = JobRow;
    fn parent(row: &JobRow) -> Uuid {
        row.shot_id.unwrap_or_default()
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<JobRow>, AppError> {
        Ok(jobs::table
            .filter(jobs::shot_id.eq_any(parents))
            .order(jobs::created_at.desc())
            .select(JobRow::as_select())
            .load(c)
            .await?)
    }
}

/// Jobs submitted by an employee, newest first.
pub struct JobsBySubmitter;

impl Group for JobsBySubmitter {
    type Row = JobRow;
    fn parent(row: &JobRow) -> Uuid {
        row.submitted_by.unwrap_or_default()
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<JobRow>, AppError> {
        Ok(jobs::table
            .filter(jobs::submitted_by.eq_any(parents))
            .order(jobs::created_at.desc())
            .select(JobRow::as_select())
            .load(c)
            .await?)
    }
}

/// Attempts of a task, in order.
pub struct AttemptsByTask;

impl Group for AttemptsByTask {
    type Row = AttemptRow;
    fn parent(row: &AttemptRow) -> Uuid {
        row.task_id
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<AttemptRow>, AppError> {
        Ok(attempts::table
            .filter(attempts::task_id.eq_any(parents))
            .order(attempts::number)
            .select(AttemptRow::as_select())
            .load(c)
            .await?)
    }
}
