//! Render's job results (issue 6, flow 5; queue `production.render-results`):
//!
//! - `render.job.succeeded` attaches the job's output to its task as the next version (path
//!   `render://jobs/<job id>`, the job's frame range, created by the job's submitter) and moves
//!   the task to PENDING_REVIEW. That is a system transition: it applies from any open status,
//!   whatever the workflow lets a person do, but an APPROVED task is never moved back (it just
//!   gets the version). The version is announced as `version.rendered`, not `version.published`,
//!   so that auto-render never resubmits its own output.
//! - `render.job.failed` adds a system note to the task (job name and id, failed frames).
//!
//! Jobs without a task, and tasks that no longer exist, are no-ops. A succeeded job already
//! attached (a duplicate publication) attaches nothing more.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use events::{Envelope, EventsRuntime, Handler};
use futures::FutureExt as _;
use platform::journal::{self, Change};
use platform::{AppError, Conn, Principal};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::SUBGRAPH;
use crate::model::{NoteKind, TaskRow, TaskStatus, VersionRow};
use crate::people_sync::payload;
use crate::schema::{tasks, versions};
use crate::tasks::{add_note, set_task_status};

/// Adds the `render-results` consumer to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime.consume("render-results", render_results_handler())
}

/// The handler of `production.render-results` (public for tests that feed it envelopes directly).
pub fn render_results_handler() -> impl Handler {
    events::handler(|event, conn| on_job(event, conn).boxed())
}

/// The path of the version a render job's output becomes.
pub fn output_path(job: Uuid) -> String {
    format!("render://jobs/{job}")
}

/// The part of render's job payload production uses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobEvent {
    job_id: Uuid,
    name: String,
    task_id: Option<Uuid>,
    frame_start: Option<i32>,
    frame_end: Option<i32>,
    submitted_by: Option<Uuid>,
    submitted_by_user: Option<Uuid>,
    #[serde(default)]
    failed_frames: Vec<FrameRange>,
}

/// Frames `start..=end`.
#[derive(Deserialize)]
struct FrameRange {
    start: i32,
    end: i32,
}

async fn on_job(event: &Envelope, c: &mut Conn) -> Result<(), AppError> {
    let succeeded = match event.event_type.as_str() {
        "job.succeeded" => true,
        "job.failed" => false,
        _ => return Ok(()),
    };
    let job: JobEvent = payload(event)?;
    let Some(task_id) = job.task_id else {
        return Ok(());
    };
    let task: Option<TaskRow> = tasks::table
        .find(task_id)
        .for_update()
        .select(TaskRow::as_select())
        .first(c)
        .await
        .optional()?;
    let Some(task) = task else {
        tracing::info!(job.id = %job.job_id, task.id = %task_id, "Render job result for an unknown task; ignored");
        return Ok(());
    };
    let p = event.principal();
    if succeeded {
        attach_output(c, &p, &task, &job).await
    } else {
        note_failure(c, &p, &task, &job).await
    }
}

async fn attach_output(c: &mut Conn, p: &Principal, task: &TaskRow, job: &JobEvent) -> Result<(), AppError> {
    let path = output_path(job.job_id);
    let attached: i64 = versions::table
        .filter(versions::task_id.eq(task.id))
        .filter(versions::path.eq(&path))
        .count()
        .get_result(c)
        .await?;
    if attached > 0 {
        return Ok(());
    }
    let number: i32 = diesel::update(tasks::table.find(task.id))
        .set(tasks::version_count.eq(tasks::version_count + 1))
        .returning(tasks::version_count)
        .get_result(c)
        .await?;
    let comment = format!("Rendered by job \"{}\"", job.name);
    let row: VersionRow = diesel::insert_into(versions::table)
        .values((
            versions::id.eq(Uuid::new_v4()),
            versions::tenant_id.eq(task.tenant_id),
            versions::task_id.eq(task.id),
            versions::number.eq(number),
            versions::path.eq(&path),
            versions::comment.eq(Some(&comment)),
            versions::created_by.eq(job.submitted_by),
            versions::created_by_user.eq(job.submitted_by_user),
            versions::frame_start.eq(job.frame_start),
            versions::frame_end.eq(job.frame_end),
        ))
        .returning(VersionRow::as_returning())
        .get_result(c)
        .await?;
    let payload = json!({
        "versionId": row.id, "taskId": task.id, "taskName": task.name, "number": number, "path": row.path,
        "comment": row.comment, "projectId": task.project_id, "shotId": task.shot_id, "assetId": task.asset_id,
        "taskType": task.task_type, "frameStart": row.frame_start, "frameEnd": row.frame_end,
        "createdBy": row.created_by, "renderJobId": job.job_id,
    });
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "version",
            aggregate_id: row.id,
            event: "rendered",
            before: None,
            after: Some(json!(row)),
            payload,
        },
    )
    .await?;
    if !matches!(task.status(), TaskStatus::Approved | TaskStatus::PendingReview) {
        let before = TaskRow {
            version_count: number,
            ..task.clone()
        };
        let why = format!("render job \"{}\" succeeded", job.name);
        set_task_status(c, p, &before, TaskStatus::PendingReview, Some(&why)).await?;
    }
    tracing::info!(job.id = %job.job_id, task.id = %task.id, version.number = number, "Attached a render job's output");
    Ok(())
}

async fn note_failure(c: &mut Conn, p: &Principal, task: &TaskRow, job: &JobEvent) -> Result<(), AppError> {
    let mut body = format!("Render job \"{}\" ({}) failed", job.name, job.job_id);
    if !job.failed_frames.is_empty() {
        let frames: Vec<String> = job
            .failed_frames
            .iter()
            .map(|f| {
                if f.start == f.end {
                    f.start.to_string()
                } else {
                    format!("{}-{}", f.start, f.end)
                }
            })
            .collect();
        body.push_str(&format!("; failed frames: {}", frames.join(", ")));
    }
    body.push('.');
    add_note(c, p, task.id, None, NoteKind::System, &body).await?;
    Ok(())
}
