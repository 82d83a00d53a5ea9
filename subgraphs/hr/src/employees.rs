//! Employees and departments: the `Employee` entity, the directory connection, and the HR
//! mutations that create, change and offboard people (with employment history).

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::RunQueryDsl;
use platform::auth::{RoleGuard, ScopeGuard, SelfOrRoleGuard, principal};
use platform::idempotency::Idempotent;
use platform::journal::{self, Change};
use platform::money::{Money, MoneyInput};
use platform::pagination::{decode_cursor, encode_cursor, page, page_size};
use platform::scalars::{Date, parse_id, to_id};
use platform::{AppError, Conn, Db, Principal, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::loaders::Loaders;
use crate::schema::{api_tokens, departments, employees, employment_history, leave_requests, users};
use crate::{HR_ROLES, SUBGRAPH};

/// An `employees` row.
#[allow(missing_docs)] // columns mirror the table
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = employees, check_for_backend(diesel::pg::Pg))]
pub struct EmployeeRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub employee_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub title: Option<String>,
    pub department_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub status: String,
    pub hire_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub offboard_reason: Option<String>,
    pub salary_minor: Option<i64>,
    pub salary_currency: Option<String>,
    pub phone: Option<String>,
    pub personal_email: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EmployeeRow {
    /// "First Last".
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// The event payload other subgraphs keep a replica of. `updatedAt` is when HR last changed
    /// the row; consumers order an employee's events by the envelope's `seq` (written under the
    /// employee's row lock), which never ties.
    pub fn replica_payload(&self) -> serde_json::Value {
        json!({
            "employeeId": self.id, "tenantId": self.tenant_id, "displayName": self.display_name(),
            "email": self.email, "status": self.status, "active": self.status != "OFFBOARDED",
            "managerId": self.manager_id, "departmentId": self.department_id, "updatedAt": self.updated_at,
        })
    }
}

/// A `departments` row.
#[allow(missing_docs)] // columns mirror the table
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = departments, check_for_backend(diesel::pg::Pg))]
pub struct DepartmentRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// Employment status.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum EmployeeStatus {
    /// Working.
    Active,
    /// On extended leave.
    OnLeave,
    /// Has left.
    Offboarded,
}

impl EmployeeStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::OnLeave => "ON_LEAVE",
            Self::Offboarded => "OFFBOARDED",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "ON_LEAVE" => Self::OnLeave,
            "OFFBOARDED" => Self::Offboarded,
            _ => Self::Active,
        }
    }
}

/// A department.
#[derive(SimpleObject, Clone)]
pub struct Department {
    /// Id.
    pub id: ID,
    /// Name.
    pub name: String,
}

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Self {
        Self {
            id: to_id(r.id),
            name: r.name,
        }
    }
}

/// A person employed by the tenant.
pub struct Employee(pub EmployeeRow);

