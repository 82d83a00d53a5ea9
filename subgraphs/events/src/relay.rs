//! The outbox relay: publishes committed outbox rows to the topic exchange and marks them
//! published only after the broker has confirmed them.
//!
//! One pass claims up to `EVENTS_RELAY_BATCH` unpublished rows in `seq` order with
//! `FOR UPDATE SKIP LOCKED` (several replicas share the work without blocking each other),
//! publishes each as a persistent, `mandatory` message, waits for every confirm, then sets
//! `published_at` on the acknowledged rows in the transaction that holds their locks, and
//! commits. A crash anywhere before the commit leaves the rows unpublished: they are sent again
//! (at-least-once; consumers de-duplicate by message id). A row the broker returns as unroutable
//! (no queue bound for its key) is logged and still marked published: nobody subscribed, and the
//! outbox keeps it as the event log. A nacked row stays unpublished for the next pass.
//!
//! The relay waits on `LISTEN outbox` (the `outbox_notify` trigger) with a periodic poll as a
//! safety net, deletes published rows past `EVENTS_RETENTION_DAYS`, and reconnects with
//! exponential back-off when PostgreSQL or RabbitMQ goes away.

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures::{FutureExt as _, StreamExt as _};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, Channel};
use platform::schema::outbox;
use secrecy::{ExposeSecret as _, SecretString};
use uuid::Uuid;

use crate::backoff::Backoff;
use crate::{Envelope, EventsConfig, Topology};

/// How often the retention clean-up runs.
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);
/// Rows deleted per clean-up statement (short locks).
const CLEANUP_CHUNK: i64 = 5000;

/// Counters of one relay (metrics, tests).
#[derive(Debug, Default)]
pub struct RelayStats {
    /// Rows published and marked.
    pub published: AtomicU64,
    /// Of those, rows the broker returned as unroutable.
    pub unroutable: AtomicU64,
    /// Rows the broker nacked (left for the next pass).
    pub nacked: AtomicU64,
    /// Transactions that published at least one row.
    pub batches: AtomicU64,
    /// Sessions that ended in an error (followed by a reconnect).
    pub failures: AtomicU64,
    /// Old rows deleted by the retention clean-up.
    pub deleted: AtomicU64,
}

impl RelayStats {
    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Publishes one database's outbox. Cheap to clone; [`Relay::run`] until shutdown.
#[derive(Clone)]
pub struct Relay {
    cfg: EventsConfig,
    topology: Topology,
    database_url: SecretString,
    name: String,
    stats: Arc<RelayStats>,
    queues: Arc<Vec<crate::QueueSpec>>,
    trimmed: Arc<Vec<(&'static str, &'static str)>>,
}

impl Relay {
    /// A relay of the outbox at `database_url` (the relay role), named `name` in
    /// `pg_stat_activity` and the broker's connection list (e.g. `hr-relay`).
    pub fn new(cfg: EventsConfig, database_url: SecretString, name: &str) -> Self {
        Self {
            topology: Topology::from_config(&cfg),
            cfg,
            database_url,
            name: name.to_owned(),
            stats: Arc::default(),
            queues: Arc::default(),
            trimmed: Arc::default(),
        }
    }

    /// Also deletes rows of these `(table, timestamp column)` pairs past the retention period
    /// (tables of the service's own that the relay role may delete from, e.g. an event log).
    pub fn trimming(mut self, tables: Vec<(&'static str, &'static str)>) -> Self {
        self.trimmed = Arc::new(tables);
        self
    }

    /// Also declares `queues` (with their bindings) whenever it connects, before publishing.
    pub fn declaring(mut self, queues: Vec<crate::QueueSpec>) -> Self {
        self.queues = Arc::new(queues);
        self
    }

    /// Its counters.
    pub fn stats(&self) -> Arc<RelayStats> {
        self.stats.clone()
    }

