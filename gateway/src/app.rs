//! The gateway's state and its request pipeline: document -> limits -> prepared operation
//! (cached) -> variables -> execution -> introspection -> projection -> response.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode};
use futures::future::BoxFuture;
use platform::{AppError, ErrorCode, Principal};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Refusal;
use crate::execute::{Executor, RequestContext};
use crate::introspection::Introspection;
use crate::metrics::Metrics;
use crate::planning::{Kind, Planning, PreparedOperation};
use crate::project::Projection;

/// Who is calling, and how they proved it.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The principal every subgraph sees.
    pub principal: Principal,
    /// Authenticated by the SPA's session cookie (CSRF checked; persisted-only may apply).
    pub via_cookie: bool,
}

/// The authentication layer (sessions, bearer JWTs, API tokens) as the pipeline sees it.
pub trait Authenticator: Send + Sync + 'static {
    /// The caller of a request; `Ok(None)` when it presents no credentials.
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
        method: &'a Method,
        peer: Option<IpAddr>,
    ) -> BoxFuture<'a, Result<Option<Caller>, Refusal>>;
    /// The internal JWT for one subgraph (audience = that subgraph).
    fn internal_token(&self, principal: &Principal, subgraph: &str) -> Option<String>;
    /// Routes this layer serves (`/auth/*`).
    fn routes(self: Arc<Self>) -> Router {
        Router::new()
    }
}

/// The audience of the access tokens the gateway hands to clients.
pub const PUBLIC_AUDIENCE: &str = crate::auth::ACCESS_TOKEN_AUDIENCE;

/// A GraphQL-over-HTTP request.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphqlRequest {
    /// The document (absent for a persisted operation sent by hash).
    pub query: Option<String>,
    /// Which operation of the document.
    pub operation_name: Option<String>,
    /// Variables.
    #[serde(default)]
    pub variables: Option<Value>,
    /// Extensions (`persistedQuery`).
    #[serde(default)]
    pub extensions: Option<Value>,
}

/// How the request arrived (what it may do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// `POST /graphql`.
    Post,
    /// `GET /graphql`: queries only.
    Get,
    /// A subscription stream (WebSocket or SSE).
    Stream,
}

/// An executed operation's response (before HTTP framing).
pub struct GraphqlResponse {
    /// `data` (absent for request errors).
    pub data: Option<Value>,
    /// `errors`.
    pub errors: Vec<Value>,
}

impl GraphqlResponse {
    /// The JSON body.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        if !self.errors.is_empty() {
            body.insert("errors".into(), Value::Array(self.errors.clone()));
        }
        if let Some(data) = &self.data {
            body.insert("data".into(), data.clone());
        }
        Value::Object(body)
    }
}

/// Why a request produced no execution.
pub enum Rejection {
    /// An HTTP-level refusal (auth, limits, transport): always its own status.
    Http(Refusal),
    /// A GraphQL request error (syntax, validation, variables): 400 for
    /// `application/graphql-response+json`, 200 for `application/json`.
    Request(Refusal),
}

