//! The stack's event machinery in tests: every subgraph's relay and consumers on broker names
//! of their own (a per-stack prefix), deleted when the stack is dropped.

use std::time::{Duration, Instant};

use events::{EventsConfig, RunningEvents};
use platform::testing::TestServer;

/// The broker this test run uses.
pub fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| events::config::DEFAULT_AMQP_URL.to_owned())
}

/// A fresh configuration: a prefix of its own, quick retries and reconnects.
pub fn test_events_config() -> EventsConfig {
    let prefix = format!("test.{}.", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let mut cfg = EventsConfig::new(&amqp_url(), &prefix);
    cfg.retry_delay = Duration::from_millis(50);
    cfg.reconnect_max = Duration::from_secs(1);
    cfg.relay_poll = Duration::from_millis(500);
    cfg
}

/// The three subgraphs' relays and consumers.
pub struct StackEvents {
    pub cfg: EventsConfig,
    pub hr: RunningEvents,
    pub production: RunningEvents,
    pub render: RunningEvents,
}

impl StackEvents {
    pub fn start(cfg: EventsConfig, hr: &TestServer, production: &TestServer, render: &TestServer) -> Self {
        Self {
            hr: hr::test_support::start_events(hr, cfg.clone()),
            production: production::test_support::start_events(production, cfg.clone()),
            render: render::test_support::start_events(render, cfg.clone()),
            cfg,
        }
    }

    fn all(&self) -> [&RunningEvents; 3] {
        [&self.hr, &self.production, &self.render]
    }
}

impl Drop for StackEvents {
    /// Stops the relays and consumers, then deletes this stack's queues and exchanges (on a
    /// thread: we are inside the test's runtime).
    fn drop(&mut self) {
        for running in self.all() {
            running.abort();
        }
        let topology = events::Topology::from_config(&self.cfg);
        let queues: Vec<String> = topology.catalog_queues().into_iter().map(|q| q.name).collect();
        let url = amqp_url();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                let Ok(conn) = events::connect_amqp(&url, "test-cleanup").await else {
                    return;
                };
                let names: Vec<&str> = queues.iter().map(String::as_str).collect();
                let _ = topology.delete(&conn, &names).await;
                let _ = conn.close(200, "test done").await;
            });
        })
        .join();
    }
}

/// Polls `check` every 25 ms until it returns `Some`, for at most `within`; panics with `what`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < within, "timed out after {within:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
