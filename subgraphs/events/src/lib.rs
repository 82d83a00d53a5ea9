//! Domain events between the Studiograph subgraphs over RabbitMQ (docs/adr/0004-events.md).
//!
//! - [`topology`]: the topic exchange, the dead-letter exchange and the consumers' quorum queues,
//!   declared idempotently at start-up.
//! - [`relay`]: publishes the transactional outbox to the exchange with publisher confirms and
//!   marks rows published only after the broker's ack; woken by `LISTEN outbox`.
//! - [`consumer`]: consumes a queue with manual acks; each message is handled in one transaction
//!   that first records its id in the `inbox`, so a redelivery or a duplicate is a no-op.
//! - [`live`]: a replica's own exclusive queue fanned out to its subscriptions in-process.

pub mod catalog;
pub mod config;
pub mod consumer;
pub mod envelope;
pub mod live;
pub mod relay;
pub mod runtime;
pub mod schema;
pub mod topology;

mod backoff;

pub use config::EventsConfig;
pub use consumer::{Consumer, ConsumerStats, Handler, Outcome, handler};
pub use envelope::Envelope;
pub use live::LiveFeed;
pub use relay::{Relay, RelayStats};
pub use runtime::{EventsRuntime, RunningEvents};
pub use topology::{QueueSpec, Topology};

/// Opens an AMQP connection named `name` (shown in the management UI).
pub async fn connect_amqp(url: &str, name: &str) -> lapin::Result<lapin::Connection> {
    let props = lapin::ConnectionProperties::default().with_connection_name(name.into());
    lapin::Connection::connect(url, props).await
}
