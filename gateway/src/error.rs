//! Errors the gateway answers itself (before or beside execution): a contract code, a message,
//! an HTTP status and optional extra headers (`Retry-After`, `Allow`).

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use platform::{AppError, ErrorCode};

/// A request the gateway refuses with a GraphQL-shaped body `{"errors":[…]}`.
#[derive(Debug)]
pub struct Refusal {
    /// HTTP status.
    pub status: StatusCode,
    /// The error (code + client-safe message).
    pub error: AppError,
    /// Extra response headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Further errors of the same refusal (e.g. every validation error of a document).
    pub others: Vec<AppError>,
}

impl Refusal {
    /// A refusal with the code's usual status.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::from_error(AppError::new(code, message))
    }

    /// A refusal for an existing error, with the code's usual status.
    pub fn from_error(error: AppError) -> Self {
        let status = StatusCode::from_u16(error.code().http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self {
            status,
            error,
            headers: Vec::new(),
            others: Vec::new(),
        }
    }

    /// Overrides the status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// `429 RATE_LIMITED` with `Retry-After` in whole seconds (at least 1).
    pub fn rate_limited(message: impl Into<String>, retry_after_secs: u64) -> Self {
        let secs = retry_after_secs.max(1);
        Self::new(ErrorCode::RateLimited, message).with_header(header::RETRY_AFTER, HeaderValue::from(secs))
    }

    /// `400 QUERY_TOO_COMPLEX`.
    pub fn too_complex(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::QueryTooComplex, message)
    }

    /// `400 BAD_USER_INPUT`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    /// `401 UNAUTHENTICATED`.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    /// The body: `{"errors":[{"message","extensions":{"code"}}]}`.
    pub fn body(&self) -> serde_json::Value {
        let mut body = self.error.to_response_json();
        if let Some(list) = body.get_mut("errors").and_then(|e| e.as_array_mut()) {
            for other in &self.others {
                if let Some(serde_json::Value::Array(more)) = other.to_response_json().get_mut("errors").map(std::mem::take) {
                    list.extend(more);
                }
            }
        }
        body
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (self.status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}
