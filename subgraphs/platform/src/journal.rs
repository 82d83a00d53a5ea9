//! Writes a mutation's side records in its own transaction: the audit row (who, when, what,
//! before/after) and the outbox event that the relay will publish to RabbitMQ.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::Conn;
use crate::error::AppError;
use crate::schema::{audit_log, outbox};

/// One domain change: audited, and published as `<subgraph>.<aggregate>.<event>`.
#[derive(Clone, Debug)]
pub struct Change<'a> {
    /// Aggregate type, e.g. `employee`.
    pub aggregate: &'a str,
    /// Aggregate id.
    pub aggregate_id: Uuid,
    /// Event name, e.g. `created`.
    pub event: &'a str,
    /// State before (None for creations).
    pub before: Option<Value>,
    /// State after (None for deletions).
    pub after: Option<Value>,
    /// Event payload for consumers.
    pub payload: Value,
}

/// Writes the audit row and the outbox event for `change`; returns the event id.
pub async fn record(conn: &mut Conn, subgraph: &str, who: &Principal, change: Change<'_>) -> Result<Uuid, AppError> {
    audit(
        conn,
        who,
        &format!("{}.{}", change.aggregate, change.event),
        change.aggregate,
        Some(change.aggregate_id),
        change.before,
        change.after,
    )
    .await?;
    publish(
        conn,
        subgraph,
        who.tenant_id,
        Some(&who.request_id),
        Some(who.user_id),
        change.aggregate,
        change.aggregate_id,
        change.event,
        change.payload,
    )
    .await
}

/// Writes one audit row. The application role may insert and read audit rows, never change them.
pub async fn audit(
    conn: &mut Conn,
    who: &Principal,
    action: &str,
    entity_type: &str,
    entity_id: Option<Uuid>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), AppError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::tenant_id.eq(who.tenant_id),
            audit_log::actor_user_id.eq(Some(who.user_id)),
            audit_log::action.eq(action),
            audit_log::entity_type.eq(entity_type),
            audit_log::entity_id.eq(entity_id),
            audit_log::before.eq(before),
            audit_log::after.eq(after),
            audit_log::request_id.eq(Some(&who.request_id)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Inserts an outbox event in the caller's transaction; returns its id (the future message id).
/// `actor_user_id` is the user whose request caused it (None for the system).
#[allow(clippy::too_many_arguments)]
pub async fn publish(
    conn: &mut Conn,
    subgraph: &str,
    tenant_id: Uuid,
    request_id: Option<&str>,
    actor_user_id: Option<Uuid>,
    aggregate: &str,
    aggregate_id: Uuid,
    event: &str,
    payload: Value,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(id),
            outbox::tenant_id.eq(tenant_id),
            outbox::aggregate_type.eq(aggregate),
            outbox::aggregate_id.eq(aggregate_id),
            outbox::event_type.eq(format!("{aggregate}.{event}")),
            outbox::routing_key.eq(format!("{subgraph}.{aggregate}.{event}")),
            outbox::payload.eq(payload),
            outbox::request_id.eq(request_id),
            outbox::actor_user_id.eq(actor_user_id),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}
