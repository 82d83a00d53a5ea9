//! The studio-wide event log behind the `events` subscription, fed by every subgraph's events.
//!
//! The durable queue `production.event-log` (bound to `#`) appends each envelope to `event_log`
//! (migration `2026-11-23-000003_event_log`) in its tenant's transaction: under a
//! transaction-level advisory lock it draws the next `seq` and notifies `event_log` with
//! `<tenant>:<seq>`, so `seq` order is commit order and a reader resuming after seq N never misses
//! a row committed later. The relay trims rows past `EVENTS_RETENTION_DAYS`.
//!
//! Each replica keeps one `LISTEN event_log` connection ([`EventLogListener`]) and fans the
//! notifications out to its subscriptions, which re-read the log after their cursor.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use events::{Envelope, EventsRuntime};
use futures::{FutureExt as _, StreamExt as _};
use platform::{AppError, Conn, Db, ErrorCode, ScopedFutureExt};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

/// The diesel table (declared here: `event_log` belongs to this module).
#[allow(missing_docs)]
pub mod table {
    diesel::table! {
        /// Every event of the platform, per tenant, in commit order.
        event_log (seq) {
            seq -> Int8,
            id -> Uuid,
            tenant_id -> Uuid,
            event_type -> Text,
            routing_key -> Text,
            aggregate_type -> Text,
            aggregate_id -> Uuid,
            payload -> Jsonb,
            occurred_at -> Timestamptz,
            recorded_at -> Timestamptz,
        }
    }
}
pub use table::event_log;

diesel::define_sql_function! {
    /// PostgreSQL's `starts_with(string, prefix)`.
    fn starts_with(string: Text, prefix: Text) -> Bool;
}

/// The key of the advisory lock that orders appends (any constant unique to this purpose).
const APPEND_LOCK: i64 = 0x6576_656e_745f_6c6f; // "event_lo"

/// The notification channel.
const CHANNEL: &str = "event_log";

/// One logged event.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = event_log, check_for_backend(diesel::pg::Pg))]
pub struct LoggedEvent {
    /// Position in this database's log.
    pub seq: i64,
    /// Event id (the envelope's).
    pub id: Uuid,
    /// Owner tenant.
    pub tenant_id: Uuid,
    /// `<aggregate>.<event>`.
    pub event_type: String,
    /// `<subgraph>.<aggregate>.<event>`.
    pub routing_key: String,
    /// Event data.
    pub payload: Value,
    /// When the change was committed in its subgraph.
    pub occurred_at: DateTime<Utc>,
}

/// Adds this module's consumer, and the log's retention, to `runtime`.
pub fn register(runtime: EventsRuntime) -> EventsRuntime {
    runtime
        .consume(
            "event-log",
            events::handler(|event, conn| async move { append(conn, event).await.map(drop) }.boxed()),
        )
        .retain("event_log", "recorded_at")
}

/// Appends `event` in the caller's transaction (its tenant set): locks the log's order, inserts,
/// notifies. Returns its seq, or None when it is already there.
pub async fn append(conn: &mut Conn, event: &Envelope) -> Result<Option<i64>, AppError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(APPEND_LOCK)
        .execute(conn)
        .await?;
    let seq: Option<i64> = diesel::insert_into(event_log::table)
        .values((
            event_log::id.eq(event.id),
            event_log::tenant_id.eq(event.tenant_id),
            event_log::event_type.eq(&event.event_type),
            event_log::routing_key.eq(&event.routing_key),
            event_log::aggregate_type.eq(&event.aggregate_type),
            event_log::aggregate_id.eq(event.aggregate_id),
            event_log::payload.eq(&event.payload),
            event_log::occurred_at.eq(event.occurred_at),
        ))
        .on_conflict(event_log::id)
        .do_nothing()
        .returning(event_log::seq)
        .get_result(conn)
        .await
        .optional()?;
    if let Some(seq) = seq {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(CHANNEL)
            .bind::<Text, _>(format!("{}:{seq}", event.tenant_id))
            .execute(conn)
            .await?;
    }
    Ok(seq)
}

/// Which events a subscriber reads.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// Exact `type`s or routing keys (none: every event).
    pub exact: Vec<String>,
    /// Prefixes of `type`s or routing keys (`task.` from `task.*`).
    pub prefixes: Vec<String>,
    /// Whether HR's events (personal data) are left out.
    pub without_hr: bool,
}

impl EventFilter {
    /// Parses `types`: each is an event type (`task.status_changed`), a routing key
    /// (`production.task.status_changed`), or either ending in `*` to match a prefix (`task.*`,
    /// `hr.*`, `*`). At most 50, each 1 to 200 characters.
    pub fn parse(types: Option<Vec<String>>, without_hr: bool) -> Result<Self, AppError> {
        let mut filter = Self {
            without_hr,
            ..Self::default()
        };
        let Some(types) = types else { return Ok(filter) };
        if types.is_empty() || types.len() > 50 {
            return Err(AppError::bad_input("types must list 1 to 50 event types"));
        }
        for t in types {
            let t = t.trim();
            if t.is_empty() || t.len() > 200 {
                return Err(AppError::bad_input("each type must be 1 to 200 characters"));
            }
            match t.strip_suffix('*') {
                Some(prefix) => filter.prefixes.push(prefix.to_owned()),
                None => filter.exact.push(t.to_owned()),
            }
        }
        Ok(filter)
    }

    fn applies(&self) -> bool {
        !self.exact.is_empty() || !self.prefixes.is_empty()
    }
}

