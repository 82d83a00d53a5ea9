//! Per-request DataLoaders: every entity fetched by id goes through one, so a batch of
//! representations or a list of managers costs one SQL query, not one per row.

use std::collections::HashMap;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::{AppError, Db, ScopedFutureExt};
use uuid::Uuid;

use crate::employees::{DepartmentRow, EmployeeRow};
use crate::schema::{departments, employees};

/// Loads employees by id within one tenant.
pub struct EmployeeLoader {
    db: Db,
    tenant: Uuid,
}

impl Loader<Uuid> for EmployeeLoader {
    type Value = EmployeeRow;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, EmployeeRow>, AppError> {
        let keys = keys.to_vec();
        let rows: Vec<EmployeeRow> = self
            .db
            .tx(self.tenant, |c| {
                async move {
                    Ok(employees::table
                        .filter(employees::id.eq_any(keys))
                        .select(EmployeeRow::as_select())
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

/// Loads departments by id within one tenant.
pub struct DepartmentLoader {
    db: Db,
    tenant: Uuid,
}

impl Loader<Uuid> for DepartmentLoader {
    type Value = DepartmentRow;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, DepartmentRow>, AppError> {
        let keys = keys.to_vec();
        let rows: Vec<DepartmentRow> = self
            .db
            .tx(self.tenant, |c| {
                async move {
                    Ok(departments::table
                        .filter(departments::id.eq_any(keys))
                        .select(DepartmentRow::as_select())
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

/// The loaders of one request.
pub struct Loaders {
    /// Employees by id.
    pub employees: DataLoader<EmployeeLoader>,
    /// Departments by id.
    pub departments: DataLoader<DepartmentLoader>,
    /// Employee ids named by `_entities` representations in the request's variables.
    entity_ids: Vec<Uuid>,
    entity_set: std::collections::HashSet<Uuid>,
    /// Those employees, loaded once by the first entity resolution.
    entities: tokio::sync::OnceCell<HashMap<Uuid, EmployeeRow>>,
}

impl Loaders {
    /// Loaders bound to `tenant`. Batches up to 1,000 keys collected within 1 ms.
    pub fn new(db: Db, tenant: Uuid) -> Self {
        Self {
            employees: DataLoader::new(EmployeeLoader { db: db.clone(), tenant }, tokio::spawn).max_batch_size(1000),
            departments: DataLoader::new(DepartmentLoader { db, tenant }, tokio::spawn).max_batch_size(1000),
            entity_ids: Vec::new(),
            entity_set: std::collections::HashSet::new(),
            entities: tokio::sync::OnceCell::new(),
        }
    }

    /// Remembers the `Employee` representations found in the request's variables, so that
    /// `_entities` loads them all in one query however its resolution is scheduled.
    pub fn with_representations(mut self, variables: &async_graphql::Variables) -> Self {
        use async_graphql::Value;
        for value in variables.values() {
            let Value::List(items) = value else { continue };
            for item in items {
                let Value::Object(obj) = item else { continue };
                let is_employee = matches!(obj.get("__typename"), Some(Value::String(t)) if t == "Employee");
                if let (true, Some(Value::String(id))) = (is_employee, obj.get("id"))
                    && let Ok(id) = Uuid::parse_str(id)
                    && self.entity_set.insert(id)
                {
                    self.entity_ids.push(id);
                }
            }
        }
        self
    }

    /// Resolves an `Employee` representation: from the request-wide batch when the id was
    /// announced in the variables, else through the DataLoader.
    pub async fn employee_entity(&self, id: Uuid) -> Result<Option<EmployeeRow>, AppError> {
        if self.entity_set.contains(&id) {
            let all = self
                .entities
                .get_or_try_init(|| Loader::load(self.employees.loader(), &self.entity_ids))
                .await?;
            return Ok(all.get(&id).cloned());
        }
        self.employees.load_one(id).await
    }

    /// The request's loaders.
    pub fn of<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, AppError> {
        ctx.data_opt::<Loaders>()
            .ok_or_else(|| AppError::unauthenticated("authentication required"))
    }
}
