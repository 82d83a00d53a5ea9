//! What the hr subgraph consumes from the other subgraphs' events (docs/adr/0004-events.md):
//! each consumer is a durable queue `hr.<purpose>` with an idempotent handler.
//!
//! - `hr.timesheets` (`production.timelog.*`): time logs become timesheet entries, one per log
//!   ([`crate::timesheets::apply_time_log`]); a closed month keeps the change aside instead of
//!   failing, an unknown employee is ignored.

use events::{EventsRuntime, Handler, handler};
use futures::FutureExt as _;

use crate::timesheets::{TimeLogChange, TimeLogOutcome, apply_time_log};

/// Adds this subgraph's consumers to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime.consume("timesheets", timesheets_handler())
}

/// `hr.timesheets`: a time log's current hours into its timesheet entry.
pub fn timesheets_handler() -> impl Handler {
    handler(|event, conn| {
        async move {
            if !matches!(event.event_type.as_str(), "timelog.created" | "timelog.updated") {
                return Ok(());
            }
            let log: TimeLogChange = serde_json::from_value(event.payload.clone()).map_err(|e| {
                platform::AppError::bad_input(format!("{} payload of event {} does not fit: {e}", event.routing_key, event.id))
            })?;
            let outcome = apply_time_log(conn, event.tenant_id, event.seq, &log).await?;
            match outcome {
                TimeLogOutcome::Applied | TimeLogOutcome::Stale => {}
                TimeLogOutcome::Held => tracing::info!(
                    event.id = %event.id, time_log.id = %log.time_log_id,
                    "Time log change for a closed month kept as a held change"
                ),
                TimeLogOutcome::Ignored => tracing::warn!(
                    event.id = %event.id, time_log.id = %log.time_log_id,
                    "Time log of an unknown employee or out of range; ignored"
                ),
            }
            Ok(())
        }
        .boxed()
    })
}
