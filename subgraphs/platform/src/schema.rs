//! Diesel definitions of the tables every subgraph database has (created by each subgraph's
//! first migration): the outbox, the audit log and idempotency keys.
#![allow(missing_docs)]

diesel::table! {
    outbox (id) {
        id -> Uuid,
        seq -> Int8,
        tenant_id -> Uuid,
        aggregate_type -> Text,
        aggregate_id -> Uuid,
        event_type -> Text,
        routing_key -> Text,
        payload -> Jsonb,
        request_id -> Nullable<Text>,
        occurred_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
        actor_user_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        tenant_id -> Uuid,
        actor_user_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Uuid>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (tenant_id, operation, key) {
        tenant_id -> Uuid,
        operation -> Text,
        key -> Text,
        request_hash -> Bytea,
        entity_id -> Uuid,
        created_at -> Timestamptz,
    }
}
