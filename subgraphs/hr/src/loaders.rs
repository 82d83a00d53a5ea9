//! Per-request loaders: every entity fetched by id goes through one, so a batch of
//! representations or a page of employees with their managers costs one SQL query per type.

use std::sync::Arc;

use async_graphql::Context;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::batch::{BatchLoader, Flush};
use platform::loader::{ById, FetchById};
use platform::{AppError, Conn, Db};
use uuid::Uuid;

use crate::employees::{DepartmentRow, EmployeeRow};
use crate::schema::{departments, employees};

impl FetchById for EmployeeRow {
    fn id(&self) -> Uuid {
        self.id
    }
    async fn fetch(c: &mut Conn, ids: Vec<Uuid>) -> Result<Vec<Self>, AppError> {
        Ok(employees::table
            .filter(employees::id.eq_any(ids))
            .select(EmployeeRow::as_select())
            .load(c)
            .await?)
    }
}

impl FetchById for DepartmentRow {
    fn id(&self) -> Uuid {
        self.id
    }
    async fn fetch(c: &mut Conn, ids: Vec<Uuid>) -> Result<Vec<Self>, AppError> {
        Ok(departments::table
            .filter(departments::id.eq_any(ids))
            .select(DepartmentRow::as_select())
            .load(c)
            .await?)
    }
}

/// The loaders of one request.
pub struct Loaders {
    /// Employees by id.
    pub employees: BatchLoader<ById<EmployeeRow>>,
    /// Departments by id.
    pub departments: BatchLoader<ById<DepartmentRow>>,
}

impl Loaders {
    /// Loaders bound to `tenant`.
    pub fn new(db: Db, tenant: Uuid) -> Arc<Self> {
        Arc::new(Self {
            employees: ById::loader(db.clone(), tenant),
            departments: ById::loader(db, tenant),
        })
    }

    /// The request's loaders.
    pub fn of<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, AppError> {
        ctx.data_opt::<Arc<Loaders>>()
            .map(Arc::as_ref)
            .ok_or_else(|| AppError::unauthenticated("authentication required"))
    }
}

impl Flush for Loaders {
    fn flush(&self) {
        self.employees.flush();
        self.departments.flush();
    }
}
