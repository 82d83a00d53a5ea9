//! Render's job results: an output version and PENDING_REVIEW on success, a note on failure.

use events::EventsRuntime;

/// Adds this module's consumers to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime
}
