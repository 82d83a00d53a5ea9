//! A subgraph's event machinery as one unit: its outbox relay, its consumers and its live feeds,
//! started with the service and stopped after the HTTP server has drained (the relay then
//! flushes what is left).

use std::sync::Arc;
use std::time::Duration;

use platform::Db;
use secrecy::SecretString;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::live::LiveConsumer;
use crate::{Consumer, ConsumerStats, EventsConfig, Handler, LiveFeed, QueueSpec, Relay, RelayStats, Topology};

/// How long consumers and the relay get to stop at shutdown before they are aborted.
const STOP_WITHIN: Duration = Duration::from_secs(5);

/// What a subgraph runs: built with [`EventsRuntime::new`] and [`EventsRuntime::consume`], then
/// [`EventsRuntime::start`]ed.
pub struct EventsRuntime {
    cfg: EventsConfig,
    subgraph: &'static str,
    relay_url: SecretString,
    db: Db,
    consumers: Vec<Consumer>,
    live: Vec<(LiveFeed, Vec<String>)>,
    trimmed: Vec<(&'static str, &'static str)>,
}

impl EventsRuntime {
    /// The relay of `subgraph`'s outbox (at `relay_url`, the relay role) and no consumers yet;
    /// consumers handle into `db` (the application role).
    pub fn new(cfg: EventsConfig, subgraph: &'static str, relay_url: SecretString, db: Db) -> Self {
        Self {
            cfg,
            subgraph,
            relay_url,
            db,
            consumers: Vec::new(),
            live: Vec::new(),
            trimmed: Vec::new(),
        }
    }

    /// Has the relay also delete rows of `table` whose `column` (a timestamp) is older than
    /// `EVENTS_RETENTION_DAYS`, like the outbox and the inbox; the relay role needs `SELECT,
    /// DELETE` and a policy on it.
    pub fn retain(mut self, table: &'static str, column: &'static str) -> Self {
        self.trimmed.push((table, column));
        self
    }

    /// Feeds `feed` (created before the router that reads it) with the events matching
    /// `bindings` (routing-key patterns), through this replica's own exclusive queue
    /// ([`crate::live`]).
    pub fn live(mut self, feed: &LiveFeed, bindings: &[&str]) -> Self {
        self.live.push((feed.clone(), bindings.iter().map(|b| (*b).to_owned()).collect()));
        self
    }

    /// Adds a consumer of the durable queue `<subgraph>.<purpose>`, bound as the catalog
    /// ([`crate::catalog::QUEUES`]) says.
    ///
    /// # Panics
    /// When the queue is not in the catalog (a programming error, caught by any test).
    pub fn consume(mut self, purpose: &str, handler: impl Handler) -> Self {
        let entry = crate::catalog::find(self.subgraph, purpose)
            .unwrap_or_else(|| panic!("queue {}.{purpose} is not in events::catalog::QUEUES", self.subgraph));
        let queue = Topology::from_config(&self.cfg).queue(self.subgraph, purpose, entry.bindings);
        self.consumers.push(Consumer::new(&self.cfg, queue, self.db.clone(), handler));
        self
    }

    /// The queues its consumers use.
    pub fn queues(&self) -> Vec<QueueSpec> {
        self.consumers.iter().map(|c| c.queue().clone()).collect()
    }

    /// From the environment ([`EventsConfig::from_env`]; the relay's database from
    /// `<env_prefix>_RELAY_DATABASE_URL`), with the consumers `register` adds, started; `None` when
    /// `EVENTS_ENABLED=false`.
    pub fn start_from_env(
        subgraph: &'static str,
        env_prefix: &str,
        db: Db,
        register: impl FnOnce(Self) -> Self,
    ) -> anyhow::Result<Option<RunningEvents>> {
        let cfg = EventsConfig::from_env()?;
        if !cfg.enabled {
            tracing::warn!("EVENTS_ENABLED=false: no relay and no consumers run; events stay in the outbox");
            return Ok(None);
        }
        let relay_url = crate::config::relay_database_url(env_prefix)?;
        Ok(Some(register(Self::new(cfg, subgraph, relay_url, db)).start()))
    }

