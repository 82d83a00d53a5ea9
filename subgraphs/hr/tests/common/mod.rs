//! Test harness: the HR service over a fresh database (cloned from a migrated template) seeded
//! with the demo studio, on an ephemeral port.
#![allow(dead_code, unused_imports, missing_docs, clippy::unwrap_used)]

use platform::auth::Role;
use platform::testing::{TemplateSpec, TestServer};
use uuid::Uuid;

pub use platform::demo::{demo_id, employee_id, tenant_id};
pub use platform::testing::code;

pub type TestApp = TestServer;

pub use hr::test_support::spec;

/// Starts HR with the demo data.
pub async fn spawn() -> TestServer {
    hr::test_support::start(platform::auth::KeyPair::generate(), 8)
        .await
        .expect("start HR")
}

/// A demo user's principal data: (user id, tenant, employee, roles).
pub fn demo_user(email: &str) -> (Uuid, Uuid, Uuid, Vec<Role>) {
    let u = platform::demo::user(email).expect("demo user");
    (u.user_id(), tenant_id(u.tenant), u.employee_id(), u.roles.to_vec())
}
