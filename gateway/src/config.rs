//! The gateway's configuration, read from the environment (and `--supergraph`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use platform::config::{Mode, optional, parsed};

/// Whether client authentication is enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// Every GraphQL request needs a principal (the default).
    Required,
    /// Anonymous requests pass through without an internal token (third-party subgraphs).
    Optional,
    /// No authentication layer at all (conformance runs); refused in production mode.
    Off,
}

/// Everything the gateway reads at start-up.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    /// `STUDIOGRAPH_MODE`.
    pub mode: Mode,
    /// `GATEWAY_LISTEN_ADDR` (default `127.0.0.1:4000`).
    pub listen_addr: SocketAddr,
    /// `GATEWAY_SUPERGRAPH_PATH` or `--supergraph` (default `schema/supergraph.graphql`).
    pub supergraph_path: PathBuf,
    /// `GATEWAY_SUBGRAPH_<NAME>_URL`: overrides of the supergraph's subgraph URLs.
    pub subgraph_urls: HashMap<String, String>,
    /// `REDIS_URL` (default `redis://127.0.0.1:6379`).
    pub redis_url: String,
    /// `GATEWAY_INTROSPECTION` (default on in development, off in production).
    pub introspection: bool,
    /// `GATEWAY_BODY_LIMIT_BYTES` (default 1 MiB).
    pub body_limit_bytes: usize,
    /// `GATEWAY_PLAN_CACHE_SIZE`: prepared operations kept (default 2,000).
    pub plan_cache_size: usize,
    /// `GATEWAY_PLANNING_TIMEOUT_MS` (default 2,000).
    pub planning_timeout: Duration,
    /// `GATEWAY_SUBGRAPH_TIMEOUT_MS`: one subgraph request (default 30,000).
    pub subgraph_timeout: Duration,

    /// `GATEWAY_AUTH`: `required` (default), `optional` or `off`.
    pub auth_mode: AuthMode,
    /// `JWT_PRIVATE_KEY_FILE`: the Ed25519 signing key (PKCS#8 PEM); required in production.
    pub private_key_file: Option<PathBuf>,
    /// `JWT_ISSUER` (default `studiograph-gateway`).
    pub issuer: String,
    /// `DEV_KEY_DIR` (default `.dev/keys`): the development key pair, outside production.
    pub dev_key_dir: PathBuf,
    /// `GATEWAY_STATIC_DIR`: the built SPA served at `/`.
    pub static_dir: Option<PathBuf>,
    /// `GATEWAY_BATCHING`: accept JSON arrays of requests (default off).
    pub batching: bool,
    /// `GATEWAY_MAX_BATCH`: operations in one batch (default 10).
    pub max_batch: usize,
    /// `GATEWAY_PERSISTED_MANIFEST`: a JSON file `{ "<sha256>": "<document>" }`.
    pub persisted_manifest: Option<PathBuf>,
    /// `GATEWAY_COOKIE_PERSISTED_ONLY`: cookie-authenticated clients may run only persisted
    /// operations (default off).
    pub cookie_persisted_only: bool,
}

