//! Studiograph's federation gateway and BFF.
//!
//! The engine is general: it loads any Federation v2 supergraph, plans with
//! `hive-router-query-planner` (wrapped in [`planning`]) and executes plans with its own
//! executor ([`execute`]). Auth, limits, rate limits and persisted operations are layers that
//! configuration can switch.

// Refusals are cold-path values carrying an error and headers; boxing them buys nothing.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod execute;
pub mod http;
pub mod introspection;
pub mod limits;
pub mod metrics;
pub mod persisted;
pub mod plan_cache;
pub mod planning;
pub mod project;
pub mod ratelimit;
pub mod schema_index;
pub mod subscriptions;

pub use error::Refusal;

use std::collections::HashMap;
use std::sync::Arc;

/// Builds the gateway over a supergraph SDL with a given auth layer.
pub fn build(
    supergraph_sdl: &str,
    overrides: &HashMap<String, String>,
    config: &config::GatewayConfig,
    auth: Arc<dyn app::Authenticator>,
) -> anyhow::Result<Arc<app::Gateway>> {
    let supergraph = Arc::new(planning::Supergraph::load(supergraph_sdl, overrides)?);
    let metrics = Arc::new(metrics::Metrics::default());
    let client = execute::subgraph::SubgraphClient::new(config.subgraph_timeout);
    Ok(Arc::new(app::Gateway {
        planning: planning::Planning::new(
            supergraph.clone(),
            limits::Limits::from_env()?,
            config.plan_cache_size,
            config.planning_timeout,
            config.introspection,
        ),
        executor: execute::Executor::new(client, supergraph, metrics.clone()),
        metrics,
        auth,
        auth_required: config.auth_mode == config::AuthMode::Required,
    }))
}

/// All routes of a built gateway.
pub fn router(gateway: Arc<app::Gateway>, config: &config::GatewayConfig) -> axum::Router {
    let auth_routes = gateway.auth.clone().routes();
    http::routes(gateway, config.body_limit_bytes, config.batching).merge(auth_routes)
}

/// The auth layer the configuration asks for.
pub async fn auth_layer(config: &config::GatewayConfig, keys: &platform::auth::KeyPair) -> anyhow::Result<Arc<dyn app::Authenticator>> {
    Ok(Arc::new(app::BearerJwt::new(keys, &config.issuer, config.internal_token_ttl_secs)))
}
