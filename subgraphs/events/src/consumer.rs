//! Idempotent consumers: one durable quorum queue per (subgraph, purpose), manual acks.
//!
//! Each message is handled in one transaction of its tenant ([`platform::Db::tx`]) that first
//! inserts `(queue, message id)` into the `inbox`. When the id is already there, the message was
//! handled before (a redelivery after a lost ack, or a duplicate publication): the handler is
//! skipped and the message acknowledged. The ack goes out only after the commit, so a consumer that
//! dies in between gets the message again and the inbox absorbs it. A handler error (or panic)
//! rolls back and returns the message to its queue after `EVENTS_RETRY_DELAY_MS`; the queue's
//! `x-delivery-limit` dead-letters it after `EVENTS_DELIVERY_LIMIT` attempts, while later messages keep flowing.
//! A body that is not an [`Envelope`] is rejected straight to the dead-letter queue.
//!
//! Messages of one consumer are handled one at a time, in queue order; `EVENTS_PREFETCH` only
//! pipelines their delivery.

use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures::future::BoxFuture;
use futures::{FutureExt as _, StreamExt as _};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions};
use lapin::types::FieldTable;
use platform::{AppError, Conn, Db, ScopedFutureExt as _};
use secrecy::{ExposeSecret as _, SecretString};

use crate::backoff::Backoff;
use crate::schema::inbox;
use crate::{Envelope, EventsConfig, QueueSpec, Topology};

/// Handles one event inside the consumer's transaction (tenant already set, inbox row written).
/// Returning an error rolls the transaction back and retries the message.
pub trait Handler: Send + Sync + 'static {
    /// Applies `event` through `conn`.
    fn handle<'a>(&'a self, event: &'a Envelope, conn: &'a mut Conn) -> BoxFuture<'a, Result<(), AppError>>;
}

impl<F> Handler for F
where
    F: for<'a> Fn(&'a Envelope, &'a mut Conn) -> BoxFuture<'a, Result<(), AppError>> + Send + Sync + 'static,
{
    fn handle<'a>(&'a self, event: &'a Envelope, conn: &'a mut Conn) -> BoxFuture<'a, Result<(), AppError>> {
        self(event, conn)
    }
}

/// Pins a closure's signature so it can be a [`Handler`]:
/// `handler(|event, conn| async move { ... }.boxed())`.
pub fn handler<F>(f: F) -> F
where
    F: for<'a> Fn(&'a Envelope, &'a mut Conn) -> BoxFuture<'a, Result<(), AppError>> + Send + Sync + 'static,
{
    f
}

/// Counters of one consumer (metrics, tests).
#[derive(Debug, Default)]
pub struct ConsumerStats {
    /// Messages received (redeliveries included).
    pub deliveries: AtomicU64,
    /// Messages whose handler ran and committed.
    pub handled: AtomicU64,
    /// Messages found in the inbox (redelivered or duplicated) and acknowledged without handling.
    pub duplicates: AtomicU64,
    /// Handler errors and panics (each returned the message to its queue).
    pub failures: AtomicU64,
    /// Messages that were not an envelope (sent to the dead-letter queue).
    pub rejected: AtomicU64,
    /// Times a failed message was held because the database was unreachable (not counted as
    /// an attempt).
    pub waits_for_database: AtomicU64,
}

impl ConsumerStats {
    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// What became of one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The handler ran and its transaction committed: ack.
    Handled,
    /// Already in the inbox: ack without handling.
    Duplicate,
    /// The handler failed or panicked, or the database is away: return it to the queue.
    Failed,
    /// Not an envelope: dead-letter it.
    Rejected,
}

/// Consumes one queue into one database. [`Consumer::run`] until shutdown.
#[derive(Clone)]
pub struct Consumer {
    amqp_url: SecretString,
    topology: Topology,
    queue: QueueSpec,
    prefetch: u16,
    retry_delay: Duration,
    reconnect_max: Duration,
    db: Db,
    handler: Arc<dyn Handler>,
    stats: Arc<ConsumerStats>,
}

impl Consumer {
    /// A consumer of `queue` (declared with its bindings when it starts) handling into `db`.
    pub fn new(cfg: &EventsConfig, queue: QueueSpec, db: Db, handler: impl Handler) -> Self {
        Self {
            amqp_url: cfg.amqp_url.clone(),
            topology: Topology::from_config(cfg),
            queue,
            prefetch: cfg.prefetch,
            retry_delay: cfg.retry_delay,
            reconnect_max: cfg.reconnect_max,
            db,
            handler: Arc::new(handler),
            stats: Arc::default(),
        }
    }

    /// Its counters.
    pub fn stats(&self) -> Arc<ConsumerStats> {
        self.stats.clone()
    }

    /// Its queue.
    pub fn queue(&self) -> &QueueSpec {
        &self.queue
    }

