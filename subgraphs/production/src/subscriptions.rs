//! Production's subscriptions: `taskChanged` from this replica's live feed (RabbitMQ), and
//! `events`, the tenant's resumable event log (docs/adr/0004-events.md, "Subscriptions").

use std::collections::VecDeque;

use async_graphql::{Context, ID, Json, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use events::{Envelope, LiveFeed};
use futures::Stream;
use platform::auth::{ScopeGuard, principal};
use platform::pagination::{decode_cursor, encode_cursor};
use platform::scalars::{parse_id, to_id};
use platform::{AppError, Db, Role, ScopedFutureExt};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::event_log::{self, EventFilter, EventLogListener, LoggedEvent, Signal};
use crate::model::TaskRow;
use crate::objects::Task;
use crate::schema::tasks;

/// Routing keys this subgraph's live feed is bound to.
pub const LIVE_BINDINGS: &[&str] = &["production.task.*"];

/// Rows read from the event log per query.
const PAGE: i64 = 200;

/// Roles that see HR's events (they carry personal data: leave types, offboarding reasons).
const HR_EVENT_ROLES: &[Role] = &[Role::HrManager, Role::Admin];

/// A change to a task.
#[derive(SimpleObject)]
pub struct TaskEvent {
    /// The event's name: CREATED, STATUS_CHANGED, ASSIGNED, … (upper snake case of
    /// `task.<event>`; new events add values).
    pub kind: String,
    /// The task as it is now.
    pub task: Task,
}

/// One event of the tenant's log.
#[derive(SimpleObject)]
pub struct DomainEvent {
    /// The event id (stable across redeliveries).
    pub id: ID,
    /// Pass it as `after` to resume right after this event.
    pub cursor: String,
    /// `<aggregate>.<event>`, e.g. `employee.offboarded`.
    #[graphql(name = "type")]
    pub event_type: String,
    /// `<subgraph>.<aggregate>.<event>`, e.g. `hr.employee.offboarded`.
    pub routing_key: String,
    /// When the change was committed.
    pub occurred_at: DateTime<Utc>,
    /// The tenant (always the caller's).
    pub tenant_id: ID,
    /// The event's data.
    pub payload: Json<serde_json::Value>,
}

impl From<LoggedEvent> for DomainEvent {
    fn from(e: LoggedEvent) -> Self {
        Self {
            id: to_id(e.id),
            cursor: encode_cursor(&("log", e.seq)),
            event_type: e.event_type,
            routing_key: e.routing_key,
            occurred_at: e.occurred_at,
            tenant_id: to_id(e.tenant_id),
            payload: Json(e.payload),
        }
    }
}

/// The seq a cursor of [`DomainEvent`] stands for.
fn decode_seq(cursor: &str) -> Result<i64, AppError> {
    match decode_cursor::<(String, i64)>(cursor) {
        Ok((tag, seq)) if tag == "log" && seq >= 0 => Ok(seq),
        _ => Err(AppError::bad_input("after is not a cursor of events")),
    }
}

/// Queries about the event log.
#[derive(Default)]
pub struct EventLogQuery;

#[Object]
impl EventLogQuery {
    /// The cursor of the tenant's newest event (a start cursor when there is none). Take it
    /// before subscribing and pass it as `events(after:)`, so nothing is missed even when the
    /// first connection breaks before any event arrives.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn events_cursor(&self, ctx: &Context<'_>) -> Result<String, AppError> {
        let tenant = principal(ctx)?.tenant_id;
        let head = event_log::head(ctx.data_unchecked::<Db>(), tenant).await?;
        Ok(encode_cursor(&("log", head)))
    }
}

/// The root subscription.
#[derive(Default)]
pub struct ProductionSubscription;

#[Subscription(name = "Subscription")]
impl ProductionSubscription {
    /// Changes to the caller's tenant's tasks (one project's with `projectId`), live: each event
    /// carries the task as it is now; tasks the caller may not see are skipped. A vendor tenant
    /// follows the tasks studios share with it (from `task.shared` on; after `task.unshared` it
    /// can no longer see the task, so that event and later ones are skipped).
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn task_changed(&self, ctx: &Context<'_>, project_id: Option<ID>) -> Result<impl Stream<Item = TaskEvent> + use<>, AppError> {
        let tenant = principal(ctx)?.tenant_id;
        let project = project_id.as_ref().map(parse_id).transpose()?;
        let db = ctx.data_unchecked::<Db>().clone();
        let scope = if crate::sharing::is_vendor_tenant(&db, tenant).await? {
            TaskScope::SharedWith(tenant)
        } else {
            TaskScope::Own(tenant)
        };
        let feed = ctx.data_unchecked::<LiveFeed>();
        Ok(events::live::follow(feed.subscribe(), move |event| {
            let db = db.clone();
            async move { task_event(&db, scope, project, &event).await }
        }))
    }

