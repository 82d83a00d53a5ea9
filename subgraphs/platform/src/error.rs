//! The contract's error codes and the one error type every resolver returns.
//!
//! Client-safe errors carry their own message; internal errors are logged once, where they are
//! made, and answered with a generic message plus a reference the operator can grep for.

use std::sync::OnceLock;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// The stable `extensions.code` values of CONTRACT.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No valid credentials.
    Unauthenticated,
    /// Authenticated but not allowed.
    Forbidden,
    /// The record does not exist (or is invisible to this tenant).
    NotFound,
    /// The input is malformed or breaks a rule.
    BadUserInput,
    /// A unique key or a stale version.
    Conflict,
    /// A workflow transition the viewer may not make.
    TransitionNotAllowed,
    /// The assignee cannot take the work.
    AssigneeUnavailable,
    /// A quota or balance would be exceeded.
    QuotaExceeded,
    /// Too many requests.
    RateLimited,
    /// Depth, aliases, tokens or cost over the limit.
    QueryTooComplex,
    /// An unknown persisted query hash.
    PersistedQueryNotFound,
    /// A dependency (database, subgraph) is unreachable or saturated.
    SubgraphUnavailable,
    /// A bug or an unexpected failure; never carries details.
    Internal,
}

impl ErrorCode {
    /// The wire form, e.g. `BAD_USER_INPUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::TransitionNotAllowed => "TRANSITION_NOT_ALLOWED",
            Self::AssigneeUnavailable => "ASSIGNEE_UNAVAILABLE",
            Self::QuotaExceeded => "QUOTA_EXCEEDED",
            Self::RateLimited => "RATE_LIMITED",
            Self::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::SubgraphUnavailable => "SUBGRAPH_UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }

    /// HTTP status for errors answered outside GraphQL execution (auth, hardening).
    pub fn http_status(self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::BadUserInput | Self::QueryTooComplex | Self::PersistedQueryNotFound => 400,
            Self::Conflict => 409,
            Self::TransitionNotAllowed | Self::AssigneeUnavailable => 422,
            Self::QuotaExceeded | Self::RateLimited => 429,
            Self::SubgraphUnavailable => 503,
            Self::Internal => 500,
        }
    }
}

/// The error every resolver and data function returns. Deliberately not `Display`, so that `?`
/// cannot turn it into an `async_graphql::Error` without its code.
#[derive(Clone, Debug)]
pub struct AppError {
    code: ErrorCode,
    message: String,
    details: Option<serde_json::Value>,
}

impl AppError {
    /// An error with a client-safe message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
        }
    }

    /// Adds machine-readable details under `extensions.details`.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// `UNAUTHENTICATED`.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    /// `FORBIDDEN`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// `NOT_FOUND` for an entity kind, e.g. `not_found("employee")`.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// `BAD_USER_INPUT`.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    /// `CONFLICT`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// An unexpected failure: logged here, once, with a reference; the client sees only the
    /// reference.
    pub fn internal(context: &str, error: &dyn std::fmt::Debug) -> Self {
        let reference = uuid::Uuid::new_v4();
        tracing::error!(error.reference = %reference, error.context = context, error.detail = ?error, "Internal error");
        Self::new(ErrorCode::Internal, format!("internal error (ref {reference})"))
    }

    /// The contract code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The client-safe message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The GraphQL-over-HTTP error body for errors answered before execution.
    pub fn to_response_json(&self) -> serde_json::Value {
        let mut ext = serde_json::json!({ "code": self.code.as_str() });
        if let Some(d) = &self.details {
            ext["details"] = d.clone();
        }
        serde_json::json!({ "errors": [{ "message": self.message, "extensions": ext }] })
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        let mut err = async_graphql::Error::new(e.message);
        let code = e.code.as_str();
        let details = e.details;
        err = async_graphql::ErrorExtensions::extend_with(err, |_, ext| {
            ext.set("code", code);
            if let Some(Ok(v)) = details.as_ref().map(|d| async_graphql::Value::from_json(d.clone())) {
                ext.set("details", v);
            }
        });
        err
    }
}

/// How a named database constraint surfaces to clients.
#[derive(Clone, Copy, Debug)]
pub struct ConstraintMessage {
    /// Constraint (or index) name as created by the migrations.
    pub constraint: &'static str,
    /// Code to answer with.
    pub code: ErrorCode,
    /// Client-safe message.
    pub message: &'static str,
}

static CONSTRAINT_MESSAGES: OnceLock<&'static [ConstraintMessage]> = OnceLock::new();

/// Registers the subgraph's constraint-to-message table once at start-up.
pub fn register_constraint_messages(table: &'static [ConstraintMessage]) {
    let _ = CONSTRAINT_MESSAGES.set(table);
}

fn constraint_message(name: Option<&str>) -> Option<ConstraintMessage> {
    let name = name?;
    CONSTRAINT_MESSAGES.get()?.iter().find(|c| c.constraint == name).copied()
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => AppError::not_found("record"),
            DieselError::DatabaseError(kind, info) => {
                if let Some(c) = constraint_message(info.constraint_name()) {
                    return AppError::new(c.code, c.message);
                }
                match kind {
                    DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ExclusionViolation => {
                        AppError::conflict("conflicts with an existing record")
                    }
                    DatabaseErrorKind::ForeignKeyViolation => AppError::bad_input("refers to a record that does not exist"),
                    DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                        AppError::bad_input("input breaks a data rule")
                    }
                    DatabaseErrorKind::SerializationFailure => AppError::conflict("concurrent update; retry the operation"),
                    _ => AppError::internal("database", &e),
                }
            }
            _ => AppError::internal("database", &e),
        }
    }
}

impl<E: std::fmt::Debug> From<deadpool::managed::PoolError<E>> for AppError {
    fn from(e: deadpool::managed::PoolError<E>) -> Self {
        match e {
            deadpool::managed::PoolError::Timeout(_) => {
                tracing::warn!("Database pool exhausted");
                AppError::new(ErrorCode::SubgraphUnavailable, "database is busy; retry shortly")
            }
            other => {
                let mapped = AppError::internal("database pool", &other);
                AppError::new(ErrorCode::SubgraphUnavailable, mapped.message)
            }
        }
    }
}

/// Shorthand for results of data functions.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_error_carries_code() {
        let e: async_graphql::Error = AppError::forbidden("no").into();
        let ext = e.extensions.expect("extensions");
        assert_eq!(ext.get("code"), Some(&async_graphql::Value::from("FORBIDDEN")));
    }

    #[test]
    fn diesel_not_found_maps_to_not_found() {
        assert_eq!(AppError::from(DieselError::NotFound).code(), ErrorCode::NotFound);
    }

    #[test]
    fn internal_hides_detail() {
        let e = AppError::internal("test", &"SELECT secret FROM t");
        assert!(!e.message().contains("SELECT"));
        assert_eq!(e.code(), ErrorCode::Internal);
    }
}
