//! What the render subgraph consumes from the other subgraphs' events (docs/adr/0004-events.md,
//! docs/adr/0005-render-reactions.md): each consumer is a durable queue `render.<purpose>` with an
//! idempotent handler running in the event's tenant transaction after its inbox row.
//!
//! - `render.employees` (`hr.employee.*`): the employee replica; on `employee.offboarded` also
//!   the person's unfinished jobs ([`crate::offboarding`]).
//! - `render.projects` (`production.project.*`, `production.shot.*`): project settings and the
//!   shot -> project map ([`crate::replicas`]).
//! - `render.auto-render` (`production.version.published`): [`crate::auto_render`].

use events::{EventsRuntime, Handler, handler};
use futures::FutureExt as _;

use crate::{auto_render, offboarding, replicas};

/// Adds this subgraph's consumers to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime
        .consume("employees", employees_handler())
        .consume("projects", projects_handler())
        .consume("auto-render", auto_render_handler())
}

/// `render.employees`: the replica, then (offboarded) the person's jobs.
pub fn employees_handler() -> impl Handler {
    handler(|event, conn| {
        async move {
            if !matches!(
                event.event_type.as_str(),
                "employee.created" | "employee.updated" | "employee.offboarded"
            ) {
                return Ok(());
            }
            replicas::apply_employee(conn, event).await?;
            if event.event_type == "employee.offboarded" {
                offboarding::handle(conn, event).await?;
            }
            Ok(())
        }
        .boxed()
    })
}

/// `render.projects`: project settings and shot -> project.
pub fn projects_handler() -> impl Handler {
    handler(|event, conn| {
        async move {
            match event.event_type.as_str() {
                "project.created" | "project.updated" => {
                    replicas::apply_project(conn, event).await?;
                }
                "shot.created" | "shot.updated" => replicas::apply_shot(conn, event).await?,
                _ => {}
            }
            Ok(())
        }
        .boxed()
    })
}

/// `render.auto-render`: a job per qualifying published version.
pub fn auto_render_handler() -> impl Handler {
    handler(|event, conn| {
        async move {
            if event.event_type == "version.published" {
                auto_render::handle(conn, event).await?;
            }
            Ok(())
        }
        .boxed()
    })
}