impl GatewayConfig {
    /// Reads the environment; `supergraph` overrides `GATEWAY_SUPERGRAPH_PATH`.
    pub fn from_env(supergraph: Option<PathBuf>) -> anyhow::Result<Self> {
        let mode = Mode::from_env()?;
        let listen_addr = parsed("GATEWAY_LISTEN_ADDR", SocketAddr::from(([127, 0, 0, 1], 4000)))?;
        let supergraph_path = supergraph
            .or_else(|| optional("GATEWAY_SUPERGRAPH_PATH").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("schema/supergraph.graphql"));
        let subgraph_urls = subgraph_url_overrides(std::env::vars());
        let auth_mode = match optional("GATEWAY_AUTH").as_deref().unwrap_or("required") {
            "required" => AuthMode::Required,
            "optional" => AuthMode::Optional,
            "off" => AuthMode::Off,
            other => anyhow::bail!("GATEWAY_AUTH must be required, optional or off (got {other:?})"),
        };
        if auth_mode == AuthMode::Off && mode == Mode::Production {
            anyhow::bail!("GATEWAY_AUTH=off is refused in production mode");
        }
        let private_key_file = optional("JWT_PRIVATE_KEY_FILE").map(PathBuf::from);
        if mode == Mode::Production && private_key_file.is_none() {
            anyhow::bail!("JWT_PRIVATE_KEY_FILE is required in production mode");
        }
        Ok(Self {
            mode,
            listen_addr,
            supergraph_path,
            subgraph_urls,
            redis_url: optional("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
            introspection: parsed("GATEWAY_INTROSPECTION", mode != Mode::Production)?,
            body_limit_bytes: parsed("GATEWAY_BODY_LIMIT_BYTES", 1024 * 1024)?,
            plan_cache_size: parsed("GATEWAY_PLAN_CACHE_SIZE", 2000)?,
            planning_timeout: Duration::from_millis(parsed("GATEWAY_PLANNING_TIMEOUT_MS", 2000)?),
            subgraph_timeout: Duration::from_millis(parsed("GATEWAY_SUBGRAPH_TIMEOUT_MS", 30_000)?),

            auth_mode,
            private_key_file,
            issuer: optional("JWT_ISSUER").unwrap_or_else(|| platform::auth::DEFAULT_ISSUER.into()),
            dev_key_dir: PathBuf::from(optional("DEV_KEY_DIR").unwrap_or_else(|| ".dev/keys".into())),
            static_dir: optional("GATEWAY_STATIC_DIR").map(PathBuf::from),
            batching: parsed("GATEWAY_BATCHING", false)?,
            max_batch: parsed("GATEWAY_MAX_BATCH", 10)?,
            persisted_manifest: optional("GATEWAY_PERSISTED_MANIFEST").map(PathBuf::from),
            cookie_persisted_only: parsed("GATEWAY_COOKIE_PERSISTED_ONLY", false)?,
        })
    }

    /// The signing key: `JWT_PRIVATE_KEY_FILE`, or outside production the development pair in
    /// `DEV_KEY_DIR` (created when missing, shared with the subgraphs' development verifiers).
    pub fn signing_key(&self) -> anyhow::Result<platform::auth::KeyPair> {
        match (&self.private_key_file, self.mode) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading JWT_PRIVATE_KEY_FILE {}", path.display()))?;
                platform::auth::KeyPair::from_private_pem(&text)
            }
            (None, Mode::Production) => anyhow::bail!("JWT_PRIVATE_KEY_FILE is required in production mode"),
            (None, Mode::Development) => {
                tracing::warn!(key.dir = %self.dev_key_dir.display(), "Using the development JWT key pair");
                platform::auth::KeyPair::load_or_create_dev(&self.dev_key_dir)
            }
        }
    }

    /// Reads the supergraph SDL.
    pub fn read_supergraph(&self) -> anyhow::Result<String> {
        std::fs::read_to_string(&self.supergraph_path).with_context(|| format!("reading supergraph {}", self.supergraph_path.display()))
    }
}

/// `GATEWAY_SUBGRAPH_<NAME>_URL=<url>` pairs, keyed by the lower-cased subgraph name.
pub fn subgraph_url_overrides(vars: impl Iterator<Item = (String, String)>) -> HashMap<String, String> {
    vars.filter_map(|(k, v)| {
        let name = k.strip_prefix("GATEWAY_SUBGRAPH_")?.strip_suffix("_URL")?;
        Some((name.to_ascii_lowercase(), v))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subgraph_overrides_are_keyed_by_lower_case_name() {
        let vars = vec![
            ("GATEWAY_SUBGRAPH_HR_URL".to_owned(), "http://hr:4001/graphql".to_owned()),
            ("GATEWAY_SUBGRAPH_URL".to_owned(), "ignored".to_owned()),
            ("OTHER".to_owned(), "x".to_owned()),
        ];
        let map = subgraph_url_overrides(vars.into_iter());
        assert_eq!(map.len(), 1);
        assert_eq!(map["hr"], "http://hr:4001/graphql");
    }
}
