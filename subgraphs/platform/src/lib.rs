//! The shared platform of the Studiograph subgraphs: configuration, telemetry, the tenant-scoped
//! database pool, internal-JWT authentication and guards, contract error codes, the hardened
//! GraphQL endpoint, the outbox/audit journal, idempotency keys, pagination and money.

pub mod auth;
pub mod batch;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod hardening;
pub mod idempotency;
pub mod journal;
pub mod loader;
mod macros;
pub mod money;
pub mod pagination;
pub mod scalars;
pub mod schema;
pub mod server;
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod testing;

pub use auth::{Principal, Role};
pub use db::{Conn, Db};
pub use error::{AppError, AppResult, ErrorCode};
pub use scoped_futures::ScopedFutureExt;
