//! Render jobs for people and pipeline scripts (submit, cancel, retry, priority, pause/resume,
//! queries) and the agent-facing mutations (register, heartbeat, claim, report, release).

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::{RoleGuard, ScopeGuard, principal};
use platform::idempotency::Idempotent;
use platform::journal::{self, Change};
use platform::pagination::{decode_cursor, encode_cursor, page, page_size};
use platform::scalars::parse_id;
use platform::{AppError, Conn, Db, ErrorCode, Principal, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::loaders::Loaders;
use crate::model::*;
use crate::objects::{EmployeeRef, RenderJob, RenderTask, RenderWorker, ShotRef};
use crate::scheduler::Scheduler;
use crate::schema::{jobs, pools, render_tasks, workers};
use crate::{AGENT_ROLES, OPERATORS, SUBGRAPH};

/// Most chunks a job may have.
pub const MAX_TASKS_PER_JOB: i64 = 10_000;
/// The pool of a job that names none.
pub const DEFAULT_POOL: &str = "cpu";
/// Frames per chunk unless given.
pub const DEFAULT_CHUNK_SIZE: i32 = 10;
/// Priority unless given.
pub const DEFAULT_PRIORITY: i32 = 50;
/// Attempts per chunk unless given.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 3;

/// Jobs, newest first.
pub type RenderJobConnection = Connection<String, RenderJob, JobTotal>;

/// Filters of `renderJobs`.
#[derive(InputObject, Default, Clone)]
pub struct RenderJobFilter {
    /// Any of these statuses.
    pub status: Option<Vec<RenderJobStatus>>,
    /// Of this shot.
    pub shot_id: Option<ID>,
    /// In this pool (by name).
    pub pool: Option<String>,
    /// Submitted by this employee (an artist's own jobs).
    pub submitted_by: Option<ID>,
}

#[derive(Clone, Default)]
struct JobScope {
    statuses: Option<Vec<String>>,
    shot: Option<Uuid>,
    pool: Option<String>,
    submitted_by: Option<Uuid>,
}

impl JobScope {
    fn query(&self) -> jobs::BoxedQuery<'static, diesel::pg::Pg> {
        let mut q = jobs::table.into_boxed();
        if let Some(s) = &self.statuses {
            q = q.filter(jobs::status.eq_any(s.clone()));
        }
        if let Some(s) = self.shot {
            q = q.filter(jobs::shot_id.eq(s));
        }
        if let Some(p) = &self.pool {
            q = q.filter(jobs::pool_id.eq_any(pools::table.filter(pools::name.eq(p.clone())).select(pools::id)));
        }
        if let Some(e) = self.submitted_by {
            q = q.filter(jobs::submitted_by.eq(e));
        }
        q
    }
}

/// `totalCount` of the job connection.
pub struct JobTotal(JobScope);

#[Object]
impl JobTotal {
    /// Jobs matching the filter.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64, AppError> {
        let p = principal(ctx)?;
        let scope = self.0.clone();
        db(ctx)
            .tx(p.tenant_id, |c| {
                async move { Ok(scope.query().count().get_result(c).await?) }.scope_boxed()
            })
            .await
    }
}

fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

fn scheduler<'a>(ctx: &Context<'a>) -> &'a Scheduler {
    ctx.data_unchecked::<Scheduler>()
}

/// Render queries.
#[derive(Default)]
pub struct RenderQuery;

#[Object]
impl RenderQuery {
    /// The tenant's jobs, newest first (a shared pool shows each tenant only its own jobs).
    #[graphql(guard = "ScopeGuard(\"render:read\")")]
    async fn render_jobs(
        &self,
        ctx: &Context<'_>,
        filter: Option<RenderJobFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RenderJobConnection, AppError> {
        let p = principal(ctx)?;
        let limit = page_size(first)?;
        let f = filter.unwrap_or_default();
        let scope = JobScope {
            statuses: f.status.map(|s| s.into_iter().map(|x| x.as_str().to_owned()).collect()),
            shot: f.shot_id.as_ref().map(parse_id).transpose()?,
            pool: f.pool,
            submitted_by: f.submitted_by.as_ref().map(parse_id).transpose()?,
        };
        let cursor: Option<(DateTime<Utc>, Uuid)> = after.as_deref().map(decode_cursor).transpose()?;
        let s = scope.clone();
        let rows: Vec<JobRow> = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let mut q = s.query();
                    if let Some((at, id)) = cursor {
                        q = q.filter(jobs::created_at.lt(at).or(jobs::created_at.eq(at).and(jobs::id.gt(id))));
                    }
                    Ok(q.order((jobs::created_at.desc(), jobs::id.asc()))
                        .limit(limit + 1)
                        .select(JobRow::as_select())
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
            JobTotal(scope),
            |r| encode_cursor(&(r.created_at, r.id)),
            RenderJob,
        ))
    }

