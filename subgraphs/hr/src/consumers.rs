//! What the hr subgraph consumes from the other subgraphs' events (docs/adr/0004-events.md):
//! each consumer is a durable queue `hr.<purpose>` with an idempotent handler.

use events::EventsRuntime;

/// Adds this subgraph's consumers to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime
}
