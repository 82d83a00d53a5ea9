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
pub mod spa;
pub mod subscriptions;

pub use error::Refusal;

use std::collections::{BTreeMap, HashMap};

use anyhow::Context as _;
use std::sync::Arc;

/// The layers around the engine: authentication, rate limits, persisted operations.
pub struct Layers {
    /// Authentication.
    pub auth: Arc<dyn app::Authenticator>,
    /// Rate limits (`None`: off).
    pub rate_limiter: Option<ratelimit::RateLimiter>,
    /// Persisted operations.
    pub persisted: persisted::PersistedOperations,
}

/// The layers the configuration asks for. With auth on, Redis must be reachable; the HR base URL
/// (passwords and API tokens) is `GATEWAY_AUTH_URL`, or the origin of the subgraph named `hr`.
pub async fn layers(
    config: &config::GatewayConfig,
    keys: &platform::auth::KeyPair,
    subgraphs: &BTreeMap<String, String>,
) -> anyhow::Result<Layers> {
    let manifest = config.persisted_manifest.as_deref().map(persisted::Manifest::load).transpose()?;
    let apq = persisted::ApqConfig::from_env()?;
    if config.auth_mode == config::AuthMode::Off {
        let redis = auth::connect_redis(&config.redis_url).await.ok();
        return Ok(Layers {
            auth: Arc::new(app::NoAuth),
            rate_limiter: None,
            persisted: persisted::PersistedOperations::from_config(manifest, redis, &apq),
        });
    }
    let redis = auth::connect_redis(&config.redis_url)
        .await
        .with_context(|| format!("connecting to Redis at {}", config.redis_url))?;
    let hr_base = match platform::config::optional("GATEWAY_AUTH_URL") {
        Some(url) => url,
        None => subgraphs
            .get("hr")
            .map(|u| origin(u))
            .context("GATEWAY_AUTH_URL is required when the supergraph has no subgraph named hr")?,
    };
    let settings = auth::AuthSettings::from_env(config.mode)?;
    let prefix = settings.redis_prefix.clone();
    let service = auth::AuthService::new(settings, redis.clone(), hr_base, keys, &config.issuer)?;
    Ok(Layers {
        auth: Arc::new(service),
        rate_limiter: Some(ratelimit::RateLimiter::new(redis.clone(), prefix).with_settings(ratelimit::RateLimitSettings::from_env()?)),
        persisted: persisted::PersistedOperations::from_config(manifest, Some(redis), &apq),
    })
}

/// `http://host:port/graphql` -> `http://host:port`.
fn origin(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    match url[scheme_end..].find('/') {
        Some(i) => url[..scheme_end + i].to_owned(),
        None => url.to_owned(),
    }
}

/// Builds the gateway over a supergraph SDL: the engine plus the layers the configuration asks for.
pub async fn build(
    supergraph_sdl: &str,
    overrides: &HashMap<String, String>,
    config: &config::GatewayConfig,
    keys: &platform::auth::KeyPair,
) -> anyhow::Result<Arc<app::Gateway>> {
    let supergraph = Arc::new(planning::Supergraph::load(supergraph_sdl, overrides)?);
    let layers = layers(config, keys, &supergraph.subgraphs).await?;
    build_with(supergraph, config, layers)
}

/// Builds the gateway over a loaded supergraph with given layers.
pub fn build_with(
    supergraph: Arc<planning::Supergraph>,
    config: &config::GatewayConfig,
    layers: Layers,
) -> anyhow::Result<Arc<app::Gateway>> {
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
        auth: layers.auth,
        auth_required: config.auth_mode == config::AuthMode::Required,
        rate_limiter: layers.rate_limiter,
        persisted: layers.persisted,
        cookie_persisted_only: config.cookie_persisted_only,
        shutdown: tokio::sync::watch::channel(false).0,
    }))
}

/// All routes of a built gateway.
pub fn router(gateway: Arc<app::Gateway>, config: &config::GatewayConfig) -> axum::Router {
    let auth_routes = gateway.auth.clone().routes();
    let router = http::routes(gateway, config.body_limit_bytes, config.batching.then_some(config.max_batch)).merge(auth_routes);
    match &config.static_dir {
        Some(dir) => router.merge(spa::routes(dir.clone())),
        None => router,
    }
}