    /// Consumes until `shutdown` completes (the message in hand is finished first), reconnecting
    /// with back-off after any failure.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut shutdown = pin!(shutdown.fuse());
        let mut backoff = Backoff::new(Duration::from_millis(200), self.reconnect_max);
        loop {
            match self.session(&mut shutdown, &mut backoff).await {
                Ok(()) => return,
                Err(error) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(queue = %self.queue.name, error = format!("{error:#}"), retry_in_ms = delay.as_millis() as u64, "Consumer session failed");
                    tokio::select! {
                        () = &mut shutdown => return,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    async fn session<S>(&self, shutdown: &mut std::pin::Pin<&mut S>, backoff: &mut Backoff) -> anyhow::Result<()>
    where
        S: Future<Output = ()>,
    {
        let connection = crate::connect_amqp(self.amqp_url.expose_secret(), &format!("consumer {}", self.queue.name))
            .await
            .context("connecting to RabbitMQ")?;
        let channel = connection.create_channel().await.context("opening a channel")?;
        channel
            .basic_qos(self.prefetch, BasicQosOptions::default())
            .await
            .context("basic.qos")?;
        self.topology
            .declare_queue(&channel, &self.queue)
            .await
            .with_context(|| format!("declaring queue {}", self.queue.name))?;
        let tag = format!("{}-{}", self.queue.name, uuid::Uuid::new_v4().simple());
        let mut deliveries = channel
            .basic_consume(&self.queue.name, &tag, BasicConsumeOptions::default(), FieldTable::default())
            .await
            .context("basic.consume")?;
        tracing::info!(queue = %self.queue.name, "Consumer started");
        backoff.reset();
        loop {
            let delivery = tokio::select! {
                () = shutdown.as_mut() => {
                    let _ = connection.close(200, "shutting down").await;
                    return Ok(());
                }
                next = deliveries.next() => match next {
                    Some(Ok(delivery)) => delivery,
                    Some(Err(e)) => return Err(e).context("consuming"),
                    None => bail!("the broker cancelled the consumer"),
                },
            };
            if !self.deliver(delivery, shutdown).await? {
                let _ = connection.close(200, "shutting down").await;
                return Ok(());
            }
        }
    }

    /// Handles one delivery and acknowledges it accordingly; `false` when `shutdown` completed
    /// while it waited for the database (the message is left unacknowledged for redelivery).
    ///
    /// A failure while the database is unreachable is not the message's fault: the consumer
    /// holds the message and retries it once the database answers again, so an outage never
    /// uses up a message's attempts and dead-letters it.
    async fn deliver<S>(&self, delivery: Delivery, shutdown: &mut std::pin::Pin<&mut S>) -> anyhow::Result<bool>
    where
        S: Future<Output = ()>,
    {
        let mut outcome = self.process(&delivery.data).await;
        let mut backoff = Backoff::new(Duration::from_millis(100), self.reconnect_max.max(Duration::from_millis(100)));
        while outcome == Outcome::Failed && self.db.ping().await.is_err() {
            self.stats.waits_for_database.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(queue = %self.queue.name, "The database is unreachable; holding the message until it answers");
            loop {
                tokio::select! {
                    () = shutdown.as_mut() => return Ok(false),
                    () = tokio::time::sleep(backoff.next_delay()) => {}
                }
                if self.db.ping().await.is_ok() {
                    break;
                }
            }
            outcome = self.process(&delivery.data).await;
        }
        match outcome {
            Outcome::Handled | Outcome::Duplicate => {
                delivery.ack(BasicAckOptions::default()).await.context("basic.ack")?;
            }
            Outcome::Failed => {
                tokio::time::sleep(self.retry_delay).await;
                delivery
                    .nack(BasicNackOptions {
                        requeue: true,
                        multiple: false,
                    })
                    .await
                    .context("basic.nack")?;
            }
            Outcome::Rejected => {
                delivery
                    .reject(BasicRejectOptions { requeue: false })
                    .await
                    .context("basic.reject")?;
            }
        }
        Ok(true)
    }

    /// Runs the inbox check and the handler in one transaction of the event's tenant and commits;
    /// does not acknowledge (the caller does, after this returns).
    pub async fn process(&self, body: &[u8]) -> Outcome {
        self.stats.deliveries.fetch_add(1, Ordering::Relaxed);
        let event: Envelope = match serde_json::from_slice(body) {
            Ok(event) => event,
            Err(error) => {
                self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                tracing::error!(queue = %self.queue.name, %error, "Not an event envelope; dead-lettering it");
                return Outcome::Rejected;
            }
        };
        let queue = self.queue.name.as_str();
        let handler = &*self.handler;
        let event_ref = &event;
        let work = self.db.tx(event.tenant_id, |conn| {
            async move {
                let fresh = diesel::insert_into(inbox::table)
                    .values((
                        inbox::queue.eq(queue),
                        inbox::message_id.eq(event_ref.id),
                        inbox::tenant_id.eq(event_ref.tenant_id),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                if fresh == 0 {
                    return Ok(false);
                }
                handler.handle(event_ref, conn).await?;
                Ok(true)
            }
            .scope_boxed()
        });
        match AssertUnwindSafe(work).catch_unwind().await {
            Ok(Ok(true)) => {
                self.stats.handled.fetch_add(1, Ordering::Relaxed);
                Outcome::Handled
            }
            Ok(Ok(false)) => {
                self.stats.duplicates.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(queue = %self.queue.name, event.id = %event.id, "Already handled; acknowledging");
                Outcome::Duplicate
            }
            Ok(Err(error)) => {
                self.stats.failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    queue = %self.queue.name, event.id = %event.id, event.routing_key = %event.routing_key,
                    code = error.code().as_str(), error = error.message(), "Event handler failed; returning the message"
                );
                Outcome::Failed
            }
            Err(panic) => {
                self.stats.failures.fetch_add(1, Ordering::Relaxed);
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(queue = %self.queue.name, event.id = %event.id, panic = %what, "Event handler panicked; returning the message");
                Outcome::Failed
            }
        }
    }
}
