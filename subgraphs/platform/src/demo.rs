//! The demo studio of CONTRACT.md, shared by every subgraph's seed so that they agree on ids:
//! tenants `northwind` (STUDIO) and `vendorx` (VENDOR), the six demo users and a roster of ~50
//! employees. Ids are UUID v5 of readable names, stable across runs and machines.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::auth::Role;

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

/// The demo tenants: (slug, name, kind).
pub const TENANTS: &[(&str, &str, &str)] = &[("northwind", "Northwind Animation", "STUDIO"), ("vendorx", "VendorX FX", "VENDOR")];

/// A demo login.
#[derive(Clone, Copy, Debug)]
pub struct DemoUser {
    /// Tenant slug.
    pub tenant: &'static str,
    /// Login email.
    pub email: &'static str,
    /// Roles.
    pub roles: &'static [Role],
    /// Given name.
    pub first: &'static str,
    /// Family name.
    pub last: &'static str,
    /// Job title.
    pub title: &'static str,
    /// Department name.
    pub department: &'static str,
}

impl DemoUser {
    /// The user's id.
    pub fn user_id(&self) -> Uuid {
        demo_id("user", self.email)
    }

    /// The user's employee id.
    pub fn employee_id(&self) -> Uuid {
        employee_id(self.tenant, self.email.split('@').next().unwrap_or(self.email))
    }
}

/// The employee id of a demo person: `employee_id("northwind", "artist")` or `("northwind", "staff-3")`.
pub fn employee_id(tenant: &str, local: &str) -> Uuid {
    demo_id("employee", &format!("{tenant}/{local}"))
}

/// The department id of a demo department.
pub fn department_id(tenant: &str, name: &str) -> Uuid {
    demo_id("department", &format!("{tenant}/{name}"))
}

/// The demo users of CONTRACT.md.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        tenant: "northwind",
        email: "admin@northwind.test",
        roles: &[Role::Admin],
        first: "Morgan",
        last: "Reyes",
        title: "Studio Administrator",
        department: "Production",
    },
    DemoUser {
        tenant: "northwind",
        email: "hr@northwind.test",
        roles: &[Role::HrManager],
        first: "Helen",
        last: "Park",
        title: "HR Manager",
        department: "People",
    },
    DemoUser {
        tenant: "northwind",
        email: "sup@northwind.test",
        roles: &[Role::Supervisor],
        first: "Sam",
        last: "Okafor",
        title: "CG Supervisor",
        department: "Animation",
    },
    DemoUser {
        tenant: "northwind",
        email: "artist@northwind.test",
        roles: &[Role::Artist],
        first: "Ari",
        last: "Novak",
        title: "Animator",
        department: "Animation",
    },
    DemoUser {
        tenant: "northwind",
        email: "wrangler@northwind.test",
        roles: &[Role::RenderWrangler],
        first: "Wren",
        last: "Castillo",
        title: "Render Wrangler",
        department: "Pipeline",
    },
    DemoUser {
        tenant: "vendorx",
        email: "lead@vendorx.test",
        roles: &[Role::Vendor],
        first: "Lee",
        last: "Vance",
        title: "Vendor Lead",
        department: "Outsourcing",
    },
];

/// Finds a demo user by email.
pub fn user(email: &str) -> Option<&'static DemoUser> {
    DEMO_USERS.iter().find(|u| u.email == email)
}

/// Departments of a demo tenant.
pub fn departments(tenant: &str) -> &'static [&'static str] {
    if tenant == "vendorx" {
        &["Outsourcing"]
    } else {
        &[
            "Animation",
            "Lighting",
            "FX",
            "Compositing",
            "Modeling",
            "Pipeline",
            "Production",
            "People",
        ]
    }
}

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Dev", "Elif", "Finn", "Gia", "Hugo", "Isla", "Jonah", "Kira", "Luca", "Mara", "Nico", "Omar", "Priya", "Quinn",
    "Rosa", "Theo", "Uma", "Vik", "Willa",
];
const LAST: &[&str] = &[
    "Andersen", "Brooks", "Chen", "Duarte", "Eze", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kowalski", "Larsen", "Moreau",
    "Nakamura",
];

