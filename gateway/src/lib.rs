//! Studiograph's federation gateway and BFF.
//!
//! The engine is general: it loads any Federation v2 supergraph, plans with
//! `hive-router-query-planner` (wrapped in [`planning`]) and executes plans with its own
//! executor ([`execute`]). Auth, limits, rate limits and persisted operations are layers that
//! configuration can switch.

pub mod auth;
pub mod config;
pub mod error;
pub mod limits;
pub mod ratelimit;

pub use error::Refusal;
