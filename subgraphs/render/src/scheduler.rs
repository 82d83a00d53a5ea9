//! The farm scheduler. Runs on its own connection pool as `studiograph_render_scheduler`
//! (BYPASSRLS), because a pool is shared by tenants whose jobs each tenant alone may see.
//!
//! `claim` hands a worker the next task: highest job priority first, then the tenant with the
//! fewest cores running in the pool (fair share), then the oldest job, then the lowest frame; a
//! tenant's running cores never exceed its quota on the pool; a worker that failed 3 tasks of a job
//! is not given that job again. Claims on one pool are serialized by a transaction-scoped advisory
//! lock, so the quota check and the claim are atomic; the task row is taken `FOR UPDATE SKIP
//! LOCKED`, so a task is never held by two workers. Failed attempts are retried up to the job's
//! limit, then the job fails. A claim from a worker that already holds a chunk returns that chunk
//! again (the agent lost the previous answer), so a retried claim never strands a task. Workers whose heartbeat is older than the timeout go OFFLINE and
//! their running tasks return to the queue (the attempt counts as lost).

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Bigint, Integer, Text};
use diesel_async::RunQueryDsl;
use platform::journal;
use platform::{AppError, Conn, Db, Principal, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

use crate::SUBGRAPH;
use crate::model::*;
use crate::schema::{attempts, jobs, pools, render_tasks, worker_blocklist, workers};

/// Failures of one worker on one job after which it is not given that job again.
pub const BLOCKLIST_AFTER: i32 = 3;

/// The scheduler: a BYPASSRLS pool and the heartbeat timeout.
#[derive(Clone)]
pub struct Scheduler {
    db: Db,
    /// A worker silent for longer is OFFLINE.
    pub heartbeat_timeout: Duration,
    last_sweep: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

#[derive(QueryableByName)]
struct Picked {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// A claimed task with its job.
pub struct Claim {
    /// The task (RUNNING, held by the worker).
    pub task: TaskRow,
    /// Its job.
    pub job: JobRow,
}

impl Scheduler {
    /// A scheduler over `db` (which must connect as the scheduler role).
    pub fn new(db: Db, heartbeat_timeout: Duration) -> Self {
        Self {
            db,
            heartbeat_timeout,
            last_sweep: Default::default(),
        }
    }

    /// Claims sweep for silent workers at most once a second (the background sweeper covers idle
    /// farms).
    fn sweep_due(&self) -> bool {
        let mut last = self.last_sweep.lock().unwrap_or_else(|e| e.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if due {
            *last = Some(std::time::Instant::now());
        }
        due
    }

    /// The scheduler's pool (metrics, tests).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Registers a worker (or re-registers the same hostname in the same pool): IDLE, heartbeat now.
    pub async fn register(&self, p: &Principal, hostname: &str, pool: &str, cores: i32) -> Result<WorkerRow, AppError> {
        let (hostname, pool, tenant) = (hostname.trim().to_owned(), pool.to_owned(), p.tenant_id);
        if hostname.is_empty() || hostname.len() > 255 {
            return Err(AppError::bad_input("hostname must be 1 to 255 characters"));
        }
        if !(1..=4096).contains(&cores) {
            return Err(AppError::bad_input("cores must be between 1 and 4096"));
        }
        let who = p.clone();
        self.db
            .tx_without_tenant(|c| {
                async move {
                    let pool_id: Uuid = pools::table
                        .filter(pools::name.eq(&pool))
                        .select(pools::id)
                        .first(c)
                        .await
                        .optional()?
                        .ok_or_else(|| AppError::bad_input(format!("unknown pool {pool:?}")))?;
                    let existing: Option<WorkerRow> = workers::table
                        .filter(workers::pool_id.eq(pool_id).and(workers::hostname.eq(&hostname)))
                        .for_update()
                        .select(WorkerRow::as_select())
                        .first(c)
                        .await
                        .optional()?;
                    let row: WorkerRow = match existing {
                        Some(w) if w.tenant_id != tenant => {
                            return Err(AppError::conflict("this hostname is registered by another tenant"));
                        }
                        Some(w) => {
                            requeue_worker_tasks(c, w.id, "LOST").await?;
                            diesel::update(workers::table.find(w.id))
                                .set((
                                    workers::cores.eq(cores),
                                    workers::status.eq("IDLE"),
                                    workers::last_heartbeat_at.eq(Some(Utc::now())),
                                ))
                                .returning(WorkerRow::as_returning())
                                .get_result(c)
                                .await?
                        }
                        None => {
                            diesel::insert_into(workers::table)
                                .values((
                                    workers::id.eq(Uuid::new_v4()),
                                    workers::tenant_id.eq(tenant),
                                    workers::pool_id.eq(pool_id),
                                    workers::hostname.eq(&hostname),
                                    workers::cores.eq(cores),
                                    workers::last_heartbeat_at.eq(Some(Utc::now())),
                                ))
                                .returning(WorkerRow::as_returning())
                                .get_result(c)
                                .await?
                        }
                    };
                    journal::audit(c, &who, "worker.registered", "worker", Some(row.id), None, Some(json!(row))).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await
    }

    /// Records a heartbeat; an OFFLINE worker comes back IDLE.
    pub async fn heartbeat(&self, p: &Principal, worker: Uuid) -> Result<WorkerRow, AppError> {
        let tenant = p.tenant_id;
        self.db
            .tx_without_tenant(|c| {
                async move {
                    let w = own_worker(c, tenant, worker).await?;
                    let status = if w.status == "OFFLINE" { "IDLE" } else { w.status.as_str() };
                    Ok(diesel::update(workers::table.find(worker))
                        .set((workers::last_heartbeat_at.eq(Some(Utc::now())), workers::status.eq(status)))
                        .returning(WorkerRow::as_returning())
                        .get_result(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await
    }

    /// Hands the worker its next task, or None.
    pub async fn claim(&self, p: &Principal, worker: Uuid) -> Result<Option<Claim>, AppError> {
        let tenant = p.tenant_id;
        let timeout_secs = self.heartbeat_timeout.as_secs_f64();
        let sweep_due = self.sweep_due();
        self.db
            .tx_without_tenant(|c| {
                async move {
                    let w = own_worker(c, tenant, worker).await?;
                    if w.status == "DISABLED" {
                        return Err(AppError::forbidden("this worker is disabled"));
                    }
                    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                        .bind::<Text, _>(format!("render-pool/{}", w.pool_id))
                        .execute(c)
                        .await?;
                    if sweep_due {
                        sweep_offline(c, timeout_secs).await?;
                    }
                    // Agents run one chunk at a time: a worker that claims while holding one lost
                    // the answer to its previous claim, so it gets the same chunk again.
                    let held: Option<TaskRow> = render_tasks::table
                        .filter(render_tasks::worker_id.eq(worker).and(render_tasks::status.eq("RUNNING")))
                        .select(TaskRow::as_select())
                        .first(c)
                        .await
                        .optional()?;
                    if let Some(task) = held {
                        diesel::update(workers::table.find(worker))
                            .set(workers::last_heartbeat_at.eq(Some(Utc::now())))
                            .execute(c)
                            .await?;
                        let job: JobRow = jobs::table.find(task.job_id).select(JobRow::as_select()).first(c).await?;
                        return Ok(Some(Claim { task, job }));
                    }
                    diesel::update(workers::table.find(worker))
                        .set((workers::last_heartbeat_at.eq(Some(Utc::now())), workers::status.eq("IDLE")))
                        .execute(c)
                        .await?;
                    let picked: Option<Picked> = diesel::sql_query(PICK_JOB)
                        .bind::<diesel::sql_types::Uuid, _>(w.pool_id)
                        .bind::<Integer, _>(w.cores)
                        .bind::<diesel::sql_types::Uuid, _>(worker)
                        .bind::<Integer, _>(BLOCKLIST_AFTER)
                        .get_result(c)
                        .await
                        .optional()?;
                    let Some(job) = picked else { return Ok(None) };
                    let task: Option<TaskRow> = render_tasks::table
                        .filter(render_tasks::job_id.eq(job.id).and(render_tasks::status.eq("QUEUED")))
                        .order(render_tasks::frame_start)
                        .for_update()
                        .skip_locked()
                        .select(TaskRow::as_select())
                        .first(c)
                        .await
                        .optional()?;
                    let Some(task) = task else { return Ok(None) };
                    let task: TaskRow = diesel::update(render_tasks::table.find(task.id))
                        .set((
                            render_tasks::status.eq("RUNNING"),
                            render_tasks::worker_id.eq(Some(worker)),
                            render_tasks::attempts.eq(render_tasks::attempts + 1),
                            render_tasks::started_at.eq(Some(Utc::now())),
                        ))
                        .returning(TaskRow::as_returning())
                        .get_result(c)
                        .await?;
                    diesel::insert_into(attempts::table)
                        .values((
                            attempts::id.eq(Uuid::new_v4()),
                            attempts::tenant_id.eq(task.tenant_id),
                            attempts::task_id.eq(task.id),
                            attempts::job_id.eq(task.job_id),
                            attempts::worker_id.eq(worker),
                            attempts::number.eq(task.attempts),
                        ))
                        .execute(c)
                        .await?;
                    diesel::update(workers::table.find(worker))
                        .set(workers::status.eq("BUSY"))
                        .execute(c)
                        .await?;
                    // Only the first claim of a job touches (and locks) the job row: reports of a
                    // busy job are not held up by claims.
                    let started: Option<JobRow> = diesel::update(jobs::table.find(task.job_id).filter(jobs::status.eq("QUEUED")))
                        .set((
                            jobs::status.eq("RUNNING"),
                            jobs::started_at.eq(Some(Utc::now())),
                            jobs::updated_at.eq(diesel::dsl::now),
                        ))
                        .returning(JobRow::as_returning())
                        .get_result(c)
                        .await
                        .optional()?;
                    let job = match started {
                        Some(j) => {
                            event(c, &j, "started").await?;
                            j
                        }
                        None => jobs::table.find(task.job_id).select(JobRow::as_select()).first(c).await?,
                    };
                    Ok(Some(Claim { task, job }))
                }
                .scope_boxed()
            })
            .await
    }

    /// Records the outcome of the worker's attempt on a task.
    pub async fn report(
        &self,
        p: &Principal,
        worker: Option<Uuid>,
        task: Uuid,
        status: RenderTaskStatus,
        log_tail: Option<String>,
        core_seconds: f64,
    ) -> Result<TaskRow, AppError> {
        if !matches!(status, RenderTaskStatus::Succeeded | RenderTaskStatus::Failed) {
            return Err(AppError::bad_input("report SUCCEEDED or FAILED"));
        }
        if !(core_seconds.is_finite() && core_seconds >= 0.0) {
            return Err(AppError::bad_input("coreSeconds must be a non-negative number"));
        }
        let tenant = p.tenant_id;
        let log_tail = log_tail.map(|l| tail(&l, 4000));
        self.db
            .tx_without_tenant(|c| {
                async move {
                    let t = held_task(c, tenant, worker, task).await?;
                    let holder = t.worker_id.unwrap_or_default();
                    finish_attempt(c, &t, holder, status.as_str(), log_tail.as_deref(), core_seconds).await?;
                    let job: JobRow = diesel::update(jobs::table.find(t.job_id))
                        .set((
                            jobs::core_seconds.eq(jobs::core_seconds + core_seconds),
                            jobs::cost_minor.eq(diesel::dsl::sql::<Bigint>("round((core_seconds + ")
                                .bind::<diesel::sql_types::Double, _>(core_seconds)
                                .sql(") * (SELECT rate_minor_per_core_hour FROM pools WHERE pools.id = jobs.pool_id) / 3600.0)::bigint")),
                            jobs::updated_at.eq(diesel::dsl::now),
                        ))
                        .returning(JobRow::as_returning())
                        .get_result(c)
                        .await?;
                    let out = if status == RenderTaskStatus::Succeeded {
                        let done: TaskRow = diesel::update(render_tasks::table.find(t.id))
                            .set((render_tasks::status.eq("SUCCEEDED"), render_tasks::finished_at.eq(Some(Utc::now()))))
                            .returning(TaskRow::as_returning())
                            .get_result(c)
                            .await?;
                        let job: JobRow = diesel::update(jobs::table.find(job.id))
                            .set(jobs::tasks_done.eq(jobs::tasks_done + 1))
                            .returning(JobRow::as_returning())
                            .get_result(c)
                            .await?;
                        if job.tasks_done == job.tasks_total && matches!(job.status.as_str(), "RUNNING" | "PAUSED") {
                            let j: JobRow = diesel::update(jobs::table.find(job.id))
                                .set((jobs::status.eq("SUCCEEDED"), jobs::finished_at.eq(Some(Utc::now()))))
                                .returning(JobRow::as_returning())
                                .get_result(c)
                                .await?;
                            event(c, &j, "succeeded").await?;
                        } else {
                            event(c, &job, "progressed").await?;
                        }
                        done
                    } else {
                        diesel::insert_into(worker_blocklist::table)
                            .values((
                                worker_blocklist::job_id.eq(t.job_id),
                                worker_blocklist::worker_id.eq(holder),
                                worker_blocklist::tenant_id.eq(t.tenant_id),
                                worker_blocklist::failures.eq(1),
                            ))
                            .on_conflict((worker_blocklist::job_id, worker_blocklist::worker_id))
                            .do_update()
                            .set(worker_blocklist::failures.eq(worker_blocklist::failures + 1))
                            .execute(c)
                            .await?;
                        retry_or_fail(c, &t, &job).await?
                    };
                    mark_idle_if_free(c, holder).await?;
                    Ok(out)
                }
                .scope_boxed()
            })
            .await
    }

    /// Gives a task back to the queue without counting the attempt (graceful agent shutdown).
    pub async fn release(&self, p: &Principal, worker: Uuid, task: Uuid) -> Result<TaskRow, AppError> {
        let tenant = p.tenant_id;
        self.db
            .tx_without_tenant(|c| {
                async move {
                    let t = held_task(c, tenant, Some(worker), task).await?;
                    finish_attempt(c, &t, worker, "RELEASED", None, 0.0).await?;
                    let out: TaskRow = diesel::update(render_tasks::table.find(t.id))
                        .set((
                            render_tasks::status.eq("QUEUED"),
                            render_tasks::worker_id.eq(None::<Uuid>),
                            render_tasks::attempts.eq(render_tasks::attempts - 1),
                        ))
                        .returning(TaskRow::as_returning())
                        .get_result(c)
                        .await?;
                    mark_idle_if_free(c, worker).await?;
                    Ok(out)
                }
                .scope_boxed()
            })
            .await
    }

    /// Marks silent workers OFFLINE and requeues their tasks; returns how many went offline.
    pub async fn sweep(&self) -> Result<usize, AppError> {
        let secs = self.heartbeat_timeout.as_secs_f64();
        self.db
            .tx_without_tenant(|c| async move { sweep_offline(c, secs).await }.scope_boxed())
            .await
    }
}

/// Chooses the job whose queued task goes next ($1 pool, $2 worker cores, $3 worker, $4 blocklist
/// threshold).
const PICK_JOB: &str = "
WITH usage AS (
    SELECT rj.tenant_id, sum(w.cores)::int AS cores
    FROM render_tasks rt JOIN jobs rj ON rj.id = rt.job_id JOIN workers w ON w.id = rt.worker_id
    WHERE rt.status = 'RUNNING' AND rj.pool_id = $1
    GROUP BY rj.tenant_id
)
SELECT j.id
FROM jobs j
LEFT JOIN usage u ON u.tenant_id = j.tenant_id
LEFT JOIN pool_quotas q ON q.tenant_id = j.tenant_id AND q.pool_id = j.pool_id
WHERE j.pool_id = $1
  AND j.status IN ('QUEUED', 'RUNNING')
  AND COALESCE(u.cores, 0) + $2 <= COALESCE(q.max_cores, 2147483647)
  AND EXISTS (SELECT 1 FROM render_tasks t WHERE t.job_id = j.id AND t.status = 'QUEUED')
  AND NOT EXISTS (SELECT 1 FROM worker_blocklist b WHERE b.job_id = j.id AND b.worker_id = $3 AND b.failures >= $4)
ORDER BY j.priority DESC, COALESCE(u.cores, 0) ASC, j.created_at ASC, j.id
LIMIT 1";

async fn own_worker(c: &mut Conn, tenant: Uuid, worker: Uuid) -> Result<WorkerRow, AppError> {
    let w: WorkerRow = workers::table
        .find(worker)
        .for_update()
        .select(WorkerRow::as_select())
        .first(c)
        .await
        .optional()?
        .ok_or_else(|| AppError::not_found("worker"))?;
    if w.tenant_id != tenant {
        return Err(AppError::not_found("worker"));
    }
    Ok(w)
}

/// The task, locked, if `worker` (or, without one, a worker of `tenant`) holds it; CONFLICT otherwise.
async fn held_task(c: &mut Conn, tenant: Uuid, worker: Option<Uuid>, task: Uuid) -> Result<TaskRow, AppError> {
    let t: TaskRow = render_tasks::table
        .find(task)
        .for_update()
        .select(TaskRow::as_select())
        .first(c)
        .await
        .optional()?
        .ok_or_else(|| AppError::not_found("render task"))?;
    let holder = match t.worker_id {
        Some(h) if t.status == "RUNNING" => h,
        _ => return Err(AppError::conflict(format!("the task is {}, not running on this worker", t.status))),
    };
    if worker.is_some_and(|w| w != holder) {
        return Err(AppError::conflict("the task is held by another worker"));
    }
    let owner: Uuid = workers::table.find(holder).select(workers::tenant_id).first(c).await?;
    if owner != tenant {
        return Err(AppError::not_found("render task"));
    }
    Ok(t)
}

async fn finish_attempt(
    c: &mut Conn,
    t: &TaskRow,
    worker: Uuid,
    outcome: &str,
    log: Option<&str>,
    core_seconds: f64,
) -> Result<(), AppError> {
    diesel::update(
        attempts::table.filter(
            attempts::task_id
                .eq(t.id)
                .and(attempts::worker_id.eq(worker))
                .and(attempts::finished_at.is_null()),
        ),
    )
    .set((
        attempts::finished_at.eq(Some(Utc::now())),
        attempts::outcome.eq(Some(outcome)),
        attempts::log_tail.eq(log),
        attempts::core_seconds.eq(core_seconds),
    ))
    .execute(c)
    .await?;
    Ok(())
}

/// After a failed or lost attempt: back to the queue, or (out of attempts) the task and its job fail.
async fn retry_or_fail(c: &mut Conn, t: &TaskRow, job: &JobRow) -> Result<TaskRow, AppError> {
    if t.attempts < job.max_attempts {
        return Ok(diesel::update(render_tasks::table.find(t.id))
            .set((render_tasks::status.eq("QUEUED"), render_tasks::worker_id.eq(None::<Uuid>)))
            .returning(TaskRow::as_returning())
            .get_result(c)
            .await?);
    }
    let failed: TaskRow = diesel::update(render_tasks::table.find(t.id))
        .set((render_tasks::status.eq("FAILED"), render_tasks::finished_at.eq(Some(Utc::now()))))
        .returning(TaskRow::as_returning())
        .get_result(c)
        .await?;
    if matches!(job.status.as_str(), "QUEUED" | "RUNNING" | "PAUSED") {
        diesel::update(render_tasks::table.filter(render_tasks::job_id.eq(job.id).and(render_tasks::status.eq("QUEUED"))))
            .set(render_tasks::status.eq("CANCELLED"))
            .execute(c)
            .await?;
        let j: JobRow = diesel::update(jobs::table.find(job.id))
            .set((
                jobs::status.eq("FAILED"),
                jobs::finished_at.eq(Some(Utc::now())),
                jobs::updated_at.eq(diesel::dsl::now),
            ))
            .returning(JobRow::as_returning())
            .get_result(c)
            .await?;
        let failed_frames: Vec<(i32, i32)> = render_tasks::table
            .filter(render_tasks::job_id.eq(j.id).and(render_tasks::status.eq("FAILED")))
            .order(render_tasks::frame_start)
            .select((render_tasks::frame_start, render_tasks::frame_end))
            .load(c)
            .await?;
        journal::publish(
            c,
            SUBGRAPH,
            j.tenant_id,
            None,
            None,
            "job",
            j.id,
            "failed",
            j.failure_payload(&failed_frames),
        )
        .await?;
    }
    Ok(failed)
}

async fn mark_idle_if_free(c: &mut Conn, worker: Uuid) -> Result<(), AppError> {
    let running: i64 = render_tasks::table
        .filter(render_tasks::worker_id.eq(worker).and(render_tasks::status.eq("RUNNING")))
        .count()
        .get_result(c)
        .await?;
    if running == 0 {
        diesel::update(workers::table.find(worker).filter(workers::status.eq("BUSY")))
            .set(workers::status.eq("IDLE"))
            .execute(c)
            .await?;
    }
    Ok(())
}

/// Requeues (or fails) the running tasks of a worker, recording the attempts as `outcome`.
async fn requeue_worker_tasks(c: &mut Conn, worker: Uuid, outcome: &str) -> Result<usize, AppError> {
    let held: Vec<TaskRow> = render_tasks::table
        .filter(render_tasks::worker_id.eq(worker).and(render_tasks::status.eq("RUNNING")))
        .for_update()
        .select(TaskRow::as_select())
        .load(c)
        .await?;
    for t in &held {
        finish_attempt(c, t, worker, outcome, None, 0.0).await?;
        let job: JobRow = jobs::table.find(t.job_id).for_update().select(JobRow::as_select()).first(c).await?;
        retry_or_fail(c, t, &job).await?;
    }
    Ok(held.len())
}

async fn sweep_offline(c: &mut Conn, timeout_secs: f64) -> Result<usize, AppError> {
    let cutoff = Utc::now() - chrono::Duration::milliseconds((timeout_secs * 1000.0) as i64);
    let stale: Vec<WorkerRow> = diesel::update(
        workers::table
            .filter(workers::status.eq_any(["IDLE", "BUSY"]))
            .filter(workers::last_heartbeat_at.lt(cutoff)),
    )
    .set(workers::status.eq("OFFLINE"))
    .returning(WorkerRow::as_returning())
    .get_results(c)
    .await?;
    for w in &stale {
        let requeued = requeue_worker_tasks(c, w.id, "LOST").await?;
        tracing::warn!(worker.id = %w.id, worker.hostname = %w.hostname, tasks.requeued = requeued, "Render worker went offline");
        journal::publish(
            c,
            SUBGRAPH,
            w.tenant_id,
            None,
            None,
            "worker",
            w.id,
            "offline",
            json!({"workerId": w.id, "hostname": w.hostname, "tasksRequeued": requeued}),
        )
        .await?;
    }
    Ok(stale.len())
}

async fn event(c: &mut Conn, job: &JobRow, name: &str) -> Result<(), AppError> {
    journal::publish(c, SUBGRAPH, job.tenant_id, None, None, "job", job.id, name, job.payload()).await?;
    Ok(())
}

fn tail(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    s[start..].to_owned()
}
