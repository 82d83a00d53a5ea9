//! Versions: `publishVersion` (what Maya scripts call) numbers versions 1, 2, 3… per task with
//! no gap or duplicate under concurrency (the task row's counter is incremented under its row
//! lock), replays an `idempotencyKey`, and moves the task to PENDING_REVIEW; `reviewVersion`
//! approves or asks for a retake.

use async_graphql::{Context, ID, InputObject, Object};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::{RoleGuard, ScopeGuard, principal};
use platform::idempotency::Idempotent;
use platform::journal::{self, Change};
use platform::scalars::parse_id;
use platform::{AppError, Db, ErrorCode, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::loaders::Loaders;
use crate::model::*;
use crate::objects::Version;
use crate::schema::{projects, shots, tasks, versions};
use crate::tasks::{add_note, is_manager, lock_task, set_task_status};
use crate::{MANAGERS, SUBGRAPH};

/// Input of `publishVersion`.
#[derive(InputObject, Serialize)]
pub struct PublishVersionInput {
    /// The task.
    pub task_id: ID,
    /// Where the files are (path or URI).
    pub path: String,
    /// What changed.
    pub comment: Option<String>,
    /// First frame, for image sequences.
    pub frame_start: Option<i32>,
    /// Last frame.
    pub frame_end: Option<i32>,
    /// A retried publish with the same key returns the first version.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// The payload of `production.version.published`: everything render's auto-render needs without
/// calling back (issue 6). `autoRender` is the project's setting; `rendersOnFarm` says whether
/// the task type renders (LIGHTING, RENDERING); `shotFrameStart`/`shotFrameEnd` are the shot's
/// range (the version's own `frameStart`/`frameEnd` may be null); `createdBy` is the publisher's
/// employee id (the envelope's `actorUserId` their user).
async fn published_payload(c: &mut platform::Conn, task: &TaskRow, row: &VersionRow) -> Result<serde_json::Value, AppError> {
    let auto_render: bool = projects::table.find(task.project_id).select(projects::auto_render).first(c).await?;
    let shot: Option<(String, i32, i32)> = match task.shot_id {
        Some(id) => shots::table
            .find(id)
            .select((shots::code, shots::frame_start, shots::frame_end))
            .first(c)
            .await
            .optional()?,
        None => None,
    };
    Ok(json!({
        "versionId": row.id, "taskId": task.id, "taskName": task.name, "number": row.number, "path": row.path,
        "comment": row.comment, "projectId": task.project_id, "shotId": task.shot_id, "assetId": task.asset_id,
        "taskType": task.task_type, "frameStart": row.frame_start, "frameEnd": row.frame_end, "createdBy": row.created_by,
        "shotCode": shot.as_ref().map(|s| &s.0), "shotFrameStart": shot.as_ref().map(|s| s.1),
        "shotFrameEnd": shot.as_ref().map(|s| s.2), "autoRender": auto_render, "rendersOnFarm": task.task_type().renders(),
    }))
}

/// Version queries.
#[derive(Default)]
pub struct VersionQuery;

#[Object]
impl VersionQuery {
    /// One version, or null.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn version(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Version>, AppError> {
        Ok(Loaders::of(ctx)?.versions.load_one(parse_id(&id)?).await?.map(Version))
    }

    /// Federation: `Version` by id.
    #[graphql(entity)]
    async fn find_version_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Version>, AppError> {
        let Ok(id) = parse_id(&id) else { return Ok(None) };
        Ok(Loaders::of(ctx)?.versions.load_one(id).await?.map(Version))
    }
}

/// Version mutations.
#[derive(Default)]
pub struct VersionMutation;

#[Object]
impl VersionMutation {
    /// Publishes the next version of a task (its assignee, or a supervisor) and puts the task up
    /// for review.
    #[graphql(guard = "ScopeGuard(\"production:write\")")]
    async fn publish_version(&self, ctx: &Context<'_>, input: PublishVersionInput) -> Result<Version, AppError> {
        let p = principal(ctx)?.clone();
        let task_id = parse_id(&input.task_id)?;
        let path = input.path.trim().to_owned();
        if path.is_empty() || path.len() > 1024 {
            return Err(AppError::bad_input("path must be 1 to 1024 characters"));
        }
        if let (Some(a), Some(b)) = (input.frame_start, input.frame_end)
            && b < a
        {
            return Err(AppError::bad_input("frameEnd is before frameStart"));
        }
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) =
                        Idempotent::begin(c, p.tenant_id, "publishVersion", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok(versions::table.find(id).select(VersionRow::as_select()).first(c).await?);
                    }
                    // The row lock serializes publishes on one task: numbers are consecutive.
                    let task = lock_task(c, task_id).await?;
                    let is_assignee = task.assignee_id.is_some() && task.assignee_id == p.employee_id;
                    if !is_assignee && !is_manager(&p) {
                        return Err(AppError::forbidden("only the task's assignee or a supervisor may publish"));
                    }
                    let status = task.status();
                    if !matches!(
                        status,
                        TaskStatus::Ready | TaskStatus::InProgress | TaskStatus::Retake | TaskStatus::PendingReview
                    ) {
                        return Err(AppError::new(
                            ErrorCode::TransitionNotAllowed,
                            format!("cannot publish on a task that is {}", task.status),
                        ));
                    }
                    let number: i32 = diesel::update(tasks::table.find(task_id))
                        .set(tasks::version_count.eq(tasks::version_count + 1))
                        .returning(tasks::version_count)
                        .get_result(c)
                        .await?;
                    let row: VersionRow = diesel::insert_into(versions::table)
                        .values((
                            versions::id.eq(Uuid::new_v4()),
                            versions::tenant_id.eq(p.tenant_id),
                            versions::task_id.eq(task_id),
                            versions::number.eq(number),
                            versions::path.eq(&path),
                            versions::comment.eq(&input.comment),
                            versions::created_by.eq(p.employee_id),
                            versions::created_by_user.eq(Some(p.user_id)),
                            versions::frame_start.eq(input.frame_start),
                            versions::frame_end.eq(input.frame_end),
                        ))
                        .returning(VersionRow::as_returning())
                        .get_result(c)
                        .await?;
                    let payload = published_payload(c, &task, &row).await?;
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "version",
                            aggregate_id: row.id,
                            event: "published",
                            before: None,
                            after: Some(json!(row)),
                            payload,
                        },
                    )
                    .await?;
                    if status != TaskStatus::PendingReview {
                        set_task_status(c, &p, &task, TaskStatus::PendingReview, Some("version published")).await?;
                    }
                    idem.finish(c, row.id).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Version(row))
    }

    /// Approves a version (task APPROVED, downstream tasks released) or asks for a retake (task
    /// RETAKE), with a review note.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn review_version(&self, ctx: &Context<'_>, version_id: ID, approve: bool, comment: Option<String>) -> Result<Version, AppError> {
        let p = principal(ctx)?.clone();
        let version_id = parse_id(&version_id)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let task_id: Uuid = versions::table.find(version_id).select(versions::task_id).first(c).await.optional()?.ok_or_else(|| AppError::not_found("version"))?;
                    let task = lock_task(c, task_id).await?;
                    let before: VersionRow = versions::table.find(version_id).select(VersionRow::as_select()).first(c).await?;
                    if before.status != VersionStatus::PendingReview.as_str() {
                        return Err(AppError::new(ErrorCode::TransitionNotAllowed, format!("version is {}, not PENDING_REVIEW", before.status)));
                    }
                    let status = if approve { VersionStatus::Approved } else { VersionStatus::Retake };
                    let after: VersionRow = diesel::update(versions::table.find(version_id))
                        .set((versions::status.eq(status.as_str()), versions::reviewed_by.eq(Some(p.user_id)), versions::reviewed_at.eq(Some(chrono::Utc::now()))))
                        .returning(VersionRow::as_returning())
                        .get_result(c)
                        .await?;
                    let verdict = if approve { "Approved" } else { "Retake requested" };
                    let body = match comment.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                        Some(t) => format!("{verdict} v{:03}: {t}", after.number),
                        None => format!("{verdict} v{:03}", after.number),
                    };
                    add_note(c, &p, task_id, Some(version_id), NoteKind::Review, &body).await?;
                    let payload = json!({"versionId": version_id, "taskId": task_id, "number": after.number, "approved": approve, "comment": comment});
                    journal::record(c, SUBGRAPH, &p, Change { aggregate: "version", aggregate_id: version_id, event: "reviewed", before: Some(json!(before)), after: Some(json!(after)), payload }).await?;
                    // Only a review of the latest version moves the task.
                    if after.number == task.version_count && task.status() == TaskStatus::PendingReview {
                        let to = if approve { TaskStatus::Approved } else { TaskStatus::Retake };
                        set_task_status(c, &p, &task, to, comment.as_deref()).await?;
                    }
                    Ok(after)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Version(row))
    }
}
