//! The production subgraph: projects, sequences, shots, assets, tasks with a per-project
//! workflow and dependencies, assignments, versions and reviews, notes and time logs, on the
//! `studiograph_production` database.

pub mod connections;
pub mod consumers;
pub mod event_log;
pub mod hierarchy;
pub mod loaders;
pub mod model;
pub mod objects;
pub mod people_sync;
pub mod render_results;
pub mod replica;
pub mod schema;
pub mod seed;
pub mod sharing;
pub mod subscriptions;
pub mod tasks;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod timelogs;
pub mod versions;
pub mod workflow;

use std::sync::Arc;

use async_graphql::{MergedObject, Schema};
use axum::Router;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use platform::auth::{JwtVerifier, Role};
use platform::config::{HttpConfig, Mode};
use platform::error::{ConstraintMessage, ErrorCode};
use platform::hardening::{GraphqlEndpoint, graphql_router};

/// The migrations of `studiograph_production`, embedded.
pub static MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/production");

/// This subgraph's name: the `aud` of its tokens and the first word of its routing keys.
pub const SUBGRAPH: &str = "production";

/// The PostgreSQL role the service connects as.
pub const APP_ROLE: &str = "studiograph_production_app";

/// The PostgreSQL role of this subgraph's outbox relay (migration `2026-11-22-000001_events`).
pub const RELAY_ROLE: &str = "studiograph_production_relay";

/// Roles that manage production (create, assign, review).
pub const MANAGERS: &[Role] = &[Role::Supervisor, Role::Admin];

/// The root query.
#[derive(MergedObject, Default)]
pub struct Query(
    hierarchy::HierarchyQuery,
    tasks::TaskQuery,
    versions::VersionQuery,
    subscriptions::EventLogQuery,
    sharing::SharingQuery,
);

/// The root mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    hierarchy::HierarchyMutation,
    tasks::TaskMutation,
    sharing::SharingMutation,
    versions::VersionMutation,
    timelogs::TimeLogMutation,
);

/// The root subscription.
pub use subscriptions::ProductionSubscription as Subscription;

/// The executable schema.
pub type ProductionSchema = Schema<Query, Mutation, Subscription>;

/// Shared state of a running production service.
#[derive(Clone)]
pub struct AppState {
    /// Application-role pool.
    pub db: platform::Db,
    /// Verifies the gateway's tokens (`aud` = `production`).
    pub verifier: Arc<JwtVerifier>,
    /// HTTP limits.
    pub http: HttpConfig,
    /// Development or production.
    pub mode: Mode,
    /// This replica's live feed and event-log listener.
    pub subscriptions: subscriptions::Subscriptions,
}

const CONSTRAINTS: &[ConstraintMessage] = &[
    ConstraintMessage {
        constraint: "projects_tenant_code_key",
        code: ErrorCode::Conflict,
        message: "a project with this code already exists",
    },
    ConstraintMessage {
        constraint: "shots_project_code_key",
        code: ErrorCode::Conflict,
        message: "a shot with this code already exists in the project",
    },
    ConstraintMessage {
        constraint: "assets_project_code_key",
        code: ErrorCode::Conflict,
        message: "an asset with this code already exists in the project",
    },
    ConstraintMessage {
        constraint: "versions_task_number_key",
        code: ErrorCode::Conflict,
        message: "concurrent publish; retry",
    },
    ConstraintMessage {
        constraint: "tasks_assignee_fkey",
        code: ErrorCode::AssigneeUnavailable,
        message: "no such employee",
    },
    ConstraintMessage {
        constraint: "notes_version_fkey",
        code: ErrorCode::BadUserInput,
        message: "versionId does not exist",
    },
];

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .enable_federation()
        .enable_subscription_in_federation()
}

/// Builds the schema: Federation v2, no suggestions, depth and complexity limits.
pub fn build_schema(state: &AppState) -> ProductionSchema {
    platform::error::register_constraint_messages(CONSTRAINTS);
    let mut b = builder()
        .disable_suggestions()
        .limit_depth(32)
        .limit_complexity(20_000)
        .limit_recursive_depth(64)
        .data(state.db.clone())
        .data(state.subscriptions.live.clone())
        .data(state.subscriptions.log.clone());
    if state.mode == Mode::Production {
        b = b.disable_introspection();
    }
    b.finish()
}

/// The SDL (Federation v2).
pub fn sdl() -> String {
    builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().federation().compose_directive())
}

/// All routes: `/graphql` (subscriptions over its WebSocket upgrade), `/healthz`, `/readyz`.
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
    graphql_router(endpoint).merge(platform::server::health_routes(state.db))
}
