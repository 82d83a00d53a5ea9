//! Events configuration from the environment.
//!
//! Variables:
//! - `EVENTS_ENABLED` (`true`): whether a service runs its relay and consumers; `false` only for
//!   a service that must not touch RabbitMQ (its mutations still write the outbox).
//! - `EVENTS_SHUTDOWN_FLUSH_MS` (10000): at shutdown, how long the relay may spend publishing
//!   what is left in the outbox.
//! - `AMQP_URL` (`amqp://guest:guest@127.0.0.1:5672/%2f`): the RabbitMQ broker.
//! - `EVENTS_PREFIX` (empty): prepended to every exchange and queue name (isolated test runs,
//!   several stacks on one broker).
//! - `EVENTS_DELIVERY_LIMIT` (5): attempts a message gets (handler failure, consumer lost) before
//!   it is dead-lettered; queues declare `x-delivery-limit` = attempts - 1 (RabbitMQ counts
//!   returns after the first delivery).
//! - `EVENTS_PREFETCH` (32): unacknowledged messages a consumer holds.
//! - `EVENTS_RETRY_DELAY_MS` (200): pause before a failed message is returned to its queue.
//! - `EVENTS_RELAY_BATCH` (200): outbox rows claimed per relay transaction.
//! - `EVENTS_RELAY_POLL_MS` (2000): the relay's safety-net poll when no `NOTIFY` arrives.
//! - `EVENTS_CONFIRM_TIMEOUT_MS` (30000): longest wait for the broker's confirms of a batch.
//! - `EVENTS_RETENTION_DAYS` (30): published outbox rows and inbox ids older than this are
//!   deleted by the relay (0 keeps them forever).
//! - `EVENTS_RECONNECT_MAX_MS` (30000): longest back-off between reconnection attempts.
//! - `<SVC>_RELAY_DATABASE_URL` (`<SVC>_MIGRATION_DATABASE_URL`, then `<SVC>_DATABASE_URL`): the
//!   relay's PostgreSQL role, `studiograph_<svc>_relay` (see [`relay_database_url`]).

use std::time::Duration;

use platform::config::{optional, parsed};
use secrecy::SecretString;

/// The default broker URL (the team's machines and `make dev`).
pub const DEFAULT_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Settings shared by the relay and the consumers.
#[derive(Clone, Debug)]
pub struct EventsConfig {
    /// Broker URL (may hold a password).
    pub amqp_url: SecretString,
    /// Prefix of every exchange and queue name.
    pub prefix: String,
    /// Attempts a message gets before it is dead-lettered (at least 1).
    pub delivery_limit: u32,
    /// Consumer prefetch (`basic.qos`).
    pub prefetch: u16,
    /// Pause before a failed message is returned to its queue.
    pub retry_delay: Duration,
    /// Outbox rows per relay transaction.
    pub relay_batch: i64,
    /// Safety-net poll interval of the relay.
    pub relay_poll: Duration,
    /// Longest wait for a batch's publisher confirms.
    pub confirm_timeout: Duration,
    /// Published outbox rows and inbox ids older than this many days are deleted (0: never).
    pub retention_days: u32,
    /// Longest reconnect back-off.
    pub reconnect_max: Duration,
    /// Whether the service runs its relay and consumers (`EVENTS_ENABLED`).
    pub enabled: bool,
    /// Longest relay flush at shutdown (`EVENTS_SHUTDOWN_FLUSH_MS`).
    pub shutdown_flush: Duration,
}

impl EventsConfig {
    /// Reads the variables listed in the module documentation.
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            amqp_url: SecretString::from(optional("AMQP_URL").unwrap_or_else(|| DEFAULT_AMQP_URL.to_owned())),
            prefix: optional("EVENTS_PREFIX").unwrap_or_default(),
            delivery_limit: parsed("EVENTS_DELIVERY_LIMIT", 5)?,
            prefetch: parsed("EVENTS_PREFETCH", 32)?,
            retry_delay: Duration::from_millis(parsed("EVENTS_RETRY_DELAY_MS", 200)?),
            relay_batch: parsed("EVENTS_RELAY_BATCH", 200)?,
            relay_poll: Duration::from_millis(parsed("EVENTS_RELAY_POLL_MS", 2000)?),
            confirm_timeout: Duration::from_millis(parsed("EVENTS_CONFIRM_TIMEOUT_MS", 30_000)?),
            retention_days: parsed("EVENTS_RETENTION_DAYS", 30)?,
            reconnect_max: Duration::from_millis(parsed("EVENTS_RECONNECT_MAX_MS", 30_000)?),
            enabled: parsed("EVENTS_ENABLED", true)?,
            shutdown_flush: Duration::from_millis(parsed("EVENTS_SHUTDOWN_FLUSH_MS", 10_000)?),
        })
    }

    /// Defaults with a given broker and prefix (tests, tools).
    pub fn new(amqp_url: &str, prefix: &str) -> Self {
        Self {
            amqp_url: SecretString::from(amqp_url.to_owned()),
            prefix: prefix.to_owned(),
            delivery_limit: 5,
            prefetch: 32,
            retry_delay: Duration::from_millis(200),
            relay_batch: 200,
            relay_poll: Duration::from_millis(2000),
            confirm_timeout: Duration::from_secs(30),
            retention_days: 30,
            reconnect_max: Duration::from_secs(30),
            enabled: true,
            shutdown_flush: Duration::from_secs(10),
        }
    }
}

/// The relay's database URL: `<prefix>_RELAY_DATABASE_URL`, else the migration URL (an owner that
/// is a superuser in development), else `<prefix>_DATABASE_URL` (which cannot see other tenants'
/// rows: set one of the first two in any real deployment).
pub fn relay_database_url(prefix: &str) -> anyhow::Result<SecretString> {
    match optional(&format!("{prefix}_RELAY_DATABASE_URL")) {
        Some(url) => Ok(SecretString::from(url)),
        None => platform::config::migration_url(prefix),
    }
}