    /// One job, or null.
    #[graphql(guard = "ScopeGuard(\"render:read\")")]
    async fn render_job(&self, ctx: &Context<'_>, id: ID) -> Result<Option<RenderJob>, AppError> {
        Ok(Loaders::of(ctx)?.jobs.load_one(parse_id(&id)?).await?.map(RenderJob))
    }

    /// The tenant's render nodes, optionally of one pool.
    #[graphql(guard = "ScopeGuard(\"render:read\")")]
    async fn render_workers(&self, ctx: &Context<'_>, pool: Option<String>) -> Result<Vec<RenderWorker>, AppError> {
        let p = principal(ctx)?;
        let rows: Vec<WorkerRow> = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let mut q = workers::table.into_boxed();
                    if let Some(name) = pool {
                        q = q.filter(workers::pool_id.eq_any(pools::table.filter(pools::name.eq(name)).select(pools::id)));
                    }
                    Ok(q.order(workers::hostname).select(WorkerRow::as_select()).load(c).await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(rows.into_iter().map(RenderWorker).collect())
    }

    /// Federation: `RenderJob` by id.
    #[graphql(entity)]
    async fn find_render_job_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<RenderJob>, AppError> {
        let Ok(id) = parse_id(&id) else { return Ok(None) };
        Ok(Loaders::of(ctx)?.jobs.load_one(id).await?.map(RenderJob))
    }

    /// Federation: `Shot` references, extended with render jobs and cost.
    #[graphql(entity)]
    async fn find_shot_by_id(&self, id: ID) -> Result<ShotRef, AppError> {
        Ok(ShotRef(parse_id(&id)?))
    }

    /// Federation: `Employee` references, extended with their render jobs.
    #[graphql(entity)]
    async fn find_employee_by_id(&self, id: ID) -> Result<EmployeeRef, AppError> {
        Ok(EmployeeRef(parse_id(&id)?))
    }
}

/// Input of `submitRenderJob`.
#[derive(InputObject, Serialize)]
pub struct SubmitRenderJobInput {
    /// Name.
    pub name: String,
    /// The shot rendered.
    pub shot_id: Option<ID>,
    /// The production task it renders for.
    pub task_id: Option<ID>,
    /// First frame.
    pub frame_start: i32,
    /// Last frame.
    pub frame_end: i32,
    /// Frames per chunk (default 10).
    pub chunk_size: Option<i32>,
    /// 0 to 100 (default 50).
    pub priority: Option<i32>,
    /// Pool name (default `cpu`).
    pub pool: Option<String>,
    /// Command template; `{frame_start}`, `{frame_end}` and `{frame}` are substituted by the agent.
    pub command: String,
    /// Attempts per chunk before the job fails (default 3).
    pub max_attempts: Option<i32>,
    /// Replays within 24 h return the first job.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// The job, locked for update; NOT_FOUND when the tenant has none with this id.
pub async fn lock_job(c: &mut Conn, id: Uuid) -> Result<JobRow, AppError> {
    jobs::table
        .find(id)
        .for_update()
        .select(JobRow::as_select())
        .first(c)
        .await
        .optional()?
        .ok_or_else(|| AppError::not_found("render job"))
}

fn may_manage(p: &Principal, job: &JobRow) -> Result<(), AppError> {
    if p.has_any_role(OPERATORS) || (p.employee_id.is_some() && p.employee_id == job.submitted_by) {
        Ok(())
    } else {
        Err(AppError::forbidden("only the submitter or a render wrangler may change this job"))
    }
}

/// A job to submit, checked: what `submitRenderJob` and auto-render insert.
#[derive(Clone, Debug)]
pub struct JobSpec {
    /// Name (1 to 200 characters).
    pub name: String,
    /// The shot rendered.
    pub shot_id: Option<Uuid>,
    /// The production task it renders for.
    pub task_id: Option<Uuid>,
    /// The production version it renders (auto-render; one job per version).
    pub version_id: Option<Uuid>,
    /// First frame.
    pub frame_start: i32,
    /// Last frame.
    pub frame_end: i32,
    /// Frames per chunk.
    pub chunk_size: i32,
    /// 0 to 100.
    pub priority: i32,
    /// Attempts per chunk.
    pub max_attempts: i32,
    /// Pool name.
    pub pool: String,
    /// Command template.
    pub command: String,
}

impl JobSpec {
    /// The spec of a `submitRenderJob` input (defaults applied), or BAD_USER_INPUT.
    pub fn from_input(input: &SubmitRenderJobInput) -> Result<Self, AppError> {
        Self {
            name: input.name.trim().to_owned(),
            shot_id: input.shot_id.as_ref().map(parse_id).transpose()?,
            task_id: input.task_id.as_ref().map(parse_id).transpose()?,
            version_id: None,
            frame_start: input.frame_start,
            frame_end: input.frame_end,
            chunk_size: input.chunk_size.unwrap_or(DEFAULT_CHUNK_SIZE),
            priority: input.priority.unwrap_or(DEFAULT_PRIORITY),
            max_attempts: input.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS),
            pool: input.pool.clone().unwrap_or_else(|| DEFAULT_POOL.to_owned()),
            command: input.command.clone(),
        }
        .checked()
    }

