//! Test harness: the HR service over a fresh database (cloned from a migrated template) seeded
//! with the demo studio, on an ephemeral port.
#![allow(dead_code, unused_imports, missing_docs, clippy::unwrap_used)]

use platform::auth::Role;
use platform::testing::{TemplateSpec, TestServer};
use uuid::Uuid;

pub use platform::demo::{demo_id, employee_id, tenant_id};
pub use platform::testing::code;

pub type TestApp = TestServer;

pub fn spec() -> TemplateSpec {
    TemplateSpec {
        prefix: "studiograph_hr",
        app_role: hr::APP_ROLE,
        migrations: &hr::MIGRATIONS,
        migrations_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/hr"),
    }
}

/// Starts HR with the demo data.
pub async fn spawn() -> TestServer {
    TestServer::start(
        &spec(),
        hr::SUBGRAPH,
        8,
        async |db: &platform::Db, _: &platform::testing::TestDatabase| {
            hr::seed::run(db).await?;
            Ok(())
        },
        |db, verifier, _| {
            hr::router(hr::AppState {
                db,
                verifier,
                http: platform::config::HttpConfig::default(),
                mode: platform::config::Mode::Development,
            })
        },
    )
    .await
    .expect("start HR")
}

/// A demo user's principal data: (user id, tenant, employee, roles).
pub fn demo_user(email: &str) -> (Uuid, Uuid, Uuid, Vec<Role>) {
    let u = platform::demo::user(email).expect("demo user");
    (u.user_id(), tenant_id(u.tenant), u.employee_id(), u.roles.to_vec())
}
