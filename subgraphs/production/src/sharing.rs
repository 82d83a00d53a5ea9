//! Sharing tasks with vendor tenants (docs/adr/0006-vendor-sharing.md).
//!
//! A studio's SUPERVISOR or ADMIN shares a task with a VENDOR tenant (`shareTask`) and withdraws
//! it (`unshareTask`). Row-level security does the rest (migration `2026-11-24-000001_task_shares`):
//! SELECT-only policies let the vendor read the shared task, its project, its shot or asset, its
//! versions and its non-system notes; every write still passes only the row owner's
//! `tenant_isolation` policy. The application turns a vendor's write on shared work into
//! FORBIDDEN ([`ensure_own`], [`refuse_unlockable`]) instead of a NOT_FOUND or a foreign-key error.
//!
//! Production has no tenant registry of its own (HR owns `tenants`), so it keeps a small replica,
//! `tenant_replica`: each tenant's own row (written by the seed) and, readable by every tenant, the
//! rows of VENDOR tenants.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::{RoleGuard, ScopeGuard, principal};
use platform::journal::{self, Change};
use platform::loader::Group;
use platform::scalars::parse_id;
use platform::{AppError, Conn, Db, ErrorCode, Principal, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::model::TaskRow;
use crate::objects::Task;
use crate::schema::{task_shares, tasks, tenant_replica};
use crate::tasks::lock_task;
use crate::{MANAGERS, SUBGRAPH};

/// One share of a task with a vendor tenant.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = task_shares, check_for_backend(diesel::pg::Pg))]
pub struct ShareRow {
    /// The studio that owns the task.
    pub tenant_id: Uuid,
    /// The task.
    pub task_id: Uuid,
    /// The vendor it is shared with.
    pub vendor_tenant_id: Uuid,
    /// The studio user who shared it.
    pub shared_by: Option<Uuid>,
    /// When.
    pub shared_at: DateTime<Utc>,
}

/// The shares of a task (as its studio sees them).
pub struct SharesByTask;

impl Group for SharesByTask {
    type Row = ShareRow;
    fn parent(row: &ShareRow) -> Uuid {
        row.task_id
    }
    async fn fetch(c: &mut Conn, parents: Vec<Uuid>) -> Result<Vec<ShareRow>, AppError> {
        Ok(task_shares::table
            .filter(task_shares::task_id.eq_any(parents))
            .order((task_shares::task_id, task_shares::vendor_tenant_id))
            .select(ShareRow::as_select())
            .load(c)
            .await?)
    }
}

/// Whether a row of `tenant` belongs to the caller's tenant (rather than being shared with it).
pub fn is_own(p: &Principal, tenant: Uuid) -> bool {
    p.tenant_id == tenant
}

/// FORBIDDEN when a row the caller can see belongs to another tenant: shared work is read-only.
pub fn ensure_own(p: &Principal, tenant: Uuid, what: &str) -> Result<(), AppError> {
    if is_own(p, tenant) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("this {what} was shared with your studio read-only")))
    }
}

/// The error for a task the caller could not lock: FORBIDDEN when it is visible because it was
/// shared with the caller's tenant (row-level security lets a vendor read it, never lock or change
/// it), NOT_FOUND otherwise.
pub async fn refuse_unlockable(c: &mut Conn, id: Uuid) -> Result<AppError, AppError> {
    let visible: Option<Uuid> = tasks::table.find(id).select(tasks::tenant_id).first(c).await.optional()?;
    Ok(match visible {
        Some(_) => AppError::forbidden("this task was shared with your studio read-only"),
        None => AppError::not_found("task"),
    })
}

/// BAD_USER_INPUT unless `vendor` is a VENDOR tenant other than the caller's, per the replica.
async fn check_vendor(c: &mut Conn, p: &Principal, vendor: Uuid) -> Result<(), AppError> {
    if vendor == p.tenant_id {
        return Err(AppError::bad_input("a task cannot be shared with its own tenant"));
    }
    // RLS shows the caller its own row and the VENDOR rows only, so a studio reads as unknown.
    let kind: Option<String> = tenant_replica::table
        .find(vendor)
        .select(tenant_replica::kind)
        .first(c)
        .await
        .optional()?;
    match kind.as_deref() {
        Some("VENDOR") => Ok(()),
        _ => Err(AppError::new(ErrorCode::BadUserInput, "vendorTenantId is not a vendor tenant")),
    }
}

/// Whether `tenant` is a VENDOR tenant, per its own row of the replica (read as that tenant).
pub async fn is_vendor_tenant(db: &Db, tenant: Uuid) -> Result<bool, AppError> {
    let kind: Option<String> = db
        .tx(tenant, |c| {
            async move {
                Ok(tenant_replica::table
                    .find(tenant)
                    .select(tenant_replica::kind)
                    .first(c)
                    .await
                    .optional()?)
            }
            .scope_boxed()
        })
        .await?;
    Ok(kind.as_deref() == Some("VENDOR"))
}

/// Writes (or refreshes) the caller's own row of the tenant replica; the seed's, for now.
pub async fn upsert_tenant(c: &mut Conn, id: Uuid, slug: &str, name: &str, kind: &str) -> Result<(), AppError> {
    diesel::insert_into(tenant_replica::table)
        .values((
            tenant_replica::id.eq(id),
            tenant_replica::tenant_id.eq(id),
            tenant_replica::slug.eq(slug),
            tenant_replica::name.eq(name),
            tenant_replica::kind.eq(kind),
        ))
        .on_conflict(tenant_replica::id)
        .do_update()
        .set((
            tenant_replica::slug.eq(slug),
            tenant_replica::name.eq(name),
            tenant_replica::kind.eq(kind),
            tenant_replica::updated_at.eq(diesel::dsl::now),
        ))
        .execute(c)
        .await?;
    Ok(())
}