    /// Itself when every field is in range, else BAD_USER_INPUT.
    pub fn checked(self) -> Result<Self, AppError> {
        if self.name.is_empty() || self.name.len() > 200 {
            return Err(AppError::bad_input("name must be 1 to 200 characters"));
        }
        if self.command.trim().is_empty() || self.command.len() > 8192 {
            return Err(AppError::bad_input("command must be 1 to 8192 characters"));
        }
        if self.frame_end < self.frame_start {
            return Err(AppError::bad_input("frameEnd is before frameStart"));
        }
        if !(1..=100_000).contains(&self.chunk_size) || !(0..=100).contains(&self.priority) || !(1..=20).contains(&self.max_attempts) {
            return Err(AppError::bad_input("chunkSize must be 1-100000, priority 0-100, maxAttempts 1-20"));
        }
        let total = self.chunks();
        if total > MAX_TASKS_PER_JOB {
            return Err(AppError::bad_input(format!(
                "{total} chunks; at most {MAX_TASKS_PER_JOB} per job (raise chunkSize)"
            )));
        }
        Ok(self)
    }

    /// How many chunks the frame range splits into.
    pub fn chunks(&self) -> i64 {
        let frames = i64::from(self.frame_end) - i64::from(self.frame_start) + 1;
        (frames + i64::from(self.chunk_size) - 1) / i64::from(self.chunk_size)
    }
}

/// Inserts a checked job and its chunks, submitted by `p` (its employee and user), and records
/// `render.job.submitted`. BAD_USER_INPUT for an unknown pool.
pub async fn insert_job(c: &mut Conn, p: &Principal, spec: &JobSpec) -> Result<JobRow, AppError> {
    let pool: PoolRow = pools::table
        .filter(pools::name.eq(&spec.pool))
        .select(PoolRow::as_select())
        .first(c)
        .await
        .optional()?
        .ok_or_else(|| AppError::bad_input(format!("unknown pool {:?}", spec.pool)))?;
    let id = Uuid::new_v4();
    let total = spec.chunks();
    let job: JobRow = diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(id),
            jobs::tenant_id.eq(p.tenant_id),
            jobs::name.eq(&spec.name),
            jobs::shot_id.eq(spec.shot_id),
            jobs::task_id.eq(spec.task_id),
            jobs::version_id.eq(spec.version_id),
            jobs::submitted_by.eq(p.employee_id),
            jobs::submitted_by_user.eq(Some(p.user_id)),
            jobs::pool_id.eq(pool.id),
            jobs::command.eq(&spec.command),
            jobs::frame_start.eq(spec.frame_start),
            jobs::frame_end.eq(spec.frame_end),
            jobs::chunk_size.eq(spec.chunk_size),
            jobs::priority.eq(spec.priority),
            jobs::max_attempts.eq(spec.max_attempts),
            jobs::tasks_total.eq(total as i32),
            jobs::currency.eq(&pool.currency),
        ))
        .returning(JobRow::as_returning())
        .get_result(c)
        .await?;
    let chunks: Vec<_> = (0..total)
        .map(|i| {
            let start = spec.frame_start + (i as i32) * spec.chunk_size;
            (
                render_tasks::id.eq(Uuid::new_v4()),
                render_tasks::tenant_id.eq(p.tenant_id),
                render_tasks::job_id.eq(id),
                render_tasks::frame_start.eq(start),
                render_tasks::frame_end.eq((start + spec.chunk_size - 1).min(spec.frame_end)),
            )
        })
        .collect();
    for batch in chunks.chunks(1000) {
        diesel::insert_into(render_tasks::table).values(batch.to_vec()).execute(c).await?;
    }
    let mut payload = job.payload();
    payload["versionId"] = json!(spec.version_id);
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "job",
            aggregate_id: id,
            event: "submitted",
            before: None,
            after: Some(json!(job)),
            payload,
        },
    )
    .await?;
    Ok(job)
}

