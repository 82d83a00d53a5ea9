//! The broker's topology, declared idempotently at start-up by every relay and consumer.
//!
//! - `<prefix>studiograph.events`: durable topic exchange; routing key
//!   `<subgraph>.<aggregate>.<event>`.
//! - `<prefix>studiograph.events.dlx`: durable direct exchange receiving dead letters.
//! - `<prefix><subgraph>.<purpose>`: a consumer's durable quorum queue, bound to the topic
//!   exchange by routing-key patterns, with `x-delivery-limit` and `x-dead-letter-exchange` set
//!   explicitly and at-least-once dead-lettering; its dead letters go to
//!   `<prefix><subgraph>.<purpose>.dlq` (a quorum queue bound to the dead-letter exchange by the
//!   queue's name).
//!
//! Redeclaring with the same arguments is a no-op; with different arguments (e.g. another delivery
//! limit) RabbitMQ refuses with `PRECONDITION_FAILED`: change a live queue through a policy, or
//! delete and redeclare it.

use lapin::options::{ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Channel, Connection, ExchangeKind};

/// Exchange names and queue settings.
#[derive(Clone, Debug)]
pub struct Topology {
    /// Prefix of every name (empty in a deployment).
    pub prefix: String,
    /// The topic exchange events are published to.
    pub exchange: String,
    /// The dead-letter exchange.
    pub dead_letter_exchange: String,
    /// Attempts a message gets before it is dead-lettered; queues declare one less as their
    /// `x-delivery-limit` (RabbitMQ counts returns after the first delivery).
    pub delivery_limit: u32,
}

/// A consumer queue: its full name and the routing-key patterns it is bound with.
#[derive(Clone, Debug)]
pub struct QueueSpec {
    /// Full queue name (`<prefix><subgraph>.<purpose>`).
    pub name: String,
    /// Topic patterns, e.g. `hr.employee.*`.
    pub bindings: Vec<String>,
}

impl Topology {
    /// The names for `prefix`.
    pub fn new(prefix: &str, delivery_limit: u32) -> Self {
        Self {
            prefix: prefix.to_owned(),
            exchange: format!("{prefix}studiograph.events"),
            dead_letter_exchange: format!("{prefix}studiograph.events.dlx"),
            delivery_limit,
        }
    }

    /// From the events configuration.
    pub fn from_config(cfg: &crate::EventsConfig) -> Self {
        Self::new(&cfg.prefix, cfg.delivery_limit)
    }

    /// The queue of `subgraph` for `purpose`, bound with `bindings`.
    pub fn queue(&self, subgraph: &str, purpose: &str, bindings: &[&str]) -> QueueSpec {
        QueueSpec {
            name: format!("{}{subgraph}.{purpose}", self.prefix),
            bindings: bindings.iter().map(|b| (*b).to_owned()).collect(),
        }
    }

    /// Every queue of the platform's catalog ([`crate::catalog::QUEUES`]) under this prefix.
    pub fn catalog_queues(&self) -> Vec<QueueSpec> {
        crate::catalog::QUEUES
            .iter()
            .map(|q| self.queue(q.subgraph, q.purpose, q.bindings))
            .collect()
    }

    /// The names of [`Self::catalog_queues`] followed by `extra`: what a test deletes when a relay
    /// (which declares the whole catalog) ran under this prefix.
    pub fn catalog_queue_names_and(&self, extra: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = self.catalog_queues().into_iter().map(|q| q.name).collect();
        names.extend(extra.iter().map(|q| (*q).to_owned()));
        names
    }

    /// The dead-letter queue of `queue`.
    pub fn dead_letter_queue(queue: &str) -> String {
        format!("{queue}.dlq")
    }

    /// Declares both exchanges (durable).
    pub async fn declare_exchanges(&self, channel: &Channel) -> lapin::Result<()> {
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        channel
            .exchange_declare(&self.exchange, ExchangeKind::Topic, durable, FieldTable::default())
            .await?;
        channel
            .exchange_declare(&self.dead_letter_exchange, ExchangeKind::Direct, durable, FieldTable::default())
            .await
    }

    /// Declares the exchanges, `queue` with its bindings, and its dead-letter queue.
    pub async fn declare_queue(&self, channel: &Channel, queue: &QueueSpec) -> lapin::Result<()> {
        self.declare_exchanges(channel).await?;
        let durable = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };
        let dlq = Self::dead_letter_queue(&queue.name);
        channel.queue_declare(&dlq, durable, quorum()).await?;
        channel
            .queue_bind(
                &dlq,
                &self.dead_letter_exchange,
                &queue.name,
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let mut args = quorum();
        args.insert(
            "x-delivery-limit".into(),
            AMQPValue::LongLongInt(i64::from(self.delivery_limit.max(1) - 1)),
        );
        args.insert("x-dead-letter-exchange".into(), long_string(&self.dead_letter_exchange));
        args.insert("x-dead-letter-routing-key".into(), long_string(&queue.name));
        // At-least-once dead-lettering (RabbitMQ >= 3.10) keeps a poison message until the
        // dead-letter queue has confirmed it; it requires `reject-publish` overflow.
        args.insert("x-dead-letter-strategy".into(), long_string("at-least-once"));
        args.insert("x-overflow".into(), long_string("reject-publish"));
        channel.queue_declare(&queue.name, durable, args).await?;
        for pattern in &queue.bindings {
            channel
                .queue_bind(
                    &queue.name,
                    &self.exchange,
                    pattern,
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        Ok(())
    }

    /// Deletes `queues` (and their dead-letter queues) and both exchanges: test clean-up. Every
    /// name is attempted even after a failure (a failed operation closes its channel, so the next
    /// one gets a new channel); the first error is returned at the end.
    pub async fn delete(&self, connection: &Connection, queues: &[&str]) -> lapin::Result<()> {
        let mut first_error = None;
        let mut channel: Option<Channel> = None;
        let queue_names = queues
            .iter()
            .flat_map(|q| [(*q).to_owned(), Self::dead_letter_queue(q)])
            .map(|name| (name, false));
        let exchange_names = [self.exchange.clone(), self.dead_letter_exchange.clone()]
            .into_iter()
            .map(|name| (name, true));
        for (name, is_exchange) in queue_names.chain(exchange_names) {
            let ch = match &channel {
                Some(ch) if ch.status().connected() => ch.clone(),
                _ => match connection.create_channel().await {
                    Ok(ch) => {
                        channel = Some(ch.clone());
                        ch
                    }
                    // Without a channel nothing more can be deleted.
                    Err(e) => return Err(first_error.unwrap_or(e)),
                },
            };
            let result = if is_exchange {
                ch.exchange_delete(&name, ExchangeDeleteOptions::default()).await
            } else {
                ch.queue_delete(&name, QueueDeleteOptions::default()).await.map(|_| ())
            };
            if let Err(e) = result {
                tracing::warn!(name = %name, error = %e, "events: could not delete a test queue or exchange");
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

fn quorum() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(ShortString::from("x-queue-type"), long_string("quorum"));
    args
}

fn long_string(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s))
}
