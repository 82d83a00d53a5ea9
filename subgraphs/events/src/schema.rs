//! Diesel table of the consumers' inbox (migration `*_events`); the outbox is `platform::schema`.
#![allow(missing_docs)]

diesel::table! {
    inbox (queue, message_id) {
        queue -> Text,
        message_id -> Uuid,
        tenant_id -> Uuid,
        received_at -> Timestamptz,
    }
}