/// One person of the demo roster.
#[derive(Clone, Debug)]
pub struct DemoEmployee {
    /// Employee id.
    pub id: Uuid,
    /// `E00001`…
    pub number: String,
    /// Given name.
    pub first: String,
    /// Family name.
    pub last: String,
    /// Work email.
    pub email: String,
    /// Job title.
    pub title: String,
    /// Department name.
    pub department: &'static str,
    /// Manager's employee id.
    pub manager_id: Option<Uuid>,
    /// First day.
    pub hire_date: NaiveDate,
    /// Yearly salary in cents (EUR).
    pub salary_minor: i64,
    /// The login, for the six demo users.
    pub user: Option<&'static DemoUser>,
}

impl DemoEmployee {
    /// "First Last".
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// The roster of a demo tenant, managers before their reports: the demo users first, then staff
/// (45 at northwind, 3 at vendorx).
pub fn roster(tenant: &str) -> Vec<DemoEmployee> {
    let hired = NaiveDate::from_ymd_opt(2021, 3, 1).unwrap_or_default();
    let supervisor = employee_id("northwind", "sup");
    let mut out = Vec::new();
    for u in DEMO_USERS.iter().filter(|u| u.tenant == tenant) {
        let n = out.len();
        out.push(DemoEmployee {
            id: u.employee_id(),
            number: format!("E{:05}", n + 1),
            first: u.first.into(),
            last: u.last.into(),
            email: u.email.into(),
            title: u.title.into(),
            department: u.department,
            manager_id: (u.email == "artist@northwind.test").then_some(supervisor),
            hire_date: hired,
            salary_minor: (60_000 + 5_000 * n as i64) * 100,
            user: Some(u),
        });
    }
    let depts = departments(tenant);
    let staff = if tenant == "northwind" { 45 } else { 3 };
    for i in 0..staff {
        let n = out.len();
        let (first, last) = (FIRST[i % FIRST.len()], LAST[(i * 5 + i / FIRST.len()) % LAST.len()]);
        let department = depts[i % depts.len()];
        let manager = match tenant {
            "northwind" if department == "Animation" => supervisor,
            "northwind" => employee_id("northwind", "admin"),
            _ => employee_id(tenant, "lead"),
        };
        out.push(DemoEmployee {
            id: employee_id(tenant, &format!("staff-{i}")),
            number: format!("E{:05}", n + 1),
            first: first.into(),
            last: last.into(),
            email: format!("{}.{}{}@{tenant}.test", first.to_lowercase(), last.to_lowercase(), i),
            title: format!("{department} Artist"),
            department,
            manager_id: Some(manager),
            hire_date: hired + chrono::Days::new(i as u64 * 17),
            salary_minor: (48_000 + 750 * i as i64) * 100,
            user: None,
        });
    }
    out
}

/// A one-hour internal token for a demo user addressed to `audience`, signed with the development
/// key pair (`DEV_KEY_DIR`): what the `dev-token` commands print. Refused in production mode.
pub fn dev_token(audience: &str, email: &str) -> anyhow::Result<String> {
    use anyhow::Context as _;
    if crate::config::Mode::from_env()? == crate::config::Mode::Production {
        anyhow::bail!("dev-token is disabled in production mode");
    }
    let u = user(email).with_context(|| format!("{email} is not a demo user"))?;
    let cfg = crate::config::AuthConfig::from_env();
    crate::auth::KeyPair::load_or_create_dev(&cfg.dev_key_dir)?
        .signer(&cfg.issuer)
        .sign(&crate::auth::TokenRequest {
            subject: u.user_id().to_string(),
            tenant_id: tenant_id(u.tenant),
            employee_id: Some(u.employee_id()),
            roles: u.roles.to_vec(),
            scopes: vec![crate::auth::ALL_SCOPES.into()],
            audience: audience.into(),
            ttl_seconds: 3600,
        })
}
