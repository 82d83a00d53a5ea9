//! The render subgraph: pools shared across tenants with quotas and rate cards, workers with
//! heartbeats, jobs split into frame-chunk tasks, a fair-share scheduler, attempts and cost, on
//! the `studiograph_render` database; plus the render-node agent (`agent`, binary
//! `render-agent`).

pub mod agent;
pub mod auto_render;
pub mod consumers;
pub mod jobs;
pub mod loaders;
pub mod model;
pub mod objects;
pub mod offboarding;
pub mod pools;
pub mod replicas;
pub mod scheduler;
pub mod schema;
pub mod seed;
pub mod subscriptions;
#[cfg(feature = "test-support")]
pub mod test_support;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{MergedObject, Schema};
use axum::Router;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use platform::auth::{JwtVerifier, Role};
use platform::config::{HttpConfig, Mode};
use platform::error::{ConstraintMessage, ErrorCode};
use platform::hardening::{GraphqlEndpoint, graphql_router};

/// The migrations of `studiograph_render`, embedded.
pub static MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/render");

/// This subgraph's name.
pub const SUBGRAPH: &str = "render";

/// The PostgreSQL role of requests (row-level security applies).
pub const APP_ROLE: &str = "studiograph_render_app";

/// The PostgreSQL role of this subgraph's outbox relay (migration `2026-11-22-000001_events`).
pub const RELAY_ROLE: &str = "studiograph_render_relay";

/// The PostgreSQL role of the scheduler (BYPASSRLS: pools are shared across tenants).
pub const SCHEDULER_ROLE: &str = "studiograph_render_scheduler";

/// Roles that run render agents.
pub const AGENT_ROLES: &[Role] = &[Role::RenderWrangler, Role::Admin];

/// Roles that may manage anyone's jobs.
pub const OPERATORS: &[Role] = &[Role::RenderWrangler, Role::Admin, Role::Supervisor];

/// The root query.
#[derive(MergedObject, Default)]
pub struct Query(jobs::RenderQuery, pools::PoolQuery);

/// The root mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(jobs::RenderMutation);

/// The root subscription.
pub use subscriptions::RenderSubscription as Subscription;

/// The executable schema.
pub type RenderSchema = Schema<Query, Mutation, Subscription>;

/// Shared state of a running render service.
#[derive(Clone)]
pub struct AppState {
    /// Application-role pool (RLS).
    pub db: platform::Db,
    /// The scheduler (its own BYPASSRLS pool).
    pub scheduler: scheduler::Scheduler,
    /// Verifies the gateway's tokens (`aud` = `render`).
    pub verifier: Arc<JwtVerifier>,
    /// HTTP limits.
    pub http: HttpConfig,
    /// Development or production.
    pub mode: Mode,
    /// This replica's live feed of `render.job.*` events.
    pub live: events::LiveFeed,
}

const CONSTRAINTS: &[ConstraintMessage] = &[
    ConstraintMessage {
        constraint: "workers_pool_hostname_key",
        code: ErrorCode::Conflict,
        message: "a worker with this hostname is already registered in the pool",
    },
    ConstraintMessage {
        constraint: "jobs_frames",
        code: ErrorCode::BadUserInput,
        message: "frameEnd is before frameStart",
    },
];

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .enable_federation()
        .enable_subscription_in_federation()
}

/// Builds the schema.
pub fn build_schema(state: &AppState) -> RenderSchema {
    platform::error::register_constraint_messages(CONSTRAINTS);
    let mut b = builder()
        .disable_suggestions()
        .limit_depth(32)
        .limit_complexity(20_000)
        .limit_recursive_depth(64)
        .data(state.db.clone())
        .data(state.scheduler.clone())
        .data(state.live.clone());
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

/// All routes: `/graphql` (subscriptions over its WebSocket upgrade), `/healthz`, `/readyz`, `/metrics`.
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

/// Sweeps silent workers every `every` until the process ends (claims also sweep).
pub fn spawn_sweeper(scheduler: scheduler::Scheduler, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = scheduler.sweep().await {
                tracing::warn!(error.code = e.code().as_str(), error.message = e.message(), "Worker sweep failed");
            }
        }
    })
}
