//! The local replica of HR's employees (id, tenant, name, status), used to validate assignments
//! without a synchronous call. HR's `employee.*` events keep it current (events issue); until
//! then the demo seed fills it.

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use platform::{AppError, Conn};
use uuid::Uuid;

use crate::schema::employee_replica;

/// One replicated employee.
#[derive(Clone, Debug)]
pub struct ReplicaEmployee {
    /// Employee id (HR's).
    pub id: Uuid,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Work email.
    pub email: Option<String>,
    /// ACTIVE, ON_LEAVE or OFFBOARDED.
    pub status: String,
}

/// Inserts or updates replicated employees.
pub async fn upsert(c: &mut Conn, people: &[ReplicaEmployee]) -> Result<usize, AppError> {
    let rows: Vec<_> = people
        .iter()
        .map(|e| {
            (
                employee_replica::id.eq(e.id),
                employee_replica::tenant_id.eq(e.tenant_id),
                employee_replica::display_name.eq(&e.display_name),
                employee_replica::email.eq(&e.email),
                employee_replica::status.eq(&e.status),
            )
        })
        .collect();
    Ok(diesel::insert_into(employee_replica::table)
        .values(rows)
        .on_conflict(employee_replica::id)
        .do_update()
        .set((
            employee_replica::display_name.eq(excluded(employee_replica::display_name)),
            employee_replica::email.eq(excluded(employee_replica::email)),
            employee_replica::status.eq(excluded(employee_replica::status)),
            employee_replica::updated_at.eq(diesel::dsl::now),
        ))
        .execute(c)
        .await?)
}
