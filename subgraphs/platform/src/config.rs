//! Configuration from environment variables: one struct per concern, fail fast naming the
//! variable.
//!
//! Variables (`<SVC>` is the service prefix, e.g. `HR`):
//! - `STUDIOGRAPH_MODE`: `development` (default) or `production`.
//! - `LOG_FORMAT`: `text` (default) or `json`; `RUST_LOG`: tracing filter (default `info`).
//! - `<SVC>_DATABASE_URL`: PostgreSQL URL of the application role (required).
//! - `<SVC>_MIGRATION_DATABASE_URL`: URL of the owner role that runs migrations (default: `<SVC>_DATABASE_URL`).
//! - `DB_MAX_CONNECTIONS` (16), `DB_STATEMENT_TIMEOUT_MS` (5000), `DB_ACQUIRE_TIMEOUT_MS` (2000).
//! - `<SVC>_LISTEN_ADDR`: socket address to serve on (service default).
//! - `HTTP_BODY_LIMIT_BYTES` (1048576), `GRAPHQL_MAX_NESTING` (64).
//! - `JWT_PUBLIC_KEY_FILE`: PEM (SPKI) Ed25519 public key of the gateway; required in production.
//! - `JWT_ISSUER` (`studiograph-gateway`); `DEV_KEY_DIR` (`.dev/keys`): where development keys live.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use secrecy::SecretString;

/// Reads an optional variable; empty counts as unset.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Reads a required variable, failing with its name.
pub fn required(name: &str) -> anyhow::Result<String> {
    optional(name).with_context(|| format!("environment variable {name} is required"))
}

/// Reads and parses an optional variable with a default, failing with its name on bad input.
pub fn parsed<T: FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match optional(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|e| anyhow::anyhow!("environment variable {name}={v:?} is invalid: {e}")),
    }
}

/// Whether the process runs as a development box or a production deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Local work: development keys may be generated, introspection is on.
    Development,
    /// Deployed: every secret must be configured; nothing is generated.
    Production,
}

impl Mode {
    /// From `STUDIOGRAPH_MODE`.
    pub fn from_env() -> anyhow::Result<Self> {
        match optional("STUDIOGRAPH_MODE").as_deref() {
            None | Some("development") | Some("dev") => Ok(Self::Development),
            Some("production") | Some("prod") => Ok(Self::Production),
            Some(other) => bail!("environment variable STUDIOGRAPH_MODE={other:?} must be development or production"),
        }
    }
}

/// Database pool settings.
#[derive(Clone, Debug)]
pub struct DatabaseConfig {
    /// URL of the application role (no table ownership, no BYPASSRLS).
    pub url: SecretString,
    /// Most connections the pool opens.
    pub max_connections: usize,
    /// `statement_timeout` set on every connection.
    pub statement_timeout: Duration,
    /// How long a request waits for a pooled connection before `SUBGRAPH_UNAVAILABLE`.
    pub acquire_timeout: Duration,
    /// `application_name` shown in `pg_stat_activity`.
    pub application_name: String,
}

impl DatabaseConfig {
    /// Reads `<prefix>_DATABASE_URL` and the shared pool variables.
    pub fn from_env(prefix: &str, application_name: &str) -> anyhow::Result<Self> {
        Ok(Self {
            url: SecretString::from(required(&format!("{prefix}_DATABASE_URL"))?),
            max_connections: parsed("DB_MAX_CONNECTIONS", 16)?,
            statement_timeout: Duration::from_millis(parsed("DB_STATEMENT_TIMEOUT_MS", 5000)?),
            acquire_timeout: Duration::from_millis(parsed("DB_ACQUIRE_TIMEOUT_MS", 2000)?),
            application_name: application_name.to_owned(),
        })
    }

    /// Settings for a given URL with defaults (tests, tools).
    pub fn for_url(url: &str, application_name: &str) -> Self {
        Self {
            url: SecretString::from(url.to_owned()),
            max_connections: 8,
            statement_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(5),
            application_name: application_name.to_owned(),
        }
    }
}

/// The owner-role URL used to run migrations: `<prefix>_MIGRATION_DATABASE_URL`, else `<prefix>_DATABASE_URL`.
pub fn migration_url(prefix: &str) -> anyhow::Result<SecretString> {
    let name = format!("{prefix}_MIGRATION_DATABASE_URL");
    match optional(&name) {
        Some(v) => Ok(SecretString::from(v)),
        None => Ok(SecretString::from(required(&format!("{prefix}_DATABASE_URL"))?)),
    }
}

/// HTTP serving settings.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Where to listen.
    pub listen_addr: SocketAddr,
    /// Largest request body accepted.
    pub body_limit_bytes: usize,
    /// Deepest `{[(` nesting in a document or variables accepted before parsing.
    pub max_nesting: usize,
}

impl HttpConfig {
    /// Reads `<prefix>_LISTEN_ADDR` (default given), `HTTP_BODY_LIMIT_BYTES`, `GRAPHQL_MAX_NESTING`.
    pub fn from_env(prefix: &str, default_addr: &str) -> anyhow::Result<Self> {
        let name = format!("{prefix}_LISTEN_ADDR");
        let addr = optional(&name).unwrap_or_else(|| default_addr.to_owned());
        Ok(Self {
            listen_addr: addr
                .parse()
                .with_context(|| format!("environment variable {name}={addr:?} is not a socket address"))?,
            body_limit_bytes: parsed("HTTP_BODY_LIMIT_BYTES", 1024 * 1024)?,
            max_nesting: parsed("GRAPHQL_MAX_NESTING", 64)?,
        })
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            body_limit_bytes: 1024 * 1024,
            max_nesting: 64,
        }
    }
}

/// Settings for verifying the gateway's internal JWTs.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// PEM file with the gateway's Ed25519 public key; generated in development when unset.
    pub public_key_file: Option<PathBuf>,
    /// Expected `iss`.
    pub issuer: String,
    /// Directory for development keys.
    pub dev_key_dir: PathBuf,
}

impl AuthConfig {
    /// Reads `JWT_PUBLIC_KEY_FILE`, `JWT_ISSUER`, `DEV_KEY_DIR`.
    pub fn from_env() -> Self {
        Self {
            public_key_file: optional("JWT_PUBLIC_KEY_FILE").map(PathBuf::from),
            issuer: optional("JWT_ISSUER").unwrap_or_else(|| crate::auth::DEFAULT_ISSUER.to_owned()),
            dev_key_dir: PathBuf::from(optional("DEV_KEY_DIR").unwrap_or_else(|| ".dev/keys".to_owned())),
        }
    }
}
