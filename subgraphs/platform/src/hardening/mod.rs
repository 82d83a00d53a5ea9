//! The subgraph's `/graphql` endpoint, hardened in front of async-graphql.
//!
//! async-graphql's parser has no depth limit for nested values, so a few kilobytes of `[[[[…`
//! overflow the stack and abort the process; `limit_depth` runs after parsing and cannot help.
//! This endpoint therefore, before anything reaches the parser: caps the body size, refuses
//! anything but a single JSON object over POST (no batches, no `text/plain`), pre-scans the
//! document and the variables for nesting, and authenticates the caller. Mutations over GET get
//! 405. Errors without a code get `BAD_USER_INPUT` so every error carries a contract code.
//! A `GET` asking for a WebSocket upgrade serves subscriptions instead ([`ws`]).

pub mod prescan;
pub mod ws;

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use async_graphql::{ObjectType, Schema, SubscriptionType};
use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::{JwtVerifier, Principal};
use crate::batch::{Flush, FlushOnPending};
use crate::config::HttpConfig;
use crate::error::{AppError, ErrorCode};

/// Adds per-request data (loaders bound to the principal, …) to a request, and returns what to
/// flush each time execution waits (see [`crate::batch`]).
pub type RequestEnricher =
    Arc<dyn Fn(async_graphql::Request, &Principal) -> (async_graphql::Request, Option<Arc<dyn Flush>>) + Send + Sync>;

/// Everything the endpoint needs.
pub struct GraphqlEndpoint<Q, M, S> {
    /// The executable schema.
    pub schema: Schema<Q, M, S>,
    /// Verifies the gateway's internal tokens.
    pub verifier: Arc<JwtVerifier>,
    /// Body and nesting limits.
    pub limits: HttpConfig,
    /// Per-request data.
    pub enrich: RequestEnricher,
}

impl<Q, M, S> Clone for GraphqlEndpoint<Q, M, S> {
    fn clone(&self) -> Self {
        Self {
            schema: self.schema.clone(),
            verifier: self.verifier.clone(),
            limits: self.limits.clone(),
            enrich: self.enrich.clone(),
        }
    }
}

/// `GET` and `POST /graphql` for `endpoint` (a `GET` upgrade to `graphql-transport-ws` serves
/// subscriptions); other methods get 405.
pub fn graphql_router<Q, M, S>(endpoint: GraphqlEndpoint<Q, M, S>) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    Router::new()
        .route("/graphql", get(get_or_upgrade::<Q, M, S>).post(handle::<Q, M, S>))
        .with_state(endpoint)
}

/// The GraphQL-over-HTTP request body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphqlBody {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<serde_json::Value>,
    extensions: Option<serde_json::Value>,
}

/// A request refused before execution: status plus a contract error.
struct Refusal(StatusCode, AppError);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut res = (self.0, axum::Json(self.1.to_response_json())).into_response();
        if self.0 == StatusCode::METHOD_NOT_ALLOWED {
            res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        res
    }
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal(status, AppError::bad_input(message))
}

async fn get_or_upgrade<Q, M, S>(State(ep): State<GraphqlEndpoint<Q, M, S>>, request: axum::extract::Request) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    if ws::is_upgrade(request.headers()) {
        let request_id = request_id(request.headers());
        return ws::upgrade(ep, request, request_id).await;
    }
    let (parts, body) = request.into_parts();
    let raw_query = parts.uri.query().map(str::to_owned);
    handle(State(ep), parts.method, parts.headers, RawQuery(raw_query), body).await
}

/// The caller's `x-request-id` (at most 128 bytes), or a new one.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 128)
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

async fn handle<Q, M, S>(
    State(ep): State<GraphqlEndpoint<Q, M, S>>,
    method: Method,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
    body: Body,
) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let request_id = request_id(&headers);
    let wants_graphql_json = accepts_graphql_response_json(&headers);
    let mut res = match execute(&ep, &method, &headers, raw_query, body, request_id.clone(), wants_graphql_json).await {
        Ok(r) => r,
        Err(refusal) => refusal.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

fn accepts_graphql_response_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/graphql-response+json"))
}

