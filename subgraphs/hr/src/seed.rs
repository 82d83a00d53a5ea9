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

/// The demo password (development only).
pub const DEMO_PASSWORD: &str = "studiograph-dev";

const NAMESPACE: Uuid = Uuid::from_u128(0x5d1a_4e7e_9a3b_4c1d_8f00_57d1_0a9a_f001);

/// The deterministic id of a demo object, e.g. `demo_id("employee", "northwind/artist")`.
pub fn demo_id(kind: &str, name: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{kind}:{name}").as_bytes())
}

/// Tenant id of `northwind` or `vendorx`.
pub fn tenant_id(slug: &str) -> Uuid {
    demo_id("tenant", slug)
}

/// A demo user: (tenant slug, email, roles, first, last, title, department).
pub type DemoUser = (
    &'static str,
    &'static str,
    &'static [Role],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The demo users of CONTRACT.md.
pub const DEMO_USERS: &[DemoUser] = &[
    (
        "northwind",
        "admin@northwind.test",
        &[Role::Admin],
        "Morgan",
        "Reyes",
        "Studio Administrator",
        "Production",
    ),
    (
        "northwind",
        "hr@northwind.test",
        &[Role::HrManager],
        "Helen",
        "Park",
        "HR Manager",
        "People",
    ),
    (
        "northwind",
        "sup@northwind.test",
        &[Role::Supervisor],
        "Sam",
        "Okafor",
        "CG Supervisor",
        "Animation",
    ),
    (
        "northwind",
        "artist@northwind.test",
        &[Role::Artist],
        "Ari",
        "Novak",
        "Animator",
        "Animation",
    ),
    (
        "northwind",
        "wrangler@northwind.test",
        &[Role::RenderWrangler],
        "Wren",
        "Castillo",
        "Render Wrangler",
        "Pipeline",
    ),
    (
        "vendorx",
        "lead@vendorx.test",
        &[Role::Vendor],
        "Lee",
        "Vance",
        "Vendor Lead",
        "Outsourcing",
    ),
];

const DEPARTMENTS: &[&str] = &[
    "Animation",
    "Lighting",
    "FX",
    "Compositing",
    "Modeling",
    "Pipeline",
    "Production",
    "People",
];
const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Dev", "Elif", "Finn", "Gia", "Hugo", "Isla", "Jonah", "Kira", "Luca", "Mara", "Nico", "Omar", "Priya", "Quinn",
    "Rosa", "Theo", "Uma", "Vik", "Willa",
];
const LAST: &[&str] = &[
    "Andersen", "Brooks", "Chen", "Duarte", "Eze", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kowalski", "Larsen", "Moreau",
    "Nakamura",
];

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
    for (slug, name, kind) in [("northwind", "Northwind Animation", "STUDIO"), ("vendorx", "VendorX FX", "VENDOR")] {
        let tid = tenant_id(slug);
        let mut hashes = Vec::new();
        for u in DEMO_USERS.iter().filter(|u| u.0 == slug) {
            hashes.push((u, crate::password::hash(DEMO_PASSWORD.to_owned()).await?));
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

async fn seed_tenant(c: &mut Conn, slug: &str, tid: Uuid, users_with_hashes: Vec<(&DemoUser, String)>) -> Result<usize, AppError> {
    let who = system(tid);
    let depts: &[&str] = if slug == "vendorx" { &["Outsourcing"] } else { DEPARTMENTS };
    for d in depts {
        diesel::insert_into(departments::table)
            .values((
                departments::id.eq(demo_id("department", &format!("{slug}/{d}"))),
                departments::tenant_id.eq(tid),
                departments::name.eq(*d),
            ))
            .execute(c)
            .await?;
    }
    let dept = |d: &str| Some(to_id(demo_id("department", &format!("{slug}/{d}"))));
    let hired = NaiveDate::from_ymd_opt(2021, 3, 1).unwrap_or_default();
    let mut count = 0;
    let mut employee_ids = Vec::new();
    let supervisor = demo_id("employee", "northwind/sup");
    // Demo users first (the supervisor before the artist who reports to them).
    for (u, hash) in &users_with_hashes {
        let local = u.1.split('@').next().unwrap_or(u.1);
        let eid = demo_id("employee", &format!("{slug}/{local}"));
        let manager = (u.1 == "artist@northwind.test").then(|| to_id(supervisor));
        let input = CreateEmployeeInput {
            employee_number: Some(format!("E{:05}", count + 1)),
            first_name: u.3.into(),
            last_name: u.4.into(),
            email: u.1.into(),
            title: Some(u.5.into()),
            department_id: dept(u.6),
            manager_id: manager,
            hire_date: Date(hired),
            salary: Some(MoneyInput {
                amount: format!("{}", 60_000 + 5_000 * count),
                currency: "EUR".into(),
            }),
            phone: Some(format!("+44 20 7946 0{:03}", count)),
            personal_email: Some(format!("{}.{}@example.com", u.3.to_lowercase(), u.4.to_lowercase())),
            birth_date: NaiveDate::from_ymd_opt(1985 + (count as i32 % 12), 1 + (count as u32 % 12), 10).map(Date),
            idempotency_key: None,
        };
        insert_employee(c, &who, eid, &input).await?;
        diesel::insert_into(users::table)
            .values((
                users::id.eq(demo_id("user", u.1)),
                users::tenant_id.eq(tid),
                users::email.eq(u.1),
                users::password_hash.eq(Some(hash)),
                users::roles.eq(u.2.iter().map(|r| r.as_str().to_owned()).collect::<Vec<_>>()),
                users::employee_id.eq(Some(eid)),
            ))
            .execute(c)
            .await?;
        employee_ids.push(eid);
        count += 1;
    }
    let extra = if slug == "northwind" { 45 } else { 3 };
    for i in 0..extra {
        let (first, last) = (FIRST[i % FIRST.len()], LAST[(i * 5 + i / FIRST.len()) % LAST.len()]);
        let department = depts[i % depts.len()];
        let eid = demo_id("employee", &format!("{slug}/staff-{i}"));
        let manager = if slug == "northwind" {
            Some(to_id(if department == "Animation" {
                supervisor
            } else {
                demo_id("employee", "northwind/admin")
            }))
        } else {
            Some(to_id(demo_id("employee", "vendorx/lead")))
        };
        let input = CreateEmployeeInput {
            employee_number: Some(format!("E{:05}", count + 1)),
            first_name: first.into(),
            last_name: last.into(),
            email: format!("{}.{}{}@{slug}.test", first.to_lowercase(), last.to_lowercase(), i),
            title: Some(format!("{department} Artist")),
            department_id: dept(department),
            manager_id: manager,
            hire_date: Date(hired + chrono::Days::new(i as u64 * 17)),
            salary: Some(MoneyInput {
                amount: format!("{}", 48_000 + 750 * i),
                currency: "EUR".into(),
            }),
            phone: None,
            personal_email: None,
            birth_date: None,
            idempotency_key: None,
        };
        insert_employee(c, &who, eid, &input).await?;
        employee_ids.push(eid);
        count += 1;
    }
    let year = Utc::now().year();
    for eid in &employee_ids {
        for y in [year, year + 1] {
            diesel::insert_into(leave_allocations::table)
                .values((
                    leave_allocations::tenant_id.eq(tid),
                    leave_allocations::employee_id.eq(eid),
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
    Ok(count)
}
