//! The live feed of one service replica: events fanned out in-process to its subscriptions.
//!
//! Each replica declares one exclusive, auto-delete, server-named queue bound to the routing keys
//! its subscriptions need, consumes it with auto-ack and broadcasts every [`Envelope`] on a
//! [`tokio::sync::broadcast`] channel; every subscription filters what it needs. Replicas do not
//! compete for these messages (unlike the durable consumer queues): each gets every event and
//! delivers it to its own clients. The feed is best-effort live: while the replica is
//! disconnected (it reconnects with back-off) its queue does not exist and events pass it by, and
//! a subscriber that falls more than the channel's capacity behind skips events. Resumable
//! delivery is the event log's job (production's `events(after:)`).

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use futures::{FutureExt as _, StreamExt as _};
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use secrecy::{ExposeSecret as _, SecretString};
use tokio::sync::{broadcast, watch};

use crate::backoff::Backoff;
use crate::{Envelope, EventsConfig, Topology};

/// Events a subscriber may fall behind by before it skips some.
pub const DEFAULT_CAPACITY: usize = 1024;

/// Messages the broker keeps for a replica that does not keep up (the oldest are dropped).
const QUEUE_MAX_LENGTH: i64 = 10_000;

/// The handle subscriptions read from; cheap to clone. Create it before the router and hand it
/// to [`crate::EventsRuntime::live`], which connects it to the broker.
#[derive(Clone)]
pub struct LiveFeed {
    sender: broadcast::Sender<Arc<Envelope>>,
    connected: watch::Sender<bool>,
    stats: Arc<LiveStats>,
}

/// Counters of a live feed (metrics, tests).
#[derive(Debug, Default)]
pub struct LiveStats {
    /// Envelopes received from the broker.
    pub received: AtomicU64,
    /// Messages that were not an envelope (dropped).
    pub malformed: AtomicU64,
    /// Sessions that ended in an error.
    pub failures: AtomicU64,
}

impl Default for LiveFeed {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl LiveFeed {
    /// A feed whose subscribers may fall `capacity` events behind; not connected yet.
    pub fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity.max(1)).0,
            connected: watch::channel(false).0,
            stats: Arc::default(),
        }
    }

    /// Every event from now on (only those of the bound routing keys).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.sender.subscribe()
    }

    /// Subscriptions currently reading the feed.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Whether its queue is bound and consumed right now.
    pub fn is_connected(&self) -> bool {
        *self.connected.borrow()
    }

    /// Its counters.
    pub fn stats(&self) -> Arc<LiveStats> {
        self.stats.clone()
    }

    /// Hands `event` to every subscriber (a test, or the feed's own consumer).
    pub fn publish(&self, event: Envelope) {
        let _ = self.sender.send(Arc::new(event));
    }
}

/// Feeds a [`LiveFeed`] from the broker until shutdown.
pub(crate) struct LiveConsumer {
    pub(crate) feed: LiveFeed,
    pub(crate) bindings: Vec<String>,
    pub(crate) amqp_url: SecretString,
    pub(crate) topology: Topology,
    pub(crate) reconnect_max: Duration,
    pub(crate) name: String,
}

impl LiveConsumer {
    pub(crate) fn new(cfg: &EventsConfig, feed: LiveFeed, bindings: Vec<String>, name: String) -> Self {
        Self {
            feed,
            bindings,
            amqp_url: cfg.amqp_url.clone(),
            topology: Topology::from_config(cfg),
            reconnect_max: cfg.reconnect_max,
            name,
        }
    }