#[Object]
impl Employee {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn employee_number(&self) -> &str {
        &self.0.employee_number
    }
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    async fn display_name(&self) -> String {
        self.0.display_name()
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<Department>, AppError> {
        let Some(id) = self.0.department_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.departments.load_one(id).await?.map(Department::from))
    }
    async fn manager(&self, ctx: &Context<'_>) -> Result<Option<Employee>, AppError> {
        let Some(id) = self.0.manager_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.employees.load_one(id).await?.map(Employee))
    }
    async fn status(&self) -> EmployeeStatus {
        EmployeeStatus::parse(&self.0.status)
    }
    async fn hire_date(&self) -> Date {
        Date(self.0.hire_date)
    }
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }
    /// Visible to HR_MANAGER, ADMIN and the employee; FORBIDDEN (and null) for others.
    #[graphql(guard = "SelfOrRoleGuard { employee_id: self.0.id, roles: HR_ROLES }")]
    async fn salary(&self) -> Option<Money> {
        match (self.0.salary_minor, &self.0.salary_currency) {
            (Some(m), Some(c)) => Some(Money::from_minor(m, c)),
            _ => None,
        }
    }
    /// Personal: HR and the employee only.
    #[graphql(guard = "SelfOrRoleGuard { employee_id: self.0.id, roles: HR_ROLES }")]
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Personal: HR and the employee only.
    #[graphql(guard = "SelfOrRoleGuard { employee_id: self.0.id, roles: HR_ROLES }")]
    async fn personal_email(&self) -> Option<&str> {
        self.0.personal_email.as_deref()
    }
    /// Personal: HR and the employee only.
    #[graphql(guard = "SelfOrRoleGuard { employee_id: self.0.id, roles: HR_ROLES }")]
    async fn birth_date(&self) -> Option<Date> {
        self.0.birth_date.map(Date)
    }
    /// Offboarding reason: HR only.
    #[graphql(guard = "RoleGuard(HR_ROLES)")]
    async fn offboard_reason(&self) -> Option<&str> {
        self.0.offboard_reason.as_deref()
    }
    /// Effective-dated changes of title, department, manager and salary: HR and the employee;
    /// FORBIDDEN (and null, the rest of the employee intact) for others.
    #[graphql(guard = "SelfOrRoleGuard { employee_id: self.0.id, roles: HR_ROLES }")]
    async fn employment_history(&self, ctx: &Context<'_>) -> Result<Option<Vec<EmploymentChange>>, AppError> {
        let p = principal(ctx)?;
        let id = self.0.id;
        let db = ctx.data_unchecked::<Db>();
        let rows: Vec<HistoryRow> = db
            .tx(p.tenant_id, |c| {
                async move {
                    Ok(employment_history::table
                        .filter(employment_history::employee_id.eq(id))
                        .order((employment_history::effective_date.asc(), employment_history::created_at.asc()))
                        .select(HistoryRow::as_select())
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Some(rows.into_iter().map(EmploymentChange).collect()))
    }
    /// Leave balances for a year (default: this year): the employee, their manager, or HR;
    /// FORBIDDEN (and null, the rest of the employee intact) for others.
    async fn leave_balances(&self, ctx: &Context<'_>, year: Option<i32>) -> Result<Option<Vec<crate::leave::LeaveBalance>>, AppError> {
        crate::leave::balances_for(ctx, &self.0, year).await.map(Some)
    }
}

/// An `employment_history` row.
#[allow(missing_docs)] // columns mirror the table
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = employment_history, check_for_backend(diesel::pg::Pg))]
pub struct HistoryRow {
    pub id: Uuid,
    pub effective_date: NaiveDate,
    pub title: Option<String>,
    pub department_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub salary_minor: Option<i64>,
    pub salary_currency: Option<String>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One effective-dated change of employment terms: the terms in force from that date.
pub struct EmploymentChange(HistoryRow);

#[Object]
impl EmploymentChange {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn effective_date(&self) -> Date {
        Date(self.0.effective_date)
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<Department>, AppError> {
        let Some(id) = self.0.department_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.departments.load_one(id).await?.map(Department::from))
    }
    async fn manager(&self, ctx: &Context<'_>) -> Result<Option<Employee>, AppError> {
        let Some(id) = self.0.manager_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.employees.load_one(id).await?.map(Employee))
    }
    async fn salary(&self) -> Option<Money> {
        match (self.0.salary_minor, &self.0.salary_currency) {
            (Some(m), Some(c)) => Some(Money::from_minor(m, c)),
            _ => None,
        }
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Filters of `employees`.
#[derive(InputObject, Default, Clone)]
pub struct EmployeeFilter {
    /// Any of these statuses.
    pub status: Option<Vec<EmployeeStatus>>,
    /// In this department.
    pub department_id: Option<ID>,
    /// Reporting to this manager.
    pub manager_id: Option<ID>,
    /// Case-insensitive match on first name, last name, "First Last", email or employee number.
    pub search: Option<String>,
}

/// `totalCount` of a connection, counted only when asked for.
pub struct EmployeeConnectionFields {
    filter: ParsedFilter,
}

#[Object]
impl EmployeeConnectionFields {
    /// Employees matching the filter, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64, AppError> {
        let p = principal(ctx)?;
        let filter = self.filter.clone();
        ctx.data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move { Ok(filtered(&filter).count().get_result(c).await?) }.scope_boxed()
            })
            .await
    }
}