async fn execute<Q, M, S>(
    ep: &GraphqlEndpoint<Q, M, S>,
    method: &Method,
    headers: &HeaderMap,
    raw_query: Option<String>,
    body: Body,
    request_id: String,
    wants_graphql_json: bool,
) -> Result<Response, Refusal>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let parsed = if method == Method::GET {
        let raw = raw_query.unwrap_or_default();
        if raw.len() > ep.limits.body_limit_bytes {
            return Err(refuse(StatusCode::URI_TOO_LONG, "query string too long"));
        }
        let params: std::collections::HashMap<String, String> =
            serde_urlencoded::from_str(&raw).map_err(|_| refuse(StatusCode::BAD_REQUEST, "malformed query string"))?;
        let variables = match params.get("variables") {
            Some(v) => Some(parse_json(v.as_bytes())?),
            None => None,
        };
        let extensions = match params.get("extensions") {
            Some(v) => Some(parse_json(v.as_bytes())?),
            None => None,
        };
        GraphqlBody {
            query: params.get("query").cloned(),
            operation_name: params.get("operationName").cloned(),
            variables,
            extensions,
        }
    } else {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if mime != "application/json" && mime != "application/graphql-response+json" {
            return Err(refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "POST requires Content-Type: application/json",
            ));
        }
        let bytes = axum::body::to_bytes(body, ep.limits.body_limit_bytes).await.map_err(|_| {
            refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body exceeds {} bytes", ep.limits.body_limit_bytes),
            )
        })?;
        let value = parse_json(&bytes)?;
        if value.is_array() {
            return Err(refuse(StatusCode::BAD_REQUEST, "batched requests are not supported"));
        }
        serde_json::from_value(value).map_err(|_| refuse(StatusCode::BAD_REQUEST, "body must be a GraphQL request object"))?
    };

    let query = parsed.query.ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "query is required"))?;
    prescan::check_document_nesting(&query, ep.limits.max_nesting).map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))?;
    for json in [&parsed.variables, &parsed.extensions].into_iter().flatten() {
        prescan::check_json_nesting(json, ep.limits.max_nesting).map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))?;
    }
    let variables = match parsed.variables {
        None | Some(serde_json::Value::Null) => async_graphql::Variables::default(),
        Some(v @ serde_json::Value::Object(_)) => async_graphql::Variables::from_json(v),
        Some(_) => return Err(refuse(StatusCode::BAD_REQUEST, "variables must be an object")),
    };

    let principal = authenticate(&ep.verifier, headers, &request_id).map_err(|e| Refusal(StatusCode::UNAUTHORIZED, e))?;

    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = parsed.operation_name {
        request = request.operation_name(name);
    }
    if method == Method::GET {
        let op_name = request.operation_name.clone();
        let doc = request.parsed_query().map_err(|e| refuse(StatusCode::BAD_REQUEST, e.message))?;
        let is_query = doc.operations.iter().any(|(name, op)| {
            let selected = match (&op_name, name) {
                (Some(wanted), Some(n)) => n.as_str() == wanted,
                (None, _) => true,
                (Some(_), None) => false,
            };
            selected && op.node.ty == OperationType::Query
        });
        let has_other = doc.operations.iter().any(|(_, op)| op.node.ty != OperationType::Query);
        if !is_query || (op_name.is_none() && has_other) {
            return Err(Refusal(
                StatusCode::METHOD_NOT_ALLOWED,
                AppError::bad_input("only queries may be sent over GET; use POST"),
            ));
        }
    }
    let (request, flush) = (ep.enrich)(request.data(principal.clone()), &principal);
    let mut response = FlushOnPending::new(ep.schema.execute(request), flush).await;
    let request_error = response.data == async_graphql::Value::Null && response.errors.iter().any(|e| e.path.is_empty());
    for err in &mut response.errors {
        let ext = err.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", ErrorCode::BadUserInput.as_str());
        }
    }
    let status = if wants_graphql_json && request_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let content_type = if wants_graphql_json {
        "application/graphql-response+json"
    } else {
        "application/json"
    };
    let body = serde_json::to_vec(&response)
        .map_err(|e| Refusal(StatusCode::INTERNAL_SERVER_ERROR, AppError::internal("serialize response", &e)))?;
    Ok((status, [(header::CONTENT_TYPE, content_type)], body).into_response())
}

fn parse_json(bytes: &[u8]) -> Result<serde_json::Value, Refusal> {
    // serde_json stops at 128 levels of recursion with an error, never a stack overflow.
    serde_json::from_slice(bytes).map_err(|e| refuse(StatusCode::BAD_REQUEST, format!("malformed JSON: {}", e)))
}

/// Verifies `Authorization: Bearer <internal JWT>` and returns the principal.
pub fn authenticate(verifier: &JwtVerifier, headers: &HeaderMap, request_id: &str) -> Result<Principal, AppError> {
    let token = bearer(headers).ok_or_else(|| AppError::unauthenticated("missing bearer token"))?;
    let claims = verifier.verify(token)?;
    let rid = claims.rid.clone();
    let mut principal = Principal::try_from(claims)?;
    if rid.is_none() {
        request_id.clone_into(&mut principal.request_id);
    }
    Ok(principal)
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
}
