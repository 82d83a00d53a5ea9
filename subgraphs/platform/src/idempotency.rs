//! `idempotencyKey` support: the same key with the same input within 24 h returns the first
//! result and creates nothing new; the same key with different input is a CONFLICT.
//!
//! Both calls run inside the mutation's transaction; `claim` takes a transaction-scoped advisory
//! lock on the key, so two concurrent requests with one key serialize and the second sees the
//! first's result.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::Conn;
use crate::error::AppError;
use crate::schema::idempotency_keys as ik;

/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;

/// A fingerprint of the mutation's input.
pub fn fingerprint(input: &impl serde::Serialize) -> Vec<u8> {
    let json = serde_json::to_vec(input).unwrap_or_default();
    Sha256::digest(json).to_vec()
}

/// Locks the key for this transaction and returns the entity created by an earlier request with
/// the same key and input, if any.
pub async fn claim(conn: &mut Conn, tenant: Uuid, operation: &str, key: &str, hash: &[u8]) -> Result<Option<Uuid>, AppError> {
    if key.is_empty() || key.len() > 200 {
        return Err(AppError::bad_input("idempotencyKey must be 1 to 200 characters"));
    }
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("{tenant}/{operation}/{key}"))
        .execute(conn)
        .await?;
    let cutoff = chrono::Utc::now() - chrono::Duration::hours(RETENTION_HOURS);
    let found: Option<(Vec<u8>, Uuid)> = ik::table
        .filter(
            ik::tenant_id
                .eq(tenant)
                .and(ik::operation.eq(operation))
                .and(ik::key.eq(key))
                .and(ik::created_at.gt(cutoff)),
        )
        .select((ik::request_hash, ik::entity_id))
        .first(conn)
        .await
        .optional()?;
    match found {
        Some((h, id)) if h == hash => Ok(Some(id)),
        Some(_) => Err(AppError::conflict("idempotencyKey was already used with different input")),
        None => Ok(None),
    }
}

/// Remembers the entity created under the key (replacing an expired entry).
pub async fn remember(conn: &mut Conn, tenant: Uuid, operation: &str, key: &str, hash: &[u8], entity_id: Uuid) -> Result<(), AppError> {
    diesel::insert_into(ik::table)
        .values((
            ik::tenant_id.eq(tenant),
            ik::operation.eq(operation),
            ik::key.eq(key),
            ik::request_hash.eq(hash),
            ik::entity_id.eq(entity_id),
        ))
        .on_conflict((ik::tenant_id, ik::operation, ik::key))
        .do_update()
        .set((
            ik::request_hash.eq(hash),
            ik::entity_id.eq(entity_id),
            ik::created_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// One idempotent creation inside a mutation's transaction:
/// `begin` (replay or go on), create, then `finish` with the new entity's id.
pub struct Idempotent<'k> {
    tenant: Uuid,
    operation: &'static str,
    key: Option<&'k str>,
    hash: Vec<u8>,
}

impl<'k> Idempotent<'k> {
    /// Fingerprints `input`; when `key` was already used with the same input, returns the id of
    /// the entity created then (the caller returns that entity and creates nothing).
    pub async fn begin(
        conn: &mut Conn,
        tenant: Uuid,
        operation: &'static str,
        key: Option<&'k str>,
        input: &impl serde::Serialize,
    ) -> Result<(Self, Option<Uuid>), AppError> {
        let hash = fingerprint(input);
        let replayed = match key {
            Some(k) => claim(conn, tenant, operation, k, &hash).await?,
            None => None,
        };
        Ok((
            Self {
                tenant,
                operation,
                key,
                hash,
            },
            replayed,
        ))
    }

    /// Remembers the created entity under the key (no-op without a key).
    pub async fn finish(self, conn: &mut Conn, entity_id: Uuid) -> Result<(), AppError> {
        match self.key {
            Some(k) => remember(conn, self.tenant, self.operation, k, &self.hash, entity_id).await,
            None => Ok(()),
        }
    }
}
