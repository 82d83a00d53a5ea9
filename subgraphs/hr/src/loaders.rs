//! Per-request DataLoaders: every entity fetched by id goes through one, so a batch of
//! representations or a list of managers costs one SQL query, not one per row.

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::loader::{ByIdLoader, EntityBatch, FetchById};
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
    pub employees: DataLoader<ByIdLoader<EmployeeRow>>,
    /// Departments by id.
    pub departments: DataLoader<ByIdLoader<DepartmentRow>>,
    /// `Employee` representations announced in the request's variables.
    entities: EntityBatch<EmployeeRow>,
}

impl Loaders {
    /// Loaders bound to `tenant`, knowing the request's `_entities` representations.
    pub fn new(db: Db, tenant: Uuid, variables: &async_graphql::Variables) -> Self {
        Self {
            employees: ByIdLoader::data_loader(db.clone(), tenant),
            departments: ByIdLoader::data_loader(db, tenant),
            entities: EntityBatch::from_variables(variables, "Employee"),
        }
    }

    /// Resolves an `Employee` representation (one query for the whole `_entities` batch).
    pub async fn employee_entity(&self, id: Uuid) -> Result<Option<EmployeeRow>, AppError> {
        self.entities.get(&self.employees, id).await
    }

    /// The request's loaders.
    pub fn of<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, AppError> {
        ctx.data_opt::<Loaders>()
            .ok_or_else(|| AppError::unauthenticated("authentication required"))
    }
}