/// The gateway.
pub struct Gateway {
    /// Planning and its cache.
    pub planning: Planning,
    /// The executor.
    pub executor: Executor,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// The auth layer.
    pub auth: Arc<dyn Authenticator>,
    /// Whether anonymous requests are refused.
    pub auth_required: bool,
    /// Per-principal and per-tenant rate limits (`None`: off).
    pub rate_limiter: Option<crate::ratelimit::RateLimiter>,
    /// The persisted-operations manifest and APQ store.
    pub persisted: crate::persisted::PersistedOperations,
    /// Cookie-authenticated clients may run only manifest operations.
    pub cookie_persisted_only: bool,
    /// Flips to `true` when the process starts draining (streams close, clients reconnect).
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl Gateway {
    /// Starts draining: open subscriptions are closed so that clients reconnect elsewhere.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// A receiver that turns `true` when draining starts.
    pub fn shutdown_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Runs one operation for `caller`.
    pub async fn run(
        &self,
        request: GraphqlRequest,
        caller: Option<&Caller>,
        transport: Transport,
        request_id: &str,
    ) -> Result<GraphqlResponse, Rejection> {
        let started = Instant::now();
        let name_for_metrics = request.operation_name.clone();
        let outcome = self.run_inner(request, caller, transport, request_id).await;
        let label = match &outcome {
            Ok(r) if r.errors.is_empty() => "ok",
            Ok(_) => "error",
            Err(_) => "refused",
        };
        self.metrics.request(name_for_metrics.as_deref(), label, started.elapsed());
        outcome
    }

    async fn run_inner(
        &self,
        request: GraphqlRequest,
        caller: Option<&Caller>,
        transport: Transport,
        request_id: &str,
    ) -> Result<GraphqlResponse, Rejection> {
        let (prepared, variables) = self.admit(request, caller, transport).await?;
        Ok(self.execute_prepared(&prepared, &variables, caller, request_id).await)
    }

    /// Everything before execution: auth requirement, document, limits, the prepared
    /// operation (cached), what the transport allows, variables and cost.
    pub async fn admit(
        &self,
        mut request: GraphqlRequest,
        caller: Option<&Caller>,
        transport: Transport,
    ) -> Result<(Arc<PreparedOperation>, Map<String, Value>), Rejection> {
        if self.auth_required && caller.is_none() {
            return Err(Rejection::Http(Refusal::unauthenticated("authentication required")));
        }
        if let (Some(limiter), Some(caller)) = (&self.rate_limiter, caller) {
            limiter.check_request(&caller.principal).await.map_err(Rejection::Http)?;
        }
        let resolution = self.persisted.resolve(&mut request).await.map_err(Rejection::Request)?;
        self.persisted
            .allows(&resolution, caller.is_some_and(|c| c.via_cookie), self.cookie_persisted_only)
            .map_err(Rejection::Request)?;
        let operation_name = request.operation_name.filter(|n| !n.is_empty());
        let document = request
            .query
            .ok_or_else(|| Rejection::Request(Refusal::bad_request("the request has no query")))?;
        let mut variables = match request.variables {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => return Err(Rejection::Request(Refusal::bad_request("variables must be an object"))),
        };
        let prepared = self
            .planning
            .prepare(&document, operation_name.as_deref())
            .map_err(|r| match r.error.code() {
                // Limits are enforced before parsing: always an HTTP-level 4xx.
                ErrorCode::QueryTooComplex => Rejection::Http(r),
                _ => Rejection::Request(r),
            })?;
        match (transport, &prepared.kind) {
            (Transport::Get, Kind::Mutation | Kind::Subscription) => {
                return Err(Rejection::Http(
                    Refusal::bad_request("only queries may be sent over GET; use POST").with_status(StatusCode::METHOD_NOT_ALLOWED),
                ));
            }
            (Transport::Post, Kind::Subscription) => {
                return Err(Rejection::Request(Refusal::bad_request(
                    "subscriptions are served over WebSocket (graphql-transport-ws) or SSE (Accept: text/event-stream)",
                )));
            }
            _ => {}
        }
        prepared
            .coerce_variables(&mut variables)
            .map_err(|e| Rejection::Request(Refusal::from_error(e)))?;
        prepared
            .analysis
            .check_cost(&variables, self.planning.limits())
            .map_err(|e| Rejection::Http(e.to_refusal()))?;
        Ok((prepared, variables))
    }

    /// Executes a prepared operation with coerced variables.
    pub async fn execute_prepared(
        &self,
        prepared: &PreparedOperation,
        variables: &Map<String, Value>,
        caller: Option<&Caller>,
        request_id: &str,
    ) -> GraphqlResponse {
        let tokens = self.token_source(caller, request_id);
        let ctx = RequestContext {
            variables,
            request_id,
            tokens: &tokens,
        };
        let execution = self
            .executor
            .execute(prepared.plan.as_ref().and_then(|p| p.node.as_ref()), &ctx)
            .await;
        self.respond(prepared, variables, execution)
    }

    /// The internal-token source for a caller. The request id travels in `x-request-id` (the
    /// subgraphs log and audit it), not in the token, so one signed token per principal and
    /// subgraph serves many requests (cached for half its lifetime).
    pub fn token_source(&self, caller: Option<&Caller>, _request_id: &str) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let principal = caller.map(|c| {
            let mut p = c.principal.clone();
            p.request_id.clear();
            p
        });
        let auth = self.auth.clone();
        move |subgraph: &str| principal.as_ref().and_then(|p| auth.internal_token(p, subgraph))
    }