/// Cancels a locked, unfinished job: its queued and running chunks are cancelled (running ones
/// are dropped when their agents report), the job is CANCELLED, and `render.job.cancelled` is
/// recorded (with `reason` in its payload when given).
pub async fn cancel_job(c: &mut Conn, p: &Principal, before: &JobRow, reason: Option<&str>) -> Result<JobRow, AppError> {
    diesel::update(
        render_tasks::table
            .filter(render_tasks::job_id.eq(before.id))
            .filter(render_tasks::status.eq_any(["QUEUED", "RUNNING"])),
    )
    .set(render_tasks::status.eq("CANCELLED"))
    .execute(c)
    .await?;
    set_job_because(c, p, before, RenderJobStatus::Cancelled, "cancelled", reason).await
}

async fn set_job(c: &mut Conn, p: &Principal, before: &JobRow, status: RenderJobStatus, event: &str) -> Result<JobRow, AppError> {
    set_job_because(c, p, before, status, event, None).await
}

async fn set_job_because(
    c: &mut Conn,
    p: &Principal,
    before: &JobRow,
    status: RenderJobStatus,
    event: &str,
    reason: Option<&str>,
) -> Result<JobRow, AppError> {
    let finished = matches!(
        status,
        RenderJobStatus::Cancelled | RenderJobStatus::Succeeded | RenderJobStatus::Failed
    )
    .then(Utc::now);
    let after: JobRow = diesel::update(jobs::table.find(before.id))
        .set((
            jobs::status.eq(status.as_str()),
            jobs::finished_at.eq(finished),
            jobs::updated_at.eq(diesel::dsl::now),
        ))
        .returning(JobRow::as_returning())
        .get_result(c)
        .await?;
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "job",
            aggregate_id: after.id,
            event,
            before: Some(json!(before)),
            after: Some(json!(after)),
            payload: match reason {
                Some(r) => {
                    let mut payload = after.payload();
                    payload["reason"] = json!(r);
                    payload
                }
                None => after.payload(),
            },
        },
    )
    .await?;
    Ok(after)
}

/// Job and agent mutations.
#[derive(Default)]
pub struct RenderMutation;

