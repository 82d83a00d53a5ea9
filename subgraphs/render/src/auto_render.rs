//! production `version.published` on a LIGHTING or RENDERING task of a project with auto-render
//! -> a render job for the shot's frame range, submitted by the publisher (`submitRenderJob`'s
//! code).
//!
//! - Pool: [`DEFAULT_POOL`] (`cpu`, what `submitRenderJob` uses when none is named; the demo
//!   farm's CPU pool, where every tenant has a quota); when the farm has no such pool, the pool
//!   where the tenant has the largest quota. No pool at all: nothing is submitted (logged).
//! - Command: [`COMMAND_TEMPLATE`] with `{scene}` = the version's path, single-quoted for `sh`;
//!   the agent substitutes `{frame_start}`/`{frame_end}` per chunk.
//! - Frames: the shot's range (`shotFrameStart`/`shotFrameEnd`), else the version's.
//! - Once per version: the job row carries `version_id` (unique per tenant) on top of the
//!   consumer's inbox, so a duplicate of the event, or the same version re-published by another
//!   relay, submits nothing new.
//! - Versions of asset tasks (no shot) or without any frame range submit nothing.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use events::Envelope;
use platform::{AppError, Conn, Principal};
use serde::Deserialize;
use uuid::Uuid;

use crate::jobs::{DEFAULT_CHUNK_SIZE, DEFAULT_MAX_ATTEMPTS, DEFAULT_POOL, DEFAULT_PRIORITY, JobSpec, insert_job};
use crate::model::JobRow;
use crate::replicas::{parse, remember_shot};
use crate::schema::{jobs, pool_quotas, pools};

/// Task types whose published versions are rendered.
pub const RENDERED_TASK_TYPES: &[&str] = &["LIGHTING", "RENDERING"];

/// The command of an auto-render job: `{scene}` is the published path (quoted);
/// `{frame_start}`/`{frame_end}` are left for the agent.
pub const COMMAND_TEMPLATE: &str = "studiograph-render --scene {scene} --start {frame_start} --end {frame_end}";

/// What render reads from production's `version.published` payload.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Published {
    task_id: Uuid,
    #[serde(default)]
    task_name: Option<String>,
    task_type: String,
    number: i32,
    path: String,
    project_id: Uuid,
    shot_id: Option<Uuid>,
    #[serde(default)]
    shot_code: Option<String>,
    #[serde(default)]
    shot_frame_start: Option<i32>,
    #[serde(default)]
    shot_frame_end: Option<i32>,
    frame_start: Option<i32>,
    frame_end: Option<i32>,
    #[serde(default)]
    auto_render: bool,
    created_by: Option<Uuid>,
}

/// Quotes `s` as one `sh` word.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The command of an auto-render job for a version at `path`.
pub fn command_for(path: &str) -> String {
    COMMAND_TEMPLATE.replace("{scene}", &sh_quote(path))
}

/// Handles one `production.version.published`: submits the job (returned) or does nothing.
pub async fn handle(c: &mut Conn, event: &Envelope) -> Result<Option<JobRow>, AppError> {
    let v: Published = parse(event)?;
    let version_id = event.aggregate_id;
    if let Some(shot) = v.shot_id {
        remember_shot(c, event.tenant_id, shot, v.project_id).await?;
    }
    if !v.auto_render || !RENDERED_TASK_TYPES.contains(&v.task_type.as_str()) {
        return Ok(None);
    }
    let Some(shot) = v.shot_id else {
        tracing::info!(version.id = %version_id, "Auto-render skipped: the task has no shot");
        return Ok(None);
    };
    let (Some(frame_start), Some(frame_end)) = (v.shot_frame_start.or(v.frame_start), v.shot_frame_end.or(v.frame_end)) else {
        tracing::warn!(version.id = %version_id, "Auto-render skipped: no frame range");
        return Ok(None);
    };
    let existing: Option<Uuid> = jobs::table
        .filter(jobs::version_id.eq(version_id))
        .select(jobs::id)
        .first(c)
        .await
        .optional()?;
    if existing.is_some() {
        return Ok(None);
    }
    let Some(pool) = choose_pool(c).await? else {
        tracing::error!(version.id = %version_id, "Auto-render skipped: the farm has no pool");
        return Ok(None);
    };
    let label = v.shot_code.unwrap_or_else(|| shot.to_string());
    let task = v.task_name.unwrap_or(v.task_type);
    let mut name = format!("auto {label} {task} v{:03}", v.number);
    while name.len() > 200 {
        name.pop();
    }
    let spec = JobSpec {
        name,
        shot_id: Some(shot),
        task_id: Some(v.task_id),
        version_id: Some(version_id),
        frame_start,
        frame_end,
        chunk_size: DEFAULT_CHUNK_SIZE,
        priority: DEFAULT_PRIORITY,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
        pool,
        command: command_for(&v.path),
    };
    let spec = match spec.checked() {
        Ok(spec) => spec,
        Err(e) => {
            tracing::warn!(version.id = %version_id, reason = e.message(), "Auto-render skipped: the job would be invalid");
            return Ok(None);
        }
    };
    let publisher = Principal {
        employee_id: v.created_by,
        ..event.principal()
    };
    let job = insert_job(c, &publisher, &spec).await?;
    tracing::info!(version.id = %version_id, job.id = %job.id, "Auto-render job submitted");
    Ok(Some(job))
}

/// [`DEFAULT_POOL`] when the farm has it, else the pool of the tenant's largest quota.
async fn choose_pool(c: &mut Conn) -> Result<Option<String>, AppError> {
    let default: Option<String> = pools::table
        .filter(pools::name.eq(DEFAULT_POOL))
        .select(pools::name)
        .first(c)
        .await
        .optional()?;
    if default.is_some() {
        return Ok(default);
    }
    Ok(pool_quotas::table
        .inner_join(pools::table.on(pools::id.eq(pool_quotas::pool_id)))
        .order((pool_quotas::max_cores.desc(), pools::name))
        .select(pools::name)
        .first(c)
        .await
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_one_shell_word() {
        assert_eq!(
            command_for("/shows/sky/it's v2.usd"),
            r"studiograph-render --scene '/shows/sky/it'\''s v2.usd' --start {frame_start} --end {frame_end}"
        );
    }
}