    /// The tenant's events from every subgraph, in commit order: with `after` (a `cursor` seen
    /// before) first everything after it, then live, with no gap and no duplicate; without it,
    /// live from now. `types` keeps the events whose type or routing key is listed, or starts
    /// with an entry ending in `*` (`task.*`, `hr.*`). HR's events reach HR_MANAGER and ADMIN only.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        types: Option<Vec<String>>,
    ) -> Result<impl Stream<Item = Result<DomainEvent, AppError>> + use<>, AppError> {
        let p = principal(ctx)?;
        let tenant = p.tenant_id;
        let filter = EventFilter::parse(types, !p.has_any_role(HR_EVENT_ROLES))?;
        let after = after.as_deref().map(decode_seq).transpose()?;
        let db = ctx.data_unchecked::<Db>().clone();
        // Listen first: whatever commits after the reads below is signalled.
        let signals = ctx.data_unchecked::<EventLogListener>().subscribe().await?;
        let last = match after {
            Some(seq) => seq,
            None => event_log::head(&db, tenant).await?,
        };
        Ok(log_stream(LogCursor {
            db,
            tenant,
            filter,
            signals,
            last,
            buffer: VecDeque::new(),
            stale: true,
        }))
    }
}

/// Whose task events a `taskChanged` subscription looks at.
#[derive(Clone, Copy, Debug)]
enum TaskScope {
    /// A studio: its own tenant's.
    Own(Uuid),
    /// A vendor: its own and any studio's, kept only when row-level security shows the vendor
    /// the task (its own, or shared with it).
    SharedWith(Uuid),
}

impl TaskScope {
    fn tenant(self) -> Uuid {
        match self {
            Self::Own(t) | Self::SharedWith(t) => t,
        }
    }

    /// Whether an event of `event_tenant` may concern a task the subscriber sees.
    fn may_see(self, event_tenant: Uuid) -> bool {
        match self {
            Self::Own(t) => event_tenant == t,
            Self::SharedWith(_) => true,
        }
    }
}

/// The task of a `production.task.*` event, as the subscriber's tenant sees it now.
async fn task_event(db: &Db, scope: TaskScope, project: Option<Uuid>, event: &Envelope) -> Option<TaskEvent> {
    // Imported here: in the module's scope it would shadow what `#[Subscription]` generates.
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    if !scope.may_see(event.tenant_id) || event.aggregate_type != "task" {
        return None;
    }
    let tenant = scope.tenant();
    if let (Some(project), Some(given)) = (project, event.payload.get("projectId").and_then(|v| v.as_str()))
        && given != project.to_string()
    {
        return None;
    }
    let id = event.aggregate_id;
    let row = db
        .tx(tenant, |c| {
            async move { Ok(tasks::table.find(id).select(TaskRow::as_select()).first(c).await.optional()?) }.scope_boxed()
        })
        .await;
    match row {
        Ok(Some(row)) if project.is_none_or(|p| row.project_id == p) => Some(TaskEvent {
            kind: events::live::kind(&event.event_type),
            task: Task(row),
        }),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(task.id = %id, error.code = error.code().as_str(), "taskChanged could not load the task; event skipped");
            None
        }
    }
}

/// Where an `events` subscription stands.
struct LogCursor {
    db: Db,
    tenant: Uuid,
    filter: EventFilter,
    signals: broadcast::Receiver<Signal>,
    /// The last seq read (emitted or filtered out).
    last: i64,
    /// Read, not yet emitted.
    buffer: VecDeque<LoggedEvent>,
    /// Whether rows after `last` may exist.
    stale: bool,
}

/// Emits the rows after the cursor, reading again whenever a signal says there may be more:
/// every row is read once, in seq order (= commit order), so nothing is skipped or repeated.
fn log_stream(cursor: LogCursor) -> impl Stream<Item = Result<DomainEvent, AppError>> + Send {
    futures::stream::unfold(Some(cursor), |state| async move {
        let mut c = state?;
        loop {
            if let Some(row) = c.buffer.pop_front() {
                return Some((Ok(DomainEvent::from(row)), Some(c)));
            }
            if c.stale {
                let rows = match event_log::read_after(&c.db, c.tenant, c.last, &c.filter, PAGE).await {
                    Ok(rows) => rows,
                    Err(error) => return Some((Err(error), None)),
                };
                c.stale = rows.len() as i64 == PAGE;
                if let Some(row) = rows.last() {
                    c.last = row.seq;
                }
                c.buffer.extend(rows);
                continue;
            }
            match c.signals.recv().await {
                Ok(Signal::Appended { tenant, seq }) => c.stale = tenant == c.tenant && seq > c.last,
                Ok(Signal::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => c.stale = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

/// Shared handles of one replica's subscriptions.
#[derive(Clone)]
pub struct Subscriptions {
    /// `production.task.*` events from RabbitMQ.
    pub live: LiveFeed,
    /// Notifications of the event log.
    pub log: EventLogListener,
}

impl Subscriptions {
    /// Handles for a replica whose database (application role) is at `database_url`.
    pub fn new(database_url: secrecy::SecretString) -> Self {
        Self {
            live: LiveFeed::default(),
            log: EventLogListener::new(database_url),
        }
    }
}
