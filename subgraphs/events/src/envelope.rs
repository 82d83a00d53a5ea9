//! The message body: one outbox row as JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The JSON body of every event message. `id` is also the AMQP `message_id` and the key of the
/// consumers' inbox; `seq` orders a tenant's events (the outbox's sequence).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = platform::schema::outbox, check_for_backend(diesel::pg::Pg))]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Event id (= AMQP message id).
    pub id: Uuid,
    /// Position in the database's outbox (increasing; a tenant's events in commit-ish order).
    pub seq: i64,
    /// The tenant the event belongs to; consumers handle it in that tenant's transaction.
    pub tenant_id: Uuid,
    /// Aggregate type, e.g. `employee`.
    pub aggregate_type: String,
    /// Aggregate id.
    pub aggregate_id: Uuid,
    /// `<aggregate>.<event>`, e.g. `employee.offboarded`.
    pub event_type: String,
    /// `<subgraph>.<aggregate>.<event>`, e.g. `hr.employee.offboarded`.
    pub routing_key: String,
    /// Event data for consumers.
    pub payload: Value,
    /// The request that caused it (correlation in logs).
    pub request_id: Option<String>,
    /// When the change was committed (the outbox row's time).
    pub occurred_at: DateTime<Utc>,
    /// The user whose request caused it (None for the system).
    #[serde(default)]
    pub actor_user_id: Option<Uuid>,
}

impl Envelope {
    /// Who a consumer acts as when it changes its own rows because of this event: the causing
    /// user (or the nil id for the system), in the event's tenant, with no roles or scopes (a
    /// handler never goes through the API's guards), under the event's request id (or its id).
    pub fn principal(&self) -> platform::auth::Principal {
        platform::auth::Principal {
            user_id: self.actor_user_id.unwrap_or(Uuid::nil()),
            tenant_id: self.tenant_id,
            employee_id: None,
            roles: Vec::new(),
            scopes: Vec::new(),
            request_id: self.request_id.clone().unwrap_or_else(|| self.id.to_string()),
        }
    }
}
