//! The platform's consumer queues in one place. Every relay declares all of them (idempotently)
//! before it publishes, so an event is never unroutable because its consumer's service has not
//! started yet: whichever service starts first creates the whole topology.

/// One durable consumer queue: `<subgraph>.<purpose>`, bound to routing-key patterns.
#[derive(Clone, Copy, Debug)]
pub struct CatalogQueue {
    /// The consuming subgraph.
    pub subgraph: &'static str,
    /// What the queue is for.
    pub purpose: &'static str,
    /// Routing-key patterns (`<subgraph>.<aggregate>.<event>`, `*` and `#` wildcards).
    pub bindings: &'static [&'static str],
}

/// Every consumer queue of the platform.
pub const QUEUES: &[CatalogQueue] = &[
    // HR: production's time logs become timesheet hours.
    CatalogQueue {
        subgraph: "hr",
        purpose: "timesheets",
        bindings: &["production.timelog.*"],
    },
    // Production: the employee replica and offboarding.
    CatalogQueue {
        subgraph: "production",
        purpose: "employees",
        bindings: &["hr.employee.*"],
    },
    // Production: tasks at risk from approved leave.
    CatalogQueue {
        subgraph: "production",
        purpose: "leave",
        bindings: &["hr.leave.*"],
    },
    // Production: render results become versions and notes.
    CatalogQueue {
        subgraph: "production",
        purpose: "render-results",
        bindings: &["render.job.succeeded", "render.job.failed"],
    },
    // Production: the studio-wide event log behind the `events` subscription.
    CatalogQueue {
        subgraph: "production",
        purpose: "event-log",
        bindings: &["#"],
    },
    // Render: the employee replica and offboarding (re-own or cancel queued jobs).
    CatalogQueue {
        subgraph: "render",
        purpose: "employees",
        bindings: &["hr.employee.*"],
    },
    // Render: the project settings it needs (supervisor, offboarding policy) and which project
    // each shot belongs to.
    CatalogQueue {
        subgraph: "render",
        purpose: "projects",
        bindings: &["production.project.*", "production.shot.*"],
    },
    // Render: auto-render on published lighting/rendering versions.
    CatalogQueue {
        subgraph: "render",
        purpose: "auto-render",
        bindings: &["production.version.published"],
    },
];

/// The catalog entry of `<subgraph>.<purpose>`.
pub fn find(subgraph: &str, purpose: &str) -> Option<&'static CatalogQueue> {
    QUEUES.iter().find(|q| q.subgraph == subgraph && q.purpose == purpose)
}