    /// Projects an execution onto the operation: the client's response.
    pub fn respond(
        &self,
        prepared: &PreparedOperation,
        variables: &Map<String, Value>,
        execution: crate::execute::Execution,
    ) -> GraphqlResponse {
        let index = &self.planning.supergraph().index;

        let mut projection = Projection::new(index, variables);
        let mut data = projection.root(&prepared.operation.selection_set, &prepared.root_type, &execution.data);
        let mut errors = execution.errors;
        if let Some(document) = &prepared.introspection {
            let schema = &self.planning.supergraph().api_schema;
            let resolved = Introspection::new(schema, index).resolve(document, prepared.name.as_deref(), variables);
            if let Value::Object(out) = &mut data {
                out.extend(resolved);
            }
        }
        if errors.is_empty() {
            for (path, type_name) in projection.violations.iter().take(1) {
                errors.push(serde_json::json!({
                    "message": format!("a non-null field of type {type_name} resolved to null"),
                    "path": path,
                    "extensions": { "code": ErrorCode::Internal.as_str() }
                }));
            }
        }
        for e in &mut errors {
            ensure_code(e);
        }
        GraphqlResponse { data: Some(data), errors }
    }
}

/// Every error leaves the gateway with an `extensions.code`.
fn ensure_code(e: &mut Value) {
    let Some(obj) = e.as_object_mut() else { return };
    let ext = obj.entry("extensions").or_insert_with(|| Value::Object(Map::new()));
    if let Some(ext) = ext.as_object_mut()
        && !ext.contains_key("code")
    {
        ext.insert("code".into(), Value::String(ErrorCode::Internal.as_str().into()));
    }
}

/// An unexpected failure as a refusal.
pub fn internal(context: &str, e: &dyn std::fmt::Debug) -> Refusal {
    Refusal::from_error(AppError::internal(context, e))
}

impl Authenticator for crate::auth::AuthService {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
        method: &'a Method,
        peer: Option<IpAddr>,
    ) -> BoxFuture<'a, Result<Option<Caller>, Refusal>> {
        Box::pin(async move {
            Ok(crate::auth::AuthService::authenticate(self, headers, method, peer)
                .await?
                .map(|a| Caller {
                    principal: a.principal,
                    via_cookie: a.via == crate::auth::AuthVia::Cookie,
                }))
        })
    }

    fn internal_token(&self, principal: &Principal, subgraph: &str) -> Option<String> {
        self.mint_internal(principal, subgraph, INTERNAL_TOKEN_TTL_SECS)
            .map_err(|e| tracing::error!(error = %e, "signing an internal token"))
            .ok()
    }

    fn routes(self: Arc<Self>) -> Router {
        crate::auth::AuthService::routes(self)
    }
}

/// Lifetime of the internal tokens minted per request.
pub const INTERNAL_TOKEN_TTL_SECS: i64 = 60;

/// No authentication at all (`GATEWAY_AUTH=off`, refused in production): subgraphs get no token.
pub struct NoAuth;

impl Authenticator for NoAuth {
    fn authenticate<'a>(&'a self, _: &'a HeaderMap, _: &'a Method, _: Option<IpAddr>) -> BoxFuture<'a, Result<Option<Caller>, Refusal>> {
        Box::pin(async { Ok(None) })
    }

    fn internal_token(&self, _: &Principal, _: &str) -> Option<String> {
        None
    }
}