    /// Consumes until `shutdown` completes, reconnecting with back-off after any failure.
    pub(crate) async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut shutdown = pin!(shutdown.fuse());
        let mut backoff = Backoff::new(Duration::from_millis(200), self.reconnect_max);
        loop {
            let result = self.session(&mut shutdown, &mut backoff).await;
            self.feed.connected.send_replace(false);
            match result {
                Ok(()) => return,
                Err(error) => {
                    self.feed.stats.failures.fetch_add(1, Ordering::Relaxed);
                    let delay = backoff.next_delay();
                    tracing::warn!(feed = %self.name, error = format!("{error:#}"), retry_in_ms = delay.as_millis() as u64, "Live feed session failed");
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
        let connection = crate::connect_amqp(self.amqp_url.expose_secret(), &self.name)
            .await
            .context("connecting to RabbitMQ")?;
        let channel = connection.create_channel().await.context("opening a channel")?;
        self.topology.declare_exchanges(&channel).await.context("declaring the exchanges")?;
        let mut args = FieldTable::default();
        args.insert("x-max-length".into(), AMQPValue::LongLongInt(QUEUE_MAX_LENGTH));
        args.insert("x-overflow".into(), AMQPValue::LongString(LongString::from("drop-head")));
        let queue = channel
            .queue_declare(
                "",
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                },
                args,
            )
            .await
            .context("declaring the live queue")?;
        let queue_name = queue.name().as_str().to_owned();
        for pattern in &self.bindings {
            channel
                .queue_bind(
                    &queue_name,
                    &self.topology.exchange,
                    pattern,
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .with_context(|| format!("binding the live queue to {pattern}"))?;
        }
        let mut deliveries = channel
            .basic_consume(
                &queue_name,
                &self.name,
                BasicConsumeOptions {
                    no_ack: true,
                    exclusive: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .context("basic.consume")?;
        tracing::info!(feed = %self.name, queue = %queue_name, "Live feed connected");
        backoff.reset();
        self.feed.connected.send_replace(true);
        loop {
            let delivery = tokio::select! {
                () = shutdown.as_mut() => {
                    let _ = connection.close(200, "shutting down").await;
                    return Ok(());
                }
                next = deliveries.next() => match next {
                    Some(Ok(delivery)) => delivery,
                    Some(Err(e)) => return Err(e).context("consuming"),
                    None => bail!("the broker cancelled the live consumer"),
                },
            };
            match serde_json::from_slice::<Envelope>(&delivery.data) {
                Ok(event) => {
                    self.feed.stats.received.fetch_add(1, Ordering::Relaxed);
                    self.feed.publish(event);
                }
                Err(error) => {
                    self.feed.stats.malformed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(feed = %self.name, %error, "Not an event envelope; dropped");
                }
            }
        }
    }
}

/// The items `load` makes of the events arriving on `events` (None skips an event), until the
/// feed closes. A subscriber that fell behind skips what it missed and carries on.
pub fn follow<T, F, Fut>(events: broadcast::Receiver<Arc<Envelope>>, load: F) -> impl futures::Stream<Item = T> + Send
where
    T: Send,
    F: FnMut(Arc<Envelope>) -> Fut + Send,
    Fut: Future<Output = Option<T>> + Send,
{
    futures::stream::unfold((events, load), |(mut events, mut load)| async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Some(item) = load(event).await {
                        return Some((item, (events, load)));
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "A live subscription fell behind and skipped events");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

/// The event's name in upper snake case, a subscription's `kind`: `task.status_changed` ->
/// `STATUS_CHANGED`.
pub fn kind(event_type: &str) -> String {
    event_type
        .split_once('.')
        .map_or(event_type, |(_, event)| event)
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(tenant: uuid::Uuid, routing_key: &str) -> Envelope {
        let event_type = routing_key.split_once('.').map_or(routing_key, |(_, t)| t).to_owned();
        Envelope {
            id: uuid::Uuid::new_v4(),
            seq: 1,
            tenant_id: tenant,
            aggregate_type: "task".into(),
            aggregate_id: uuid::Uuid::new_v4(),
            event_type,
            routing_key: routing_key.into(),
            payload: serde_json::json!({}),
            request_id: None,
            occurred_at: chrono::Utc::now(),
            actor_user_id: None,
        }
    }

    #[test]
    fn kinds_are_the_event_names() {
        assert_eq!(kind("task.status_changed"), "STATUS_CHANGED");
        assert_eq!(kind("job.progressed"), "PROGRESSED");
        assert_eq!(kind("odd"), "ODD");
    }

    #[tokio::test]
    async fn followers_get_what_they_select_and_skip_past_a_lag() {
        use futures::StreamExt as _;
        let feed = LiveFeed::new(4);
        let mine = uuid::Uuid::new_v4();
        let stream = follow(feed.subscribe(), move |e: Arc<Envelope>| async move {
            (e.tenant_id == mine).then(|| e.routing_key.clone())
        });
        assert_eq!(feed.subscribers(), 1);
        // Six events into a channel of four: the two oldest are lost to the lag.
        for i in 0..6 {
            let tenant = if i % 2 == 0 { mine } else { uuid::Uuid::new_v4() };
            feed.publish(envelope(tenant, &format!("production.task.e{i}")));
        }
        drop(feed);
        let got: Vec<String> = stream.collect().await;
        assert_eq!(got, vec!["production.task.e2", "production.task.e4"]);
    }
}