#[derive(Clone, Default)]
struct ParsedFilter {
    status: Option<Vec<String>>,
    department_id: Option<Uuid>,
    manager_id: Option<Uuid>,
    search: Option<String>,
}

impl ParsedFilter {
    fn parse(f: Option<EmployeeFilter>) -> Result<Self, AppError> {
        let f = f.unwrap_or_default();
        Ok(Self {
            status: f.status.map(|s| s.into_iter().map(|x| x.as_str().to_owned()).collect()),
            department_id: f.department_id.as_ref().map(parse_id).transpose()?,
            manager_id: f.manager_id.as_ref().map(parse_id).transpose()?,
            search: f.search.filter(|s| !s.trim().is_empty()).map(|s| {
                let escaped = s.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                format!("%{escaped}%")
            }),
        })
    }
}

fn filtered(f: &ParsedFilter) -> employees::BoxedQuery<'static, diesel::pg::Pg> {
    let mut q = employees::table.into_boxed();
    if let Some(s) = &f.status {
        q = q.filter(employees::status.eq_any(s.clone()));
    }
    if let Some(d) = f.department_id {
        q = q.filter(employees::department_id.eq(d));
    }
    if let Some(m) = f.manager_id {
        q = q.filter(employees::manager_id.eq(m));
    }
    if let Some(pat) = &f.search {
        q = q.filter(
            employees::first_name
                .ilike(pat.clone())
                .or(employees::last_name.ilike(pat.clone()))
                .or(employees::email.ilike(pat.clone()))
                .or(employees::employee_number.ilike(pat.clone()))
                .or(employees::first_name.concat(" ").concat(employees::last_name).ilike(pat.clone())),
        );
    }
    q
}

/// The employee directory connection type.
pub type EmployeeConnection = Connection<String, Employee, EmployeeConnectionFields>;

/// Employee queries.
#[derive(Default)]
pub struct EmployeeQuery;

#[Object]
impl EmployeeQuery {
    /// The directory, ordered by last name, first name; keyset-paginated.
    #[graphql(guard = "ScopeGuard(\"hr:read\")")]
    async fn employees(
        &self,
        ctx: &Context<'_>,
        filter: Option<EmployeeFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EmployeeConnection, AppError> {
        let p = principal(ctx)?;
        let limit = page_size(first)?;
        let parsed = ParsedFilter::parse(filter)?;
        let cursor: Option<(String, String, Uuid)> = after.as_deref().map(decode_cursor).transpose()?;
        let f = parsed.clone();
        let rows: Vec<EmployeeRow> = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let mut q = filtered(&f);
                    if let Some((last, first, id)) = cursor {
                        q = q.filter(
                            diesel::dsl::sql::<Bool>("(last_name, first_name, id) > (")
                                .bind::<Text, _>(last)
                                .sql(", ")
                                .bind::<Text, _>(first)
                                .sql(", ")
                                .bind::<diesel::sql_types::Uuid, _>(id)
                                .sql(")"),
                        );
                    }
                    Ok(
                        q.order((employees::last_name.asc(), employees::first_name.asc(), employees::id.asc()))
                            .limit(limit + 1)
                            .select(EmployeeRow::as_select())
                            .load(c)
                            .await?,
                    )
                }
                .scope_boxed()
            })
            .await?;
        Ok(page(
            rows,
            limit,
            after.is_some(),
            EmployeeConnectionFields { filter: parsed },
            |r| encode_cursor(&(&r.last_name, &r.first_name, r.id)),
            Employee,
        ))
    }

    /// One employee, or null when there is none (in this tenant).
    #[graphql(guard = "ScopeGuard(\"hr:read\")")]
    async fn employee(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Employee>, AppError> {
        let id = parse_id(&id)?;
        Ok(Loaders::of(ctx)?.employees.load_one(id).await?.map(Employee))
    }

    /// Departments, by name.
    #[graphql(guard = "ScopeGuard(\"hr:read\")")]
    async fn departments(&self, ctx: &Context<'_>) -> Result<Vec<Department>, AppError> {
        let p = principal(ctx)?;
        let rows: Vec<DepartmentRow> = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    Ok(departments::table
                        .order(departments::name.asc())
                        .select(DepartmentRow::as_select())
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(rows.into_iter().map(Department::from).collect())
    }

    /// Federation: resolves `Employee` representations through the DataLoader.
    #[graphql(entity)]
    async fn find_employee_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Employee>, AppError> {
        let Ok(id) = parse_id(&id) else { return Ok(None) };
        Ok(Loaders::of(ctx)?.employees.load_one(id).await?.map(Employee))
    }
}

/// Input of `createEmployee`.
#[derive(InputObject, Serialize)]
pub struct CreateEmployeeInput {
    /// Defaults to the next `E#####` number.
    pub employee_number: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Work email, unique in the tenant.
    pub email: String,
    /// Job title.
    pub title: Option<String>,
    /// Department.
    pub department_id: Option<ID>,
    /// Manager.
    pub manager_id: Option<ID>,
    /// First day.
    pub hire_date: Date,
    /// Yearly salary.
    pub salary: Option<MoneyInput>,
    /// Personal phone.
    pub phone: Option<String>,
    /// Personal email.
    pub personal_email: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Replays within 24 h return the first result.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// Input of `updateEmployee`; omitted fields are unchanged, `null` clears.
#[derive(InputObject)]
pub struct UpdateEmployeeInput {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Work email.
    pub email: Option<String>,
    /// Job title.
    pub title: MaybeUndefined<String>,
    /// Department.
    pub department_id: MaybeUndefined<ID>,
    /// Manager.
    pub manager_id: MaybeUndefined<ID>,
    /// Yearly salary.
    pub salary: MaybeUndefined<MoneyInput>,
    /// ACTIVE or ON_LEAVE (use offboardEmployee to offboard).
    pub status: Option<EmployeeStatus>,
    /// Personal phone.
    pub phone: MaybeUndefined<String>,
    /// Personal email.
    pub personal_email: MaybeUndefined<String>,
    /// Birth date.
    pub birth_date: MaybeUndefined<Date>,
    /// When changed terms (title, department, manager, salary) take effect; default today, not in the future.
    pub effective_date: Option<Date>,
    /// Why the terms changed.
    pub reason: Option<String>,
}

fn clean(s: &str, field: &str, max: usize) -> Result<String, AppError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(AppError::bad_input(format!("{field} must be 1 to {max} characters")));
    }
    Ok(t.to_owned())
}