    /// Spawns the relay, the consumers and the live feeds.
    pub fn start(self) -> RunningEvents {
        let (stop, stopped) = watch::channel(false);
        let topology = Topology::from_config(&self.cfg);
        let relay = Relay::new(self.cfg.clone(), self.relay_url, &format!("{}-relay", self.subgraph))
            .declaring(topology.catalog_queues())
            .trimming(self.trimmed);
        let relay_stats = relay.stats();
        let mut tasks = vec![tokio::spawn(relay.clone().run(until_stopped(stopped.clone())))];
        let mut consumers = Vec::with_capacity(self.consumers.len());
        for consumer in self.consumers {
            consumers.push((consumer.queue().clone(), consumer.stats()));
            tasks.push(tokio::spawn(consumer.run(until_stopped(stopped.clone()))));
        }
        let mut live = Vec::with_capacity(self.live.len());
        for (feed, bindings) in self.live {
            live.push(feed.clone());
            let consumer = LiveConsumer::new(&self.cfg, feed, bindings, format!("{}-live", self.subgraph));
            tasks.push(tokio::spawn(consumer.run(until_stopped(stopped.clone()))));
        }
        RunningEvents {
            live,
            stop,
            tasks,
            relay,
            relay_stats,
            consumers,
            topology: Topology::from_config(&self.cfg),
            flush_within: self.cfg.shutdown_flush,
        }
    }
}

async fn until_stopped(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

/// The running relay and consumers of one service.
pub struct RunningEvents {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    relay: Relay,
    relay_stats: Arc<RelayStats>,
    consumers: Vec<(QueueSpec, Arc<ConsumerStats>)>,
    live: Vec<LiveFeed>,
    topology: Topology,
    flush_within: Duration,
}

impl RunningEvents {
    /// The relay's counters.
    pub fn relay_stats(&self) -> Arc<RelayStats> {
        self.relay_stats.clone()
    }

    /// Each consumer's queue and counters.
    pub fn consumers(&self) -> &[(QueueSpec, Arc<ConsumerStats>)] {
        &self.consumers
    }

    /// The counters of the consumer of `<subgraph>.<purpose>`.
    pub fn consumer_stats(&self, purpose: &str) -> Option<Arc<ConsumerStats>> {
        let suffix = format!(".{purpose}");
        self.consumers
            .iter()
            .find(|(q, _)| q.name.ends_with(&suffix))
            .map(|(_, s)| s.clone())
    }

    /// Its live feeds.
    pub fn live_feeds(&self) -> &[LiveFeed] {
        &self.live
    }

    /// The broker names it uses.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Stops everything at once without flushing (a test tearing down its world).
    pub fn abort(&self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }

    /// Stops the consumers (each finishes the message in hand) and the relay, then publishes what
    /// is still in the outbox, for at most `EVENTS_SHUTDOWN_FLUSH_MS`. Returns how many events
    /// the flush published.
    pub async fn shutdown(self) -> u64 {
        let flush_within = self.flush_within;
        let _ = self.stop.send(true);
        // Each consumer finishes the message in hand; a broker that no longer answers must not
        // hold the process: whatever has not stopped after this is aborted (unacked messages are
        // redelivered, the relay's open batch rolls back and is published by the flush or later).
        let deadline = tokio::time::Instant::now() + STOP_WITHIN;
        for task in self.tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout_at(deadline, task).await.is_err() {
                tracing::warn!("An events task did not stop in time; aborting it");
                abort.abort();
            }
        }
        match tokio::time::timeout(flush_within, self.relay.flush()).await {
            Ok(Ok(n)) => {
                tracing::info!(published = n, "Relay flushed the outbox");
                n
            }
            Ok(Err(error)) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "Relay flush failed; the events stay in the outbox for the next start"
                );
                0
            }
            Err(_) => {
                tracing::warn!(
                    within_ms = flush_within.as_millis() as u64,
                    "Relay flush timed out; the rest stays in the outbox for the next start"
                );
                0
            }
        }
    }
}
