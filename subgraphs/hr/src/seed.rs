//! The demo studio of CONTRACT.md: tenants `northwind` (STUDIO) and `vendorx` (VENDOR), the six
//! demo users (password `studiograph-dev`), ~50 employees in departments, leave allocations and
//! public holidays. Ids are deterministic (UUID v5), so other subgraphs' seeds can refer to them.
//! Running it twice changes nothing.

use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::Role;
use platform::money::MoneyInput;
use platform::scalars::{Date, to_id};
use platform::{AppError, Conn, Db, Principal, ScopedFutureExt};
use uuid::Uuid;

use crate::employees::{CreateEmployeeInput, insert_employee};
use crate::schema::{departments, leave_allocations, public_holidays, tenants, users};

pub use platform::demo::{DEMO_PASSWORD, DEMO_USERS, DemoUser, demo_id, tenant_id};

fn system(tenant: Uuid) -> Principal {
    Principal {
        user_id: Uuid::nil(),
        tenant_id: tenant,
        employee_id: None,
        roles: vec![Role::Admin],
        scopes: vec!["*".into()],
        request_id: "seed".into(),
    }
}

/// What the seed did.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// Tenants created (0 when already seeded).
    pub tenants_created: usize,
    /// Employees created.
    pub employees_created: usize,
}

/// Seeds the demo data through the application role (row-level security applies).
pub async fn run(db: &Db) -> anyhow::Result<SeedReport> {
    let mut report = SeedReport::default();
    for &(slug, name, kind) in platform::demo::TENANTS {
        let tid = tenant_id(slug);
        let mut hashes = Vec::new();
        for u in DEMO_USERS.iter().filter(|u| u.tenant == slug) {
            hashes.push((u.email, crate::password::hash(DEMO_PASSWORD.to_owned()).await?));
        }
        let created = db
            .tx(tid, |c| {
                async move {
                    let exists: Option<Uuid> = tenants::table.find(tid).select(tenants::id).first(c).await.optional()?;
                    if exists.is_some() {
                        return Ok(0);
                    }
                    diesel::insert_into(tenants::table)
                        .values((
                            tenants::id.eq(tid),
                            tenants::slug.eq(slug),
                            tenants::name.eq(name),
                            tenants::kind.eq(kind),
                        ))
                        .execute(c)
                        .await?;
                    seed_tenant(c, slug, tid, hashes).await
                }
                .scope_boxed()
            })
            .await
            .map_err(|e| anyhow::anyhow!("seeding {slug}: {} ({})", e.message(), e.code().as_str()))?;
        if created > 0 {
            report.tenants_created += 1;
        }
        report.employees_created += created;
    }
    Ok(report)
}

async fn seed_tenant(c: &mut Conn, slug: &str, tid: Uuid, password_hashes: Vec<(&str, String)>) -> Result<usize, AppError> {
    let who = system(tid);
    for d in platform::demo::departments(slug) {
        diesel::insert_into(departments::table)
            .values((
                departments::id.eq(platform::demo::department_id(slug, d)),
                departments::tenant_id.eq(tid),
                departments::name.eq(*d),
            ))
            .execute(c)
            .await?;
    }
    let roster = platform::demo::roster(slug);
    for (n, e) in roster.iter().enumerate() {
        let input = CreateEmployeeInput {
            employee_number: Some(e.number.clone()),
            first_name: e.first.clone(),
            last_name: e.last.clone(),
            email: e.email.clone(),
            title: Some(e.title.clone()),
            department_id: Some(to_id(platform::demo::department_id(slug, e.department))),
            manager_id: e.manager_id.map(to_id),
            hire_date: Date(e.hire_date),
            salary: Some(MoneyInput {
                amount: format!("{}.{:02}", e.salary_minor / 100, e.salary_minor % 100),
                currency: "EUR".into(),
            }),
            phone: e.user.map(|_| format!("+44 20 7946 0{n:03}")),
            personal_email: e
                .user
                .map(|_| format!("{}.{}@example.com", e.first.to_lowercase(), e.last.to_lowercase())),
            birth_date: e
                .user
                .and_then(|_| NaiveDate::from_ymd_opt(1985 + (n as i32 % 12), 1 + (n as u32 % 12), 10))
                .map(Date),
            idempotency_key: None,
        };
        insert_employee(c, &who, e.id, &input).await?;
        if let Some(u) = e.user {
            let hash = password_hashes.iter().find(|(email, _)| *email == u.email).map(|(_, h)| h.clone());
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(u.user_id()),
                    users::tenant_id.eq(tid),
                    users::email.eq(u.email),
                    users::password_hash.eq(hash),
                    users::roles.eq(u.roles.iter().map(|r| r.as_str().to_owned()).collect::<Vec<_>>()),
                    users::employee_id.eq(Some(e.id)),
                ))
                .execute(c)
                .await?;
        }
    }
    let year = Utc::now().year();
    for e in &roster {
        for y in [year, year + 1] {
            diesel::insert_into(leave_allocations::table)
                .values((
                    leave_allocations::tenant_id.eq(tid),
                    leave_allocations::employee_id.eq(e.id),
                    leave_allocations::year.eq(y),
                    leave_allocations::leave_type.eq("VACATION"),
                    leave_allocations::days.eq(25),
                ))
                .execute(c)
                .await?;
        }
    }
    for y in [year, year + 1] {
        for (m, d, name) in [(1, 1, "New Year's Day"), (12, 25, "Christmas Day"), (12, 26, "Boxing Day")] {
            if let Some(day) = NaiveDate::from_ymd_opt(y, m, d) {
                diesel::insert_into(public_holidays::table)
                    .values((
                        public_holidays::tenant_id.eq(tid),
                        public_holidays::day.eq(day),
                        public_holidays::name.eq(name),
                    ))
                    .execute(c)
                    .await?;
            }
        }
    }
    Ok(roster.len())
}