#[Object]
impl RenderMutation {
    /// Submits a job: the frame range is split into chunks of `chunkSize`.
    #[graphql(guard = "ScopeGuard(\"render:submit\")")]
    async fn submit_render_job(&self, ctx: &Context<'_>, input: SubmitRenderJobInput) -> Result<RenderJob, AppError> {
        let p = principal(ctx)?.clone();
        let spec = JobSpec::from_input(&input)?;
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) =
                        Idempotent::begin(c, p.tenant_id, "submitRenderJob", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok(jobs::table.find(id).select(JobRow::as_select()).first(c).await?);
                    }
                    let job = insert_job(c, &p, &spec).await?;
                    idem.finish(c, job.id).await?;
                    Ok(job)
                }
                .scope_boxed()
            })
            .await?;
        Ok(RenderJob(row))
    }

    /// Cancels a job: queued chunks are cancelled; running ones are dropped when their agents report.
    #[graphql(guard = "ScopeGuard(\"render:submit\")")]
    async fn cancel_render_job(&self, ctx: &Context<'_>, id: ID) -> Result<RenderJob, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let before = lock_job(c, id).await?;
                    may_manage(&p, &before)?;
                    if !before.status().is_unfinished() {
                        return Err(AppError::new(
                            ErrorCode::TransitionNotAllowed,
                            format!("the job is {}", before.status),
                        ));
                    }
                    cancel_job(c, &p, &before, None).await
                }
                .scope_boxed()
            })
            .await?;
        Ok(RenderJob(row))
    }

    /// Requeues the failed (and cancelled-after-failure) chunks of a failed job.
    #[graphql(guard = "ScopeGuard(\"render:submit\")")]
    async fn retry_render_job(&self, ctx: &Context<'_>, id: ID) -> Result<RenderJob, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let before = lock_job(c, id).await?;
                    may_manage(&p, &before)?;
                    if before.status() != RenderJobStatus::Failed {
                        return Err(AppError::new(
                            ErrorCode::TransitionNotAllowed,
                            format!("only a FAILED job can be retried; it is {}", before.status),
                        ));
                    }
                    diesel::update(
                        render_tasks::table
                            .filter(render_tasks::job_id.eq(id))
                            .filter(render_tasks::status.eq_any(["FAILED", "CANCELLED"])),
                    )
                    .set((
                        render_tasks::status.eq("QUEUED"),
                        render_tasks::attempts.eq(0),
                        render_tasks::worker_id.eq(None::<Uuid>),
                        render_tasks::finished_at.eq(None::<DateTime<Utc>>),
                    ))
                    .execute(c)
                    .await?;
                    set_job(c, &p, &before, RenderJobStatus::Running, "retried").await
                }
                .scope_boxed()
            })
            .await?;
        Ok(RenderJob(row))
    }

    /// Changes a job's priority (0 to 100).
    #[graphql(guard = "ScopeGuard(\"render:submit\")")]
    async fn set_render_job_priority(&self, ctx: &Context<'_>, id: ID, priority: i32) -> Result<RenderJob, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        if !(0..=100).contains(&priority) {
            return Err(AppError::bad_input("priority must be between 0 and 100"));
        }
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let before = lock_job(c, id).await?;
                    may_manage(&p, &before)?;
                    let after: JobRow = diesel::update(jobs::table.find(id))
                        .set((jobs::priority.eq(priority), jobs::updated_at.eq(diesel::dsl::now)))
                        .returning(JobRow::as_returning())
                        .get_result(c)
                        .await?;
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "job",
                            aggregate_id: id,
                            event: "reprioritized",
                            before: Some(json!(before)),
                            after: Some(json!(after)),
                            payload: after.payload(),
                        },
                    )
                    .await?;
                    Ok(after)
                }
                .scope_boxed()
            })
            .await?;
        Ok(RenderJob(row))
    }

    /// Pauses a job: no new chunks start until it is resumed.
    #[graphql(guard = "ScopeGuard(\"render:submit\")")]
    async fn pause_render_job(&self, ctx: &Context<'_>, id: ID) -> Result<RenderJob, AppError> {
        self.pause_or_resume(ctx, id, true).await
    }

    /// Resumes a paused job.
    #[graphql(guard = "ScopeGuard(\"render:submit\")")]
    async fn resume_render_job(&self, ctx: &Context<'_>, id: ID) -> Result<RenderJob, AppError> {
        self.pause_or_resume(ctx, id, false).await
    }

    /// Registers a render node (or re-registers the same hostname in the pool).
    #[graphql(guard = "RoleGuard(AGENT_ROLES).and(ScopeGuard(\"render:agent\"))")]
    async fn register_render_worker(&self, ctx: &Context<'_>, input: RegisterRenderWorkerInput) -> Result<RenderWorker, AppError> {
        let p = principal(ctx)?;
        Ok(RenderWorker(
            scheduler(ctx).register(p, &input.hostname, &input.pool, input.cores).await?,
        ))
    }

    /// Records a worker's heartbeat.
    #[graphql(guard = "RoleGuard(AGENT_ROLES).and(ScopeGuard(\"render:agent\"))")]
    async fn heartbeat_render_worker(&self, ctx: &Context<'_>, worker_id: ID) -> Result<RenderWorker, AppError> {
        let p = principal(ctx)?;
        Ok(RenderWorker(scheduler(ctx).heartbeat(p, parse_id(&worker_id)?).await?))
    }

    /// Hands the worker its next chunk (null when there is none).
    #[graphql(guard = "RoleGuard(AGENT_ROLES).and(ScopeGuard(\"render:agent\"))")]
    async fn claim_render_task(&self, ctx: &Context<'_>, worker_id: ID) -> Result<Option<RenderTask>, AppError> {
        let p = principal(ctx)?;
        let claim = scheduler(ctx).claim(p, parse_id(&worker_id)?).await?;
        Ok(claim.map(|c| RenderTask(c.task, Some(c.job.command))))
    }

    /// Reports the outcome of the worker's attempt: SUCCEEDED or FAILED, with the log tail and
    /// core-seconds. CONFLICT when the task is no longer held by the worker.
    #[graphql(guard = "RoleGuard(AGENT_ROLES).and(ScopeGuard(\"render:agent\"))")]
    async fn report_render_task(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        status: RenderTaskStatus,
        log_tail: Option<String>,
        core_seconds: Option<f64>,
        worker_id: Option<ID>,
    ) -> Result<RenderTask, AppError> {
        let p = principal(ctx)?;
        let worker = worker_id.as_ref().map(parse_id).transpose()?;
        let row = scheduler(ctx)
            .report(p, worker, parse_id(&task_id)?, status, log_tail, core_seconds.unwrap_or(0.0))
            .await?;
        Ok(RenderTask(row, None))
    }

    /// Gives a chunk back to the queue without counting the attempt (agent shutdown).
    #[graphql(guard = "RoleGuard(AGENT_ROLES).and(ScopeGuard(\"render:agent\"))")]
    async fn release_render_task(&self, ctx: &Context<'_>, task_id: ID, worker_id: ID) -> Result<RenderTask, AppError> {
        let p = principal(ctx)?;
        let row = scheduler(ctx).release(p, parse_id(&worker_id)?, parse_id(&task_id)?).await?;
        Ok(RenderTask(row, None))
    }
}