    /// Relays until `shutdown` completes, reconnecting with back-off after any failure. A batch
    /// in flight when `shutdown` completes is finished (published and marked) first, so a clean
    /// stop publishes nothing twice.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut shutdown = pin!(shutdown.fuse());
        let mut backoff = Backoff::new(Duration::from_millis(200), self.cfg.reconnect_max);
        loop {
            match self.session(&mut backoff, &mut shutdown).await {
                Ok(()) => return,
                Err(error) => {
                    self.stats.failures.fetch_add(1, Ordering::Relaxed);
                    let delay = backoff.next_delay();
                    tracing::warn!(relay = %self.name, error = format!("{error:#}"), retry_in_ms = delay.as_millis() as u64, "Relay session failed");
                    tokio::select! {
                        () = &mut shutdown => return,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    /// One session: connect to both, then publish, wait, repeat. Returns `Ok` when `shutdown`
    /// completes (checked while connecting and while waiting, never inside a batch), else the
    /// failure.
    async fn session<S>(&self, backoff: &mut Backoff, shutdown: &mut std::pin::Pin<&mut S>) -> anyhow::Result<()>
    where
        S: Future<Output = ()> + futures::future::FusedFuture,
    {
        let connected = async {
            let conn = self.connect_pg().await?;
            let amqp = self.connect_amqp().await?;
            anyhow::Ok((conn, amqp))
        };
        let (mut conn, (amqp, channel)) = tokio::select! {
            () = shutdown.as_mut() => return Ok(()),
            connected = connected => connected?,
        };
        diesel::sql_query("LISTEN outbox")
            .execute(&mut conn)
            .await
            .context("LISTEN outbox")?;
        tracing::info!(relay = %self.name, exchange = %self.topology.exchange, "Relay connected");
        backoff.reset();
        let mut last_cleanup: Option<Instant> = None;
        loop {
            while self.publish_batch(&mut conn, &channel).await? == self.cfg.relay_batch as usize {}
            if last_cleanup.is_none_or(|t| t.elapsed() >= CLEANUP_EVERY) {
                self.cleanup(&mut conn).await?;
                last_cleanup = Some(Instant::now());
            }
            if !amqp.status().connected() {
                bail!("the RabbitMQ connection is closed");
            }
            // Sleep until a NOTIFY or the poll; notifications that arrived meanwhile are drained
            // so one pass answers them all.
            let mut notifications = pin!(conn.notifications_stream());
            let woken = tokio::select! {
                () = shutdown.as_mut() => {
                    let _ = amqp.close(200, "shutting down").await;
                    return Ok(());
                }
                woken = tokio::time::timeout(self.cfg.relay_poll, notifications.next()) => woken,
            };
            match woken {
                Err(_) => {}
                Ok(Some(Ok(_))) => while let Some(Some(Ok(_))) = notifications.next().now_or_never() {},
                Ok(Some(Err(e))) => return Err(e).context("waiting for notifications"),
                Ok(None) => bail!("the PostgreSQL connection is closed"),
            }
        }
    }

    /// Publishes everything unpublished now, on connections of its own, and returns how many
    /// events it published. Used at shutdown, after the service stopped taking mutations.
    pub async fn flush(&self) -> anyhow::Result<u64> {
        let mut conn = self.connect_pg().await?;
        let (amqp, channel) = self.connect_amqp().await?;
        let before = RelayStats::get(&self.stats.published);
        while self.publish_batch(&mut conn, &channel).await? == self.cfg.relay_batch as usize {}
        let _ = amqp.close(200, "flushed").await;
        Ok(RelayStats::get(&self.stats.published) - before)
    }

    async fn connect_amqp(&self) -> anyhow::Result<(lapin::Connection, Channel)> {
        let amqp = crate::connect_amqp(self.cfg.amqp_url.expose_secret(), &self.name)
            .await
            .context("connecting to RabbitMQ")?;
        let channel = amqp.create_channel().await.context("opening a channel")?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .context("confirm.select")?;
        self.topology.declare_exchanges(&channel).await.context("declaring the exchanges")?;
        for queue in self.queues.iter() {
            self.topology
                .declare_queue(&channel, queue)
                .await
                .with_context(|| format!("declaring queue {}", queue.name))?;
        }
        Ok((amqp, channel))
    }

    async fn connect_pg(&self) -> anyhow::Result<AsyncPgConnection> {
        let mut conn = AsyncPgConnection::establish(self.database_url.expose_secret())
            .await
            .context("connecting to PostgreSQL")?;
        // A relay stuck while holding row locks must not hold them forever.
        conn.batch_execute(&format!(
            "SET application_name = '{}'; SET statement_timeout = 30000; SET idle_in_transaction_session_timeout = {};",
            self.name.replace('\'', ""),
            (self.cfg.confirm_timeout + Duration::from_secs(30)).as_millis()
        ))
        .await
        .context("configuring the session")?;
        Ok(conn)
    }

    /// Claims, publishes and marks one batch; returns how many rows it claimed.
    pub async fn publish_batch(&self, conn: &mut AsyncPgConnection, channel: &Channel) -> anyhow::Result<usize> {
        let batch = self.cfg.relay_batch;
        let exchange = self.topology.exchange.as_str();
        let confirm_timeout = self.cfg.confirm_timeout;
        let stats = &self.stats;
        conn.transaction::<usize, anyhow::Error, _>(async |conn| {
            let rows: Vec<Envelope> = outbox::table
                .filter(outbox::published_at.is_null())
                .order(outbox::seq.asc())
                .limit(batch)
                .for_update()
                .skip_locked()
                .select(Envelope::as_select())
                .load(conn)
                .await
                .context("claiming outbox rows")?;
            if rows.is_empty() {
                return Ok(0);
            }
            let mut pending = Vec::with_capacity(rows.len());
            for event in &rows {
                let body = serde_json::to_vec(event)?;
                let confirm = channel
                    .basic_publish(
                        exchange,
                        &event.routing_key,
                        BasicPublishOptions {
                            mandatory: true,
                            ..BasicPublishOptions::default()
                        },
                        &body,
                        properties(event),
                    )
                    .await
                    .context("publishing")?;
                pending.push((event, confirm));
            }
            let confirmed = tokio::time::timeout(confirm_timeout, async {
                let mut acked: Vec<Uuid> = Vec::with_capacity(pending.len());
                for (event, confirm) in pending {
                    match confirm.await.context("waiting for a publisher confirm")? {
                        Confirmation::Ack(returned) => {
                            if let Some(returned) = returned {
                                stats.unroutable.fetch_add(1, Ordering::Relaxed);
                                tracing::warn!(
                                    event.id = %event.id,
                                    event.routing_key = %event.routing_key,
                                    reply = %returned.reply_text,
                                    "No queue is bound for this event; marking it published"
                                );
                            }
                            acked.push(event.id);
                        }
                        Confirmation::Nack(_) => {
                            stats.nacked.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(event.id = %event.id, "The broker nacked an event; it stays unpublished");
                        }
                        Confirmation::NotRequested => bail!("publisher confirms are not enabled on the channel"),
                    }
                }
                Ok(acked)
            })
            .await
            .context("timed out waiting for publisher confirms")??;
            diesel::update(outbox::table.filter(outbox::id.eq_any(&confirmed)))
                .set(outbox::published_at.eq(diesel::dsl::now))
                .execute(conn)
                .await
                .context("marking rows published")?;
            stats.published.fetch_add(confirmed.len() as u64, Ordering::Relaxed);
            stats.batches.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(claimed = rows.len(), published = confirmed.len(), "Relayed a batch");
            Ok(rows.len())
        })
        .await
    }

    /// Deletes published outbox rows and inbox ids older than the retention period, in chunks.
    pub async fn cleanup(&self, conn: &mut AsyncPgConnection) -> anyhow::Result<u64> {
        let days = self.cfg.retention_days;
        if days == 0 {
            return Ok(0);
        }
        let days = i32::try_from(days).unwrap_or(i32::MAX);
        let mut deleted = 0u64;
        let mut statements = vec![
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < now() - make_interval(days => $1) LIMIT $2)"
                .to_owned(),
            "DELETE FROM inbox WHERE ctid IN (SELECT ctid FROM inbox WHERE received_at < now() - make_interval(days => $1) LIMIT $2)"
                .to_owned(),
        ];
        for (table, column) in self.trimmed.iter() {
            statements.push(format!(
                "DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE {column} < now() - make_interval(days => $1) LIMIT $2)"
            ));
        }
        for sql in &statements {
            loop {
                let n = diesel::sql_query(sql)
                    .bind::<Integer, _>(days)
                    .bind::<diesel::sql_types::BigInt, _>(CLEANUP_CHUNK)
                    .execute(conn)
                    .await
                    .context("retention clean-up")?;
                deleted += n as u64;
                if (n as i64) < CLEANUP_CHUNK {
                    break;
                }
            }
        }
        if deleted > 0 {
            tracing::info!(relay = %self.name, deleted, retention_days = days, "Deleted events past retention");
        }
        self.stats.deleted.fetch_add(deleted, Ordering::Relaxed);
        Ok(deleted)
    }
}

/// Persistent JSON message; id, type and tenant in the properties so tools can route and trace
/// without parsing the body.
fn properties(event: &Envelope) -> BasicProperties {
    let mut headers = FieldTable::default();
    headers.insert(
        "tenant_id".into(),
        AMQPValue::LongString(LongString::from(event.tenant_id.to_string())),
    );
    headers.insert("seq".into(), AMQPValue::LongLongInt(event.seq));
    headers.insert(
        "occurred_at".into(),
        AMQPValue::LongString(LongString::from(event.occurred_at.to_rfc3339())),
    );
    BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type("application/json".into())
        .with_message_id(event.id.to_string().into())
        .with_type(event.routing_key.as_str().into())
        .with_timestamp(event.occurred_at.timestamp().max(0) as u64)
        .with_headers(headers)
}
