//! The studio-wide event log behind the `events` subscription, fed by every subgraph's events.

use events::EventsRuntime;

/// Adds this module's consumers to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime
}