fn clean_email(s: &str) -> Result<String, AppError> {
    let t = s.trim().to_lowercase();
    let valid = t.len() <= 254
        && t.split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@') && !t.contains(char::is_whitespace));
    if !valid {
        return Err(AppError::bad_input(format!("{s:?} is not an email address")));
    }
    Ok(t)
}

/// Loads an employee row for update (locks it) or NOT_FOUND.
pub async fn lock_employee(c: &mut Conn, id: Uuid) -> Result<EmployeeRow, AppError> {
    employees::table
        .filter(employees::id.eq(id))
        .for_update()
        .select(EmployeeRow::as_select())
        .first(c)
        .await
        .optional()?
        .ok_or_else(|| AppError::not_found("employee"))
}

async fn check_no_manager_cycle(c: &mut Conn, employee: Uuid, new_manager: Uuid) -> Result<(), AppError> {
    let mut cursor = Some(new_manager);
    for _ in 0..64 {
        let Some(m) = cursor else { return Ok(()) };
        if m == employee {
            return Err(AppError::bad_input("managerId would create a reporting cycle"));
        }
        cursor = employees::table
            .filter(employees::id.eq(m))
            .select(employees::manager_id)
            .first::<Option<Uuid>>(c)
            .await
            .optional()?
            .flatten();
    }
    Err(AppError::bad_input("reporting chain is too deep"))
}