fn share_payload(task: &TaskRow, vendor: Uuid, by: Uuid) -> serde_json::Value {
    json!({
        "taskId": task.id, "projectId": task.project_id, "shotId": task.shot_id, "assetId": task.asset_id,
        "vendorTenantId": vendor, "by": by,
    })
}

/// Shares a task with a vendor (idempotent): the share row, its audit row and
/// `production.task.shared`, in one transaction; a repeated share changes and publishes nothing.
pub async fn share(c: &mut Conn, p: &Principal, task: Uuid, vendor: Uuid) -> Result<TaskRow, AppError> {
    let row = lock_task(c, task).await?;
    check_vendor(c, p, vendor).await?;
    let inserted: Option<ShareRow> = diesel::insert_into(task_shares::table)
        .values((
            task_shares::tenant_id.eq(p.tenant_id),
            task_shares::task_id.eq(task),
            task_shares::vendor_tenant_id.eq(vendor),
            task_shares::shared_by.eq(Some(p.user_id)),
        ))
        .on_conflict_do_nothing()
        .returning(ShareRow::as_returning())
        .get_result(c)
        .await
        .optional()?;
    if let Some(share) = inserted {
        journal::record(
            c,
            SUBGRAPH,
            p,
            Change {
                aggregate: "task",
                aggregate_id: task,
                event: "shared",
                before: None,
                after: Some(json!(share)),
                payload: share_payload(&row, vendor, p.user_id),
            },
        )
        .await?;
        tracing::info!(task.id = %task, vendor.tenant_id = %vendor, "Shared a task with a vendor");
    }
    Ok(row)
}

/// Withdraws a share (idempotent): deletes it with its audit row and `production.task.unshared`.
pub async fn unshare(c: &mut Conn, p: &Principal, task: Uuid, vendor: Uuid) -> Result<TaskRow, AppError> {
    let row = lock_task(c, task).await?;
    let deleted: Option<ShareRow> = diesel::delete(task_shares::table.find((task, vendor)))
        .returning(ShareRow::as_returning())
        .get_result(c)
        .await
        .optional()?;
    if let Some(share) = deleted {
        journal::record(
            c,
            SUBGRAPH,
            p,
            Change {
                aggregate: "task",
                aggregate_id: task,
                event: "unshared",
                before: Some(json!(share)),
                after: None,
                payload: share_payload(&row, vendor, p.user_id),
            },
        )
        .await?;
        tracing::info!(task.id = %task, vendor.tenant_id = %vendor, "Withdrew a task from a vendor");
    }
    Ok(row)
}

/// Sharing mutations (SUPERVISOR / ADMIN of the studio that owns the task).
#[derive(Default)]
pub struct SharingMutation;

#[Object]
impl SharingMutation {
    /// Shares a task with a vendor tenant, which may then read it (with its project, shot or
    /// asset, versions and notes) but not change it. Idempotent. NOT_FOUND for a task you cannot
    /// see, FORBIDDEN for one shared with you, BAD_USER_INPUT unless `vendorTenantId` is a vendor
    /// tenant other than yours.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn share_task(&self, ctx: &Context<'_>, task_id: ID, vendor_tenant_id: ID) -> Result<Task, AppError> {
        let p = principal(ctx)?.clone();
        let task = parse_id(&task_id)?;
        let vendor = parse_id(&vendor_tenant_id)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| async move { share(c, &p, task, vendor).await }.scope_boxed())
            .await?;
        Ok(Task(row))
    }

    /// Withdraws a task from a vendor tenant. Idempotent.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn unshare_task(&self, ctx: &Context<'_>, task_id: ID, vendor_tenant_id: ID) -> Result<Task, AppError> {
        let p = principal(ctx)?.clone();
        let task = parse_id(&task_id)?;
        let vendor = parse_id(&vendor_tenant_id)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| async move { unshare(c, &p, task, vendor).await }.scope_boxed())
            .await?;
        Ok(Task(row))
    }
}

/// A vendor tenant a studio can share work with.
#[derive(async_graphql::SimpleObject, Clone, Debug)]
pub struct VendorTenant {
    /// The tenant id (what `shareTask` takes).
    pub id: ID,
    /// URL-safe short name.
    pub slug: String,
    /// Display name.
    pub name: String,
}

/// Sharing queries.
#[derive(Default)]
pub struct SharingQuery;

#[Object]
impl SharingQuery {
    /// The vendor tenants work can be shared with (not the caller's own tenant), by name.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:read\"))")]
    async fn vendor_tenants(&self, ctx: &Context<'_>) -> Result<Vec<VendorTenant>, AppError> {
        let p = principal(ctx)?.clone();
        let rows: Vec<(Uuid, String, String)> = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    Ok(tenant_replica::table
                        .filter(tenant_replica::kind.eq("VENDOR"))
                        .filter(tenant_replica::id.ne(p.tenant_id))
                        .order((tenant_replica::name.asc(), tenant_replica::id.asc()))
                        .select((tenant_replica::id, tenant_replica::slug, tenant_replica::name))
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, slug, name)| VendorTenant {
                id: ID(id.to_string()),
                slug,
                name,
            })
            .collect())
    }
}
