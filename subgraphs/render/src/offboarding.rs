//! HR `employee.offboarded` -> the person's unfinished render jobs (QUEUED, RUNNING, PAUSED,
//! `submitted_by` = them) are re-owned by their project's supervisor or cancelled, as the
//! project's `offboardRenderJobs` setting says.
//!
//! A job's project is its shot's (the shot -> project map fed by production's events). A job is
//! cancelled when its project is unknown to render (no shot, or a shot render never heard of),
//! when the project has no supervisor, when the supervisor is the person leaving or is known to be
//! offboarded too, and of course when the project says CANCEL. Cancelling is `cancelRenderJob`'s
//! code (queued and running chunks cancelled); re-owning keeps the job running as it was. Each
//! change is audited as the user who offboarded the person and emits `render.job.reassigned` or
//! `render.job.cancelled` (payload `reason`).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use events::Envelope;
use platform::journal::{self, Change};
use platform::{AppError, Conn, Principal};
use serde_json::json;
use uuid::Uuid;

use crate::SUBGRAPH;
use crate::jobs::cancel_job;
use crate::model::JobRow;
use crate::replicas::{ProjectSettings, employee_status, projects_of_shots};
use crate::schema::jobs;

/// Why a job was cancelled or re-owned (the event payload's `reason`).
pub const REASON: &str = "submitter offboarded";

/// What becomes of one job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Re-owned by this employee (the project's supervisor).
    Reassign(Uuid),
    /// Cancelled.
    Cancel,
}

/// What happened to the person's jobs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Jobs re-owned.
    pub reassigned: Vec<Uuid>,
    /// Jobs cancelled.
    pub cancelled: Vec<Uuid>,
}

/// The fate of a job of `leaving` on a project with `settings` (None: unknown project), given
/// whether the supervisor is known to be offboarded.
pub fn fate(leaving: Uuid, settings: Option<&ProjectSettings>, supervisor_offboarded: bool) -> Fate {
    match settings {
        Some(s) if s.offboard_render_jobs == "REASSIGN_TO_SUPERVISOR" => match s.supervisor_id {
            Some(sup) if sup != leaving && !supervisor_offboarded => Fate::Reassign(sup),
            _ => Fate::Cancel,
        },
        _ => Fate::Cancel,
    }
}

/// Re-owns or cancels every unfinished job submitted by the employee of `event`, as the user who
/// caused the event. Jobs already finished (or re-owned by an earlier delivery) are not touched.
pub async fn handle(c: &mut Conn, event: &Envelope) -> Result<Report, AppError> {
    let leaving = event.aggregate_id;
    let who = event.principal();
    let open: Vec<JobRow> = jobs::table
        .filter(jobs::submitted_by.eq(leaving))
        .filter(jobs::status.eq_any(["QUEUED", "RUNNING", "PAUSED"]))
        .order((jobs::created_at, jobs::id))
        .for_update()
        .select(JobRow::as_select())
        .load(c)
        .await?;
    if open.is_empty() {
        return Ok(Report::default());
    }
    let shots: Vec<Uuid> = open.iter().filter_map(|j| j.shot_id).collect();
    let projects: HashMap<Uuid, ProjectSettings> = projects_of_shots(c, &shots).await?.into_iter().collect();
    let mut supervisor_gone: HashMap<Uuid, bool> = HashMap::new();
    for sup in projects.values().filter_map(|s| s.supervisor_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = supervisor_gone.entry(sup) {
            e.insert(employee_status(c, sup).await?.as_deref() == Some("OFFBOARDED"));
        }
    }
    let mut report = Report::default();
    for job in &open {
        let settings = job.shot_id.and_then(|s| projects.get(&s));
        let gone = settings
            .and_then(|s| s.supervisor_id)
            .is_some_and(|sup| supervisor_gone.get(&sup).copied().unwrap_or(false));
        debug_assert!(job.status().is_unfinished());
        match fate(leaving, settings, gone) {
            Fate::Reassign(to) => {
                reassign(c, &who, job, to).await?;
                report.reassigned.push(job.id);
            }
            Fate::Cancel => {
                cancel_job(c, &who, job, Some(REASON)).await?;
                report.cancelled.push(job.id);
            }
        }
    }
    tracing::info!(
        employee.id = %leaving, reassigned = report.reassigned.len(), cancelled = report.cancelled.len(),
        "Handled an offboarded submitter's render jobs"
    );
    Ok(report)
}

/// Makes `to` the submitter of a locked job and records `render.job.reassigned`.
async fn reassign(c: &mut Conn, who: &Principal, before: &JobRow, to: Uuid) -> Result<JobRow, AppError> {
    let after: JobRow = diesel::update(jobs::table.find(before.id))
        .set((jobs::submitted_by.eq(Some(to)), jobs::updated_at.eq(diesel::dsl::now)))
        .returning(JobRow::as_returning())
        .get_result(c)
        .await?;
    let mut payload = after.payload();
    payload["previousSubmittedBy"] = json!(before.submitted_by);
    payload["reason"] = json!(REASON);
    journal::record(
        c,
        SUBGRAPH,
        who,
        Change {
            aggregate: "job",
            aggregate_id: after.id,
            event: "reassigned",
            before: Some(json!(before)),
            after: Some(json!(after)),
            payload,
        },
    )
    .await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RenderJobStatus;

    fn settings(policy: &str, supervisor: Option<Uuid>) -> ProjectSettings {
        ProjectSettings {
            id: Uuid::new_v4(),
            supervisor_id: supervisor,
            offboard_render_jobs: policy.into(),
        }
    }

    #[test]
    fn fate_follows_the_project_setting() {
        let (leaving, sup) = (Uuid::new_v4(), Uuid::new_v4());
        let reassign = settings("REASSIGN_TO_SUPERVISOR", Some(sup));
        assert_eq!(fate(leaving, Some(&reassign), false), Fate::Reassign(sup));
        assert_eq!(fate(leaving, Some(&reassign), true), Fate::Cancel, "supervisor offboarded too");
        assert_eq!(fate(leaving, Some(&settings("CANCEL", Some(sup))), false), Fate::Cancel);
        assert_eq!(fate(leaving, Some(&settings("REASSIGN_TO_SUPERVISOR", None)), false), Fate::Cancel);
        assert_eq!(
            fate(leaving, Some(&settings("REASSIGN_TO_SUPERVISOR", Some(leaving))), false),
            Fate::Cancel,
            "the supervisor is the one leaving"
        );
        assert_eq!(fate(leaving, None, false), Fate::Cancel, "unknown project");
        assert!(RenderJobStatus::Paused.is_unfinished() && !RenderJobStatus::Cancelled.is_unfinished());
    }
}