async fn record_history(
    c: &mut Conn,
    who: &Principal,
    row: &EmployeeRow,
    effective: NaiveDate,
    reason: Option<&str>,
) -> Result<(), AppError> {
    diesel::insert_into(employment_history::table)
        .values((
            employment_history::id.eq(Uuid::new_v4()),
            employment_history::tenant_id.eq(row.tenant_id),
            employment_history::employee_id.eq(row.id),
            employment_history::effective_date.eq(effective),
            employment_history::title.eq(&row.title),
            employment_history::department_id.eq(row.department_id),
            employment_history::manager_id.eq(row.manager_id),
            employment_history::salary_minor.eq(row.salary_minor),
            employment_history::salary_currency.eq(&row.salary_currency),
            employment_history::reason.eq(reason),
            employment_history::changed_by.eq(Some(who.user_id)),
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// The tenant's next free `E#####` number. A transaction-scoped advisory lock per tenant makes
/// concurrent hires take turns here, so two of them never pick the same number (a unique-key
/// failure the client would have to retry).
async fn next_employee_number(c: &mut Conn, tenant: Uuid) -> Result<String, AppError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended('hr.employee_number:' || $1::text, 0))")
        .bind::<diesel::sql_types::Uuid, _>(tenant)
        .execute(c)
        .await?;
    let mut next: i64 = employees::table.count().get_result::<i64>(c).await? + 1;
    loop {
        let number = format!("E{next:05}");
        let taken: i64 = employees::table
            .filter(employees::employee_number.eq(&number))
            .count()
            .get_result(c)
            .await?;
        if taken == 0 {
            return Ok(number);
        }
        next += 1;
    }
}

/// Inserts an employee (shared by the mutation and the demo seed).
pub async fn insert_employee(c: &mut Conn, who: &Principal, id: Uuid, input: &CreateEmployeeInput) -> Result<EmployeeRow, AppError> {
    let first = clean(&input.first_name, "firstName", 100)?;
    let last = clean(&input.last_name, "lastName", 100)?;
    let email = clean_email(&input.email)?;
    let salary = input.salary.as_ref().map(MoneyInput::to_minor).transpose()?;
    if salary.as_ref().is_some_and(|(m, _)| *m < 0) {
        return Err(AppError::bad_input("salary cannot be negative"));
    }
    let number = match &input.employee_number {
        Some(n) => clean(n, "employeeNumber", 40)?,
        None => next_employee_number(c, who.tenant_id).await?,
    };
    let department_id = input.department_id.as_ref().map(parse_id).transpose()?;
    let manager_id = input.manager_id.as_ref().map(parse_id).transpose()?;
    let row: EmployeeRow = diesel::insert_into(employees::table)
        .values((
            employees::id.eq(id),
            employees::tenant_id.eq(who.tenant_id),
            employees::employee_number.eq(number),
            employees::first_name.eq(first),
            employees::last_name.eq(last),
            employees::email.eq(email),
            employees::title.eq(input.title.as_deref().map(str::trim)),
            employees::department_id.eq(department_id),
            employees::manager_id.eq(manager_id),
            employees::hire_date.eq(input.hire_date.0),
            employees::salary_minor.eq(salary.as_ref().map(|s| s.0)),
            employees::salary_currency.eq(salary.map(|s| s.1)),
            employees::phone.eq(&input.phone),
            employees::personal_email.eq(&input.personal_email),
            employees::birth_date.eq(input.birth_date.map(|d| d.0)),
        ))
        .returning(EmployeeRow::as_returning())
        .get_result(c)
        .await?;
    record_history(c, who, &row, row.hire_date, Some("hired")).await?;
    journal::record(
        c,
        SUBGRAPH,
        who,
        Change {
            aggregate: "employee",
            aggregate_id: row.id,
            event: "created",
            before: None,
            after: Some(json!(row)),
            payload: row.replica_payload(),
        },
    )
    .await?;
    Ok(row)
}

/// Employee mutations (HR_MANAGER / ADMIN).
#[derive(Default)]
pub struct EmployeeMutation;

#[Object]
impl EmployeeMutation {
    /// Hires a person.
    #[graphql(guard = "RoleGuard(HR_ROLES).and(ScopeGuard(\"hr:write\"))")]
    async fn create_employee(&self, ctx: &Context<'_>, input: CreateEmployeeInput) -> Result<Employee, AppError> {
        let p = principal(ctx)?.clone();
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) =
                        Idempotent::begin(c, p.tenant_id, "createEmployee", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok(employees::table.find(id).select(EmployeeRow::as_select()).first(c).await?);
                    }
                    let row = insert_employee(c, &p, Uuid::new_v4(), &input).await?;
                    idem.finish(c, row.id).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Employee(row))
    }

    /// Changes a person's details; changed terms are recorded in the employment history.
    #[graphql(guard = "RoleGuard(HR_ROLES).and(ScopeGuard(\"hr:write\"))")]
    async fn update_employee(&self, ctx: &Context<'_>, id: ID, input: UpdateEmployeeInput) -> Result<Employee, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let today = Utc::now().date_naive();
        let effective = input.effective_date.map_or(today, |d| d.0);
        if effective > today {
            return Err(AppError::bad_input("effectiveDate cannot be in the future"));
        }
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let before = lock_employee(c, id).await?;
                    if before.status == "OFFBOARDED" {
                        return Err(AppError::conflict("employee is offboarded"));
                    }
                    let mut next = before.clone();
                    if let Some(v) = &input.first_name {
                        next.first_name = clean(v, "firstName", 100)?;
                    }
                    if let Some(v) = &input.last_name {
                        next.last_name = clean(v, "lastName", 100)?;
                    }
                    if let Some(v) = &input.email {
                        next.email = clean_email(v)?;
                    }
                    if let Some(s) = input.status {
                        if s == EmployeeStatus::Offboarded {
                            return Err(AppError::bad_input("use offboardEmployee to offboard"));
                        }
                        s.as_str().clone_into(&mut next.status);
                    }
                    apply(&input.title, &mut next.title, |v| Ok(v.trim().to_owned()))?;
                    apply(&input.department_id, &mut next.department_id, parse_id)?;
                    apply(&input.manager_id, &mut next.manager_id, parse_id)?;
                    apply(&input.phone, &mut next.phone, |v| Ok(v.clone()))?;
                    apply(&input.personal_email, &mut next.personal_email, |v| Ok(v.clone()))?;
                    apply(&input.birth_date, &mut next.birth_date, |v| Ok(v.0))?;
                    match &input.salary {
                        MaybeUndefined::Undefined => {}
                        MaybeUndefined::Null => {
                            next.salary_minor = None;
                            next.salary_currency = None;
                        }
                        MaybeUndefined::Value(m) => {
                            let (minor, cur) = m.to_minor()?;
                            if minor < 0 {
                                return Err(AppError::bad_input("salary cannot be negative"));
                            }
                            next.salary_minor = Some(minor);
                            next.salary_currency = Some(cur);
                        }
                    }
                    if let Some(m) = next.manager_id
                        && next.manager_id != before.manager_id
                    {
                        check_no_manager_cycle(c, id, m).await?;
                    }
                    let after: EmployeeRow = diesel::update(employees::table.find(id))
                        .set((
                            employees::first_name.eq(&next.first_name),
                            employees::last_name.eq(&next.last_name),
                            employees::email.eq(&next.email),
                            employees::title.eq(&next.title),
                            employees::department_id.eq(next.department_id),
                            employees::manager_id.eq(next.manager_id),
                            employees::status.eq(&next.status),
                            employees::salary_minor.eq(next.salary_minor),
                            employees::salary_currency.eq(&next.salary_currency),
                            employees::phone.eq(&next.phone),
                            employees::personal_email.eq(&next.personal_email),
                            employees::birth_date.eq(next.birth_date),
                            employees::updated_at.eq(diesel::dsl::now),
                        ))
                        .returning(EmployeeRow::as_returning())
                        .get_result(c)
                        .await?;
                    let terms_changed = before.title != after.title
                        || before.department_id != after.department_id
                        || before.manager_id != after.manager_id
                        || before.salary_minor != after.salary_minor
                        || before.salary_currency != after.salary_currency;
                    if terms_changed {
                        record_history(c, &p, &after, effective, input.reason.as_deref()).await?;
                    }
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "employee",
                            aggregate_id: id,
                            event: "updated",
                            before: Some(json!(before)),
                            after: Some(json!(after)),
                            payload: after.replica_payload(),
                        },
                    )
                    .await?;
                    Ok(after)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Employee(row))
    }

    /// Offboards a person: status OFFBOARDED, login disabled, API tokens revoked, pending leave
    /// cancelled; other subgraphs react to `hr.employee.offboarded`.
    #[graphql(guard = "RoleGuard(HR_ROLES).and(ScopeGuard(\"hr:write\"))")]
    async fn offboard_employee(&self, ctx: &Context<'_>, id: ID, effective_date: Date, reason: String) -> Result<Employee, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let reason = clean(&reason, "reason", 2000)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let before = lock_employee(c, id).await?;
                    if before.status == "OFFBOARDED" {
                        return Err(AppError::conflict("employee is already offboarded"));
                    }
                    if effective_date.0 < before.hire_date {
                        return Err(AppError::bad_input("effectiveDate is before the hire date"));
                    }
                    if p.is_employee(id) {
                        return Err(AppError::forbidden("you cannot offboard yourself"));
                    }
                    let after: EmployeeRow = diesel::update(employees::table.find(id))
                        .set((
                            employees::status.eq("OFFBOARDED"),
                            employees::end_date.eq(Some(effective_date.0)),
                            employees::offboard_reason.eq(Some(&reason)),
                            employees::updated_at.eq(diesel::dsl::now),
                        ))
                        .returning(EmployeeRow::as_returning())
                        .get_result(c)
                        .await?;
                    let user_ids: Vec<Uuid> = diesel::update(users::table.filter(users::employee_id.eq(id)))
                        .set(users::active.eq(false))
                        .returning(users::id)
                        .get_results(c)
                        .await?;
                    diesel::update(
                        api_tokens::table
                            .filter(api_tokens::user_id.eq_any(&user_ids))
                            .filter(api_tokens::revoked_at.is_null()),
                    )
                    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
                    .execute(c)
                    .await?;
                    let cancelled: Vec<Uuid> = diesel::update(
                        leave_requests::table
                            .filter(leave_requests::employee_id.eq(id))
                            .filter(leave_requests::status.eq("PENDING")),
                    )
                    .set((
                        leave_requests::status.eq("CANCELLED"),
                        leave_requests::decision_comment.eq("employee offboarded"),
                        leave_requests::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(leave_requests::id)
                    .get_results(c)
                    .await?;
                    let by_name: Option<(String, String)> = match p.employee_id {
                        Some(e) => employees::table
                            .find(e)
                            .select((employees::first_name, employees::last_name))
                            .first(c)
                            .await
                            .optional()?,
                        None => None,
                    };
                    let mut payload = after.replica_payload();
                    payload["effectiveDate"] = json!(effective_date.0);
                    payload["reason"] = json!(reason);
                    payload["cancelledLeaveRequestIds"] = json!(cancelled);
                    payload["offboardedBy"] = json!({
                        "userId": p.user_id, "employeeId": p.employee_id,
                        "displayName": by_name.map(|(first, last)| format!("{first} {last}")),
                    });
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "employee",
                            aggregate_id: id,
                            event: "offboarded",
                            before: Some(json!(before)),
                            after: Some(json!(after)),
                            payload,
                        },
                    )
                    .await?;
                    Ok(after)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Employee(row))
    }

    /// Creates a department.
    #[graphql(guard = "RoleGuard(HR_ROLES).and(ScopeGuard(\"hr:write\"))")]
    async fn create_department(&self, ctx: &Context<'_>, name: String) -> Result<Department, AppError> {
        let p = principal(ctx)?.clone();
        let name = clean(&name, "name", 200)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let row: DepartmentRow = diesel::insert_into(departments::table)
                        .values((
                            departments::id.eq(Uuid::new_v4()),
                            departments::tenant_id.eq(p.tenant_id),
                            departments::name.eq(&name),
                        ))
                        .returning(DepartmentRow::as_returning())
                        .get_result(c)
                        .await?;
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "department",
                            aggregate_id: row.id,
                            event: "created",
                            before: None,
                            after: Some(json!(row)),
                            payload: json!({"departmentId": row.id, "name": row.name}),
                        },
                    )
                    .await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(row.into())
    }
}

fn apply<T, U>(field: &MaybeUndefined<T>, target: &mut Option<U>, convert: impl Fn(&T) -> Result<U, AppError>) -> Result<(), AppError> {
    match field {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => *target = None,
        MaybeUndefined::Value(v) => *target = Some(convert(v)?),
    }
    Ok(())
}