impl RenderMutation {
    async fn pause_or_resume(&self, ctx: &Context<'_>, id: ID, pause: bool) -> Result<RenderJob, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let before = lock_job(c, id).await?;
                    may_manage(&p, &before)?;
                    let (from, to, event) = if pause {
                        (
                            &[RenderJobStatus::Queued, RenderJobStatus::Running][..],
                            RenderJobStatus::Paused,
                            "paused",
                        )
                    } else {
                        (
                            &[RenderJobStatus::Paused][..],
                            if before.started_at.is_some() {
                                RenderJobStatus::Running
                            } else {
                                RenderJobStatus::Queued
                            },
                            "resumed",
                        )
                    };
                    if !from.contains(&before.status()) {
                        return Err(AppError::new(
                            ErrorCode::TransitionNotAllowed,
                            format!("the job is {}", before.status),
                        ));
                    }
                    set_job(c, &p, &before, to, event).await
                }
                .scope_boxed()
            })
            .await?;
        Ok(RenderJob(row))
    }
}

/// Input of `registerRenderWorker`.
#[derive(InputObject)]
pub struct RegisterRenderWorkerInput {
    /// The node's hostname (unique in its pool).
    pub hostname: String,
    /// Pool name.
    pub pool: String,
    /// Cores the node offers.
    pub cores: i32,
}