/// Rows of `tenant` after `after`, in order, matching `filter`; at most `limit`.
pub async fn read_after(db: &Db, tenant: Uuid, after: i64, filter: &EventFilter, limit: i64) -> Result<Vec<LoggedEvent>, AppError> {
    let filter = filter.clone();
    db.tx(tenant, |c| {
        async move {
            let mut q = event_log::table
                .filter(event_log::tenant_id.eq(tenant))
                .filter(event_log::seq.gt(after))
                .into_boxed();
            if filter.without_hr {
                q = q.filter(diesel::dsl::not(starts_with(event_log::routing_key, "hr.")));
            }
            if filter.applies() {
                let mut any: Box<dyn BoxableExpression<event_log::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>> = Box::new(
                    event_log::event_type
                        .eq_any(filter.exact.clone())
                        .or(event_log::routing_key.eq_any(filter.exact.clone())),
                );
                for p in &filter.prefixes {
                    any = Box::new(
                        any.or(starts_with(event_log::event_type, p.clone()))
                            .or(starts_with(event_log::routing_key, p.clone())),
                    );
                }
                q = q.filter(any);
            }
            Ok(q.order(event_log::seq.asc())
                .limit(limit)
                .select(LoggedEvent::as_select())
                .load(c)
                .await?)
        }
        .scope_boxed()
    })
    .await
}

/// The newest seq of `tenant` (0 when its log is empty).
pub async fn head(db: &Db, tenant: Uuid) -> Result<i64, AppError> {
    db.tx(tenant, |c| {
        async move {
            let max: Option<i64> = event_log::table
                .filter(event_log::tenant_id.eq(tenant))
                .select(diesel::dsl::max(event_log::seq))
                .first(c)
                .await?;
            Ok(max.unwrap_or(0))
        }
        .scope_boxed()
    })
    .await
}

/// What the listener tells subscriptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// A row was committed.
    Appended {
        /// Its tenant.
        tenant: Uuid,
        /// Its seq.
        seq: i64,
    },
    /// The listener (re)connected: notifications may have been missed; read again.
    Resync,
}

/// A replica's `LISTEN event_log` connection, fanned out over a broadcast channel. Cheap to
/// clone; the connection opens with the first subscription and closes when the last handle is
/// dropped.
#[derive(Clone)]
pub struct EventLogListener {
    inner: Arc<Inner>,
}

struct Inner {
    url: SecretString,
    signals: broadcast::Sender<Signal>,
    /// Whether the LISTEN is active now.
    listening: watch::Sender<bool>,
    started: Mutex<bool>,
}

impl EventLogListener {
    /// A listener on the database at `url` (the application role may LISTEN).
    pub fn new(url: SecretString) -> Self {
        Self {
            inner: Arc::new(Inner {
                url,
                signals: broadcast::channel(4096).0,
                listening: watch::channel(false).0,
                started: Mutex::new(false),
            }),
        }
    }

    /// Signals from now on, once the LISTEN is active (so anything committed later is
    /// signalled); SUBGRAPH_UNAVAILABLE when the database cannot be reached within 10 s.
    pub async fn subscribe(&self) -> Result<broadcast::Receiver<Signal>, AppError> {
        let signals = self.inner.signals.subscribe();
        self.start();
        let mut listening = self.inner.listening.subscribe();
        match tokio::time::timeout(Duration::from_secs(10), listening.wait_for(|l| *l)).await {
            Ok(Ok(_)) => Ok(signals),
            _ => Err(AppError::new(ErrorCode::SubgraphUnavailable, "the event log is unavailable")),
        }
    }

    /// Subscriptions currently listening.
    pub fn subscribers(&self) -> usize {
        self.inner.signals.receiver_count()
    }

    fn start(&self) {
        let mut started = self.inner.started.lock().unwrap_or_else(|e| e.into_inner());
        if !*started {
            *started = true;
            tokio::spawn(listen(Arc::downgrade(&self.inner)));
        }
    }
}

/// Keeps a LISTEN connection open while any handle lives, reconnecting with back-off.
async fn listen(inner: Weak<Inner>) {
    let mut delay = Duration::from_millis(200);
    loop {
        let Some(url) = inner.upgrade().map(|i| i.url.clone()) else {
            return;
        };
        match session(&inner, &url).await {
            Ok(()) => return,
            Err(error) => {
                if let Some(i) = inner.upgrade() {
                    i.listening.send_replace(false);
                }
                tracing::warn!(
                    error = format!("{error:#}"),
                    retry_in_ms = delay.as_millis() as u64,
                    "Event log listener failed"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// One connection: LISTEN, announce, then forward notifications until it fails (Err) or every
/// handle is gone (Ok).
async fn session(inner: &Weak<Inner>, url: &SecretString) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(url.expose_secret()).await?;
    diesel::sql_query("SET application_name = 'production-event-log-listener'")
        .execute(&mut conn)
        .await?;
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn).await?;
    {
        let Some(i) = inner.upgrade() else { return Ok(()) };
        i.listening.send_replace(true);
        let _ = i.signals.send(Signal::Resync);
    }
    loop {
        let next = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(Duration::from_secs(30), notifications.next()).await
        };
        let Some(i) = inner.upgrade() else { return Ok(()) };
        match next {
            // Quiet: check that the connection is still alive.
            Err(_) => {
                diesel::sql_query("SELECT 1").execute(&mut conn).await?;
            }
            Ok(Some(Ok(n))) => {
                if let Some((tenant, seq)) = n.payload.split_once(':')
                    && let (Ok(tenant), Ok(seq)) = (tenant.parse(), seq.parse())
                {
                    let _ = i.signals.send(Signal::Appended { tenant, seq });
                }
            }
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(None) => anyhow::bail!("the PostgreSQL connection is closed"),
        }
    }
}
