//! The HR subgraph: tenants, users and API tokens, departments, employees with their employment
//! history, leave, public holidays and timesheets, on the `studiograph_hr` database.
//!
//! The library exposes [`build_schema`] and [`router`] so tests serve it in-process; `main.rs` is
//! a thin CLI (`serve | migrate | seed | dev-token`).

pub mod access;
pub mod consumers;
pub mod employees;
pub mod internal;
pub mod leave;
pub mod loaders;
pub mod password;
pub mod schema;
pub mod seed;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod timesheets;

use std::sync::Arc;

use async_graphql::{EmptySubscription, MergedObject, Schema};
use axum::Router;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use platform::auth::{JwtVerifier, Role};
use platform::config::{HttpConfig, Mode};
use platform::error::{ConstraintMessage, ErrorCode};
use platform::hardening::{GraphqlEndpoint, graphql_router};

/// The migrations of `studiograph_hr`, embedded.
pub static MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/hr");

/// This subgraph's name: the `aud` of its tokens and the first word of its routing keys.
pub const SUBGRAPH: &str = "hr";

/// The PostgreSQL role the service connects as.
pub const APP_ROLE: &str = "studiograph_hr_app";

/// The PostgreSQL role of this subgraph's outbox relay (migration `2026-11-22-000001_events`).
pub const RELAY_ROLE: &str = "studiograph_hr_relay";

/// Roles that see and edit everyone's personal data.
pub const HR_ROLES: &[Role] = &[Role::HrManager, Role::Admin];

/// The root query.
#[derive(MergedObject, Default)]
pub struct Query(
    employees::EmployeeQuery,
    leave::LeaveQuery,
    access::AccessQuery,
    timesheets::TimesheetQuery,
);

/// The root mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    employees::EmployeeMutation,
    leave::LeaveMutation,
    access::AccessMutation,
    timesheets::TimesheetMutation,
);

/// The executable schema.
pub type HrSchema = Schema<Query, Mutation, EmptySubscription>;

/// Shared state of a running HR service.
#[derive(Clone)]
pub struct AppState {
    /// Application-role pool.
    pub db: platform::Db,
    /// Verifies the gateway's tokens (`aud` = `hr`).
    pub verifier: Arc<JwtVerifier>,
    /// HTTP limits.
    pub http: HttpConfig,
    /// Development or production.
    pub mode: Mode,
}

const CONSTRAINTS: &[ConstraintMessage] = &[
    ConstraintMessage {
        constraint: "employees_tenant_email_key",
        code: ErrorCode::Conflict,
        message: "an employee with this email already exists",
    },
    ConstraintMessage {
        constraint: "employees_tenant_number_key",
        code: ErrorCode::Conflict,
        message: "an employee with this employee number already exists",
    },
    ConstraintMessage {
        constraint: "departments_tenant_name_key",
        code: ErrorCode::Conflict,
        message: "a department with this name already exists",
    },
    ConstraintMessage {
        constraint: "employees_department_fkey",
        code: ErrorCode::BadUserInput,
        message: "departmentId does not exist",
    },
    ConstraintMessage {
        constraint: "employees_manager_fkey",
        code: ErrorCode::BadUserInput,
        message: "managerId does not exist",
    },
    ConstraintMessage {
        constraint: "employees_not_own_manager",
        code: ErrorCode::BadUserInput,
        message: "an employee cannot manage themself",
    },
    ConstraintMessage {
        constraint: "leave_requests_no_overlap",
        code: ErrorCode::Conflict,
        message: "the leave overlaps another pending or approved request",
    },
    ConstraintMessage {
        constraint: "timesheet_period_closed",
        code: ErrorCode::Conflict,
        message: "the timesheet month is approved or locked",
    },
    ConstraintMessage {
        constraint: "users_email_key",
        code: ErrorCode::Conflict,
        message: "this login email is already in use",
    },
];

/// Builds the schema: Federation v2, no field suggestions, depth and complexity limits,
/// introspection only in development.
pub fn build_schema(state: &AppState) -> HrSchema {
    platform::error::register_constraint_messages(CONSTRAINTS);
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .enable_federation()
        .disable_suggestions()
        .limit_depth(32)
        .limit_complexity(20_000)
        .limit_recursive_depth(64)
        .data(state.db.clone());
    if state.mode == Mode::Production {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema with only its shape (for SDL export): no database needed.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .enable_federation()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().federation().compose_directive())
}

/// All routes: `/graphql`, `/healthz`, `/readyz`, and the gateway-only `/internal/auth/*`.
pub fn router(state: AppState) -> Router {
    let schema = build_schema(&state);
    let db = state.db.clone();
    let endpoint = GraphqlEndpoint {
        schema,
        verifier: state.verifier.clone(),
        limits: state.http.clone(),
        enrich: Arc::new(move |req, principal| {
            let loaders = loaders::Loaders::new(db.clone(), principal.tenant_id);
            (req.data(loaders.clone()), Some(loaders as Arc<dyn platform::batch::Flush>))
        }),
    };
    graphql_router(endpoint)
        .merge(platform::server::health_routes(state.db.clone()))
        .merge(internal::routes(state))
}
