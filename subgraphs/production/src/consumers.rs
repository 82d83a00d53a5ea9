//! What the production subgraph consumes from the other subgraphs' events (docs/adr/0004-events.md):
//! each consumer is a durable queue `production.<purpose>` (see `events::catalog`) with an
//! idempotent handler.

use events::EventsRuntime;

/// Adds this subgraph's consumers to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    let runtime = crate::people_sync::register(runtime);
    let runtime = crate::render_results::register(runtime);
    crate::event_log::register(runtime)
}
