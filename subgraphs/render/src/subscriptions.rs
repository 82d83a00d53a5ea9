//! Render's subscription: `renderJobChanged`, from this replica's live feed (RabbitMQ)
//! (docs/adr/0004-events.md, "Subscriptions").

use async_graphql::{Context, ID, SimpleObject, Subscription};
use events::{Envelope, LiveFeed};
use futures::Stream;
use platform::auth::{ScopeGuard, principal};
use platform::scalars::parse_id;
use platform::{AppError, Db, ScopedFutureExt};
use uuid::Uuid;

use crate::model::JobRow;
use crate::objects::RenderJob;
use crate::schema::jobs;

/// Routing keys this subgraph's live feed is bound to.
pub const LIVE_BINDINGS: &[&str] = &["render.job.*"];

/// A change to a render job.
#[derive(SimpleObject)]
pub struct RenderJobEvent {
    /// The event's name: SUBMITTED, STARTED, PROGRESSED (a frame chunk finished), SUCCEEDED,
    /// FAILED, CANCELLED, RETRIED, PAUSED, RESUMED, REPRIORITIZED, … (upper snake case of
    /// `job.<event>`; new events add values).
    pub kind: String,
    /// The job as it is now.
    pub job: RenderJob,
}

/// The root subscription.
#[derive(Default)]
pub struct RenderSubscription;

#[Subscription(name = "Subscription")]
impl RenderSubscription {
    /// Changes to the caller's tenant's render jobs (one job's with `jobId`, one shot's with
    /// `shotId`), live, including progress as frame chunks finish; each event carries the job as
    /// it is now; jobs the caller may not see are skipped.
    #[graphql(guard = "ScopeGuard(\"render:read\")")]
    async fn render_job_changed(
        &self,
        ctx: &Context<'_>,
        job_id: Option<ID>,
        shot_id: Option<ID>,
    ) -> Result<impl Stream<Item = RenderJobEvent> + use<>, AppError> {
        let tenant = principal(ctx)?.tenant_id;
        let filter = JobFilter {
            tenant,
            job: job_id.as_ref().map(parse_id).transpose()?,
            shot: shot_id.as_ref().map(parse_id).transpose()?,
        };
        let db = ctx.data_unchecked::<Db>().clone();
        let feed = ctx.data_unchecked::<LiveFeed>();
        Ok(events::live::follow(feed.subscribe(), move |event| {
            let db = db.clone();
            async move { job_event(&db, filter, &event).await }
        }))
    }
}

/// What a subscriber asked for.
#[derive(Clone, Copy)]
struct JobFilter {
    tenant: Uuid,
    job: Option<Uuid>,
    shot: Option<Uuid>,
}

/// The job of a `render.job.*` event matching `filter`, as the tenant sees it now.
async fn job_event(db: &Db, filter: JobFilter, event: &Envelope) -> Option<RenderJobEvent> {
    // Imported here: in the module's scope it would shadow what `#[Subscription]` generates.
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    if event.tenant_id != filter.tenant || event.aggregate_type != "job" {
        return None;
    }
    if filter.job.is_some_and(|j| j != event.aggregate_id) {
        return None;
    }
    if let (Some(shot), Some(given)) = (filter.shot, event.payload.get("shotId"))
        && given.as_str() != Some(shot.to_string().as_str())
    {
        return None;
    }
    let id = event.aggregate_id;
    let row = db
        .tx(filter.tenant, |c| {
            async move { Ok(jobs::table.find(id).select(JobRow::as_select()).first(c).await.optional()?) }.scope_boxed()
        })
        .await;
    match row {
        Ok(Some(row)) if filter.shot.is_none_or(|s| row.shot_id == Some(s)) => Some(RenderJobEvent {
            kind: events::live::kind(&event.event_type),
            job: RenderJob(row),
        }),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(job.id = %id, error.code = error.code().as_str(), "renderJobChanged could not load the job; event skipped");
            None
        }
    }
}
