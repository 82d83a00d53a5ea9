//! The render API client: GraphQL over plain HTTP with the agent's retry policy.
//!
//! Only plain `http://` is supported (no TLS): the agent talks to the render API (or the gateway)
//! over the farm's internal network.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::Instant;

/// Per-request timeout (connect, send, and read the whole body).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// First retry delay.
pub const BACKOFF_INITIAL: Duration = Duration::from_millis(100);
/// Retry delays double up to this cap.
pub const BACKOFF_CAP: Duration = Duration::from_secs(5);

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got a response: connection refused, reset, timeout, body cut short.
    Transport(String),
    /// HTTP 401: the token is bad. Fatal for the agent.
    Unauthorized,
    /// Any other non-success HTTP status without a usable GraphQL error.
    Http {
        /// The status code.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The server answered with a GraphQL error.
    GraphQl {
        /// `extensions.code`, when present.
        code: Option<String>,
        /// The error message.
        message: String,
    },
    /// The response was not the JSON shape expected.
    Decode(String),
    /// Retrying stopped because shutdown was requested (or the retry deadline passed).
    Stopped,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "transport error: {e}"),
            Self::Unauthorized => write!(f, "HTTP 401 Unauthorized: the token was rejected"),
            Self::Http { status, body } => write!(f, "HTTP {status}: {body}"),
            Self::GraphQl { code, message } => write!(f, "{} ({message})", code.as_deref().unwrap_or("GRAPHQL_ERROR")),
            Self::Decode(e) => write!(f, "unexpected response: {e}"),
            Self::Stopped => write!(f, "stopped retrying (shutdown requested or retry deadline passed)"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Whether the call should be retried: transport errors, HTTP 5xx, and GraphQL errors coded
    /// `SUBGRAPH_UNAVAILABLE` or `INTERNAL`. Everything else (a bad token, `CONFLICT`,
    /// `NOT_FOUND`, `TRANSITION_NOT_ALLOWED`, other 4xx, ...) is final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Http { status, .. } => (500..600).contains(status),
            Self::GraphQl { code, .. } => matches!(code.as_deref(), Some("SUBGRAPH_UNAVAILABLE" | "INTERNAL")),
            Self::Unauthorized | Self::Decode(_) | Self::Stopped => false,
        }
    }

    /// The GraphQL error code, if this is a GraphQL error carrying one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::GraphQl { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// Turns an HTTP response into the GraphQL `data` or an [`ApiError`] (pure; no I/O).
///
/// A GraphQL error wins over the status code (so a 503 carrying `SUBGRAPH_UNAVAILABLE` reports
/// that code); a 5xx is retryable either way.
pub fn interpret_response(status: StatusCode, body: &[u8]) -> Result<Value, ApiError> {
    if status == StatusCode::UNAUTHORIZED {
        return Err(ApiError::Unauthorized);
    }
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let first_error = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(Value::as_array)
        .and_then(|errors| errors.first());
    if let Some(error) = first_error {
        let code = error.pointer("/extensions/code").and_then(Value::as_str).map(str::to_owned);
        let message = error.get("message").and_then(Value::as_str).unwrap_or("").to_owned();
        if status.is_server_error() && code.as_deref().is_none_or(|c| !matches!(c, "SUBGRAPH_UNAVAILABLE" | "INTERNAL")) {
            // Keep 5xx retryable whatever the body says.
            return Err(ApiError::Http {
                status: status.as_u16(),
                body: format!("{} ({message})", code.as_deref().unwrap_or("GRAPHQL_ERROR")),
            });
        }
        return Err(ApiError::GraphQl { code, message });
    }
    if !status.is_success() {
        let text = String::from_utf8_lossy(body);
        return Err(ApiError::Http {
            status: status.as_u16(),
            body: text.chars().take(200).collect(),
        });
    }
    match parsed {
        Some(v) => match v.get("data") {
            Some(data) if !data.is_null() => Ok(data.clone()),
            _ => Err(ApiError::Decode("response has neither data nor errors".into())),
        },
        None => Err(ApiError::Decode("response body is not JSON".into())),
    }
}

/// The delay before retry number `attempt` (0-based): 100 ms doubling to a 5 s cap, with "equal
/// jitter" (a random point in the upper half of the window) so a fleet does not retry in lockstep.
pub fn backoff_delay(attempt: u32) -> Duration {
    let base = BACKOFF_INITIAL
        .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
        .min(BACKOFF_CAP);
    let half = base / 2;
    // Random bits from the v4 UUID generator (no rand dependency needed).
    let r = (uuid::Uuid::new_v4().as_u128() % 1_000_001) as f64 / 1_000_000.0;
    half + half.mul_f64(r)
}

/// How long a call keeps retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Until it succeeds or shutdown is requested.
    UntilShutdown,
    /// Until it succeeds or the deadline passes (used during shutdown itself).
    Until(Instant),
}

/// A worker as registered.
#[derive(Debug, Clone, Deserialize)]
pub struct Worker {
    /// The worker id.
    pub id: String,
    /// Registered hostname.
    pub hostname: String,
    /// Pool.
    pub pool: String,
    /// Cores.
    pub cores: i64,
    /// Status (e.g. `IDLE`).
    pub status: String,
}

/// A claimed task (a chunk of frames).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimedTask {
    /// The task id.
    pub id: String,
    /// First frame of the chunk.
    pub frame_start: i64,
    /// Last frame of the chunk (inclusive).
    pub frame_end: i64,
    /// How many times the task has been attempted (including this one, as the server counts).
    pub attempts: i64,
    /// Shell command template (nullable in the schema; a task without one fails).
    pub command: Option<String>,
    /// The job the task belongs to (nullable in the schema).
    pub job: Option<JobRef>,
}

/// A reference to a job.
#[derive(Debug, Clone, Deserialize)]
pub struct JobRef {
    /// The job id.
    pub id: String,
}

/// The terminal status a task is reported with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    /// All runs exited 0.
    Succeeded,
    /// A run failed (non-zero exit, killed by a signal, or could not start).
    Failed,
}

impl ReportStatus {
    /// The GraphQL enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
        }
    }
}

const REGISTER: &str =
    "mutation($input: RegisterRenderWorkerInput!) { registerRenderWorker(input: $input) { id hostname pool cores status } }";
const HEARTBEAT: &str = "mutation($id: ID!) { heartbeatRenderWorker(workerId: $id) { id status lastHeartbeatAt } }";
const CLAIM: &str = "mutation($id: ID!) { claimRenderTask(workerId: $id) { id frameStart frameEnd attempts command job { id } } }";
const REPORT: &str = "mutation($task: ID!, $worker: ID!, $status: RenderTaskStatus!, $log: String, $cs: Float) { \
     reportRenderTask(taskId: $task, workerId: $worker, status: $status, logTail: $log, coreSeconds: $cs) { id status } }";
const RELEASE: &str = "mutation($task: ID!, $worker: ID!) { releaseRenderTask(taskId: $task, workerId: $worker) { id status } }";

/// GraphQL client for the render API (plain HTTP only, no TLS).
#[derive(Clone)]
pub struct ApiClient {
    http: Client<HttpConnector, Full<Bytes>>,
    endpoint: Uri,
    authorization: HeaderValue,
    shutdown: watch::Receiver<bool>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// A client POSTing to `{base_url}/graphql` with `Bearer {token}`; retries stop once
    /// `shutdown` turns true.
    pub fn new(base_url: &str, token: &str, shutdown: watch::Receiver<bool>) -> anyhow::Result<Self> {
        let endpoint: Uri = format!("{}/graphql", base_url.trim_end_matches('/')).parse()?;
        if endpoint.scheme_str() != Some("http") {
            anyhow::bail!("only plain http:// URLs are supported (no TLS)");
        }
        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| anyhow::anyhow!("the token is not a valid header value"))?;
        authorization.set_sensitive(true);
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(REQUEST_TIMEOUT));
        connector.set_nodelay(true);
        let http = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self {
            http,
            endpoint,
            authorization,
            shutdown,
        })
    }

    /// One attempt: POST the query, return `data` or the error.
    pub async fn call_once(&self, query: &str, variables: &Value) -> Result<Value, ApiError> {
        let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).map_err(|e| ApiError::Decode(e.to_string()))?;
        let request = Request::builder()
            .method(Method::POST)
            .uri(self.endpoint.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(AUTHORIZATION, self.authorization.clone())
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| ApiError::Decode(e.to_string()))?;
        let exchange = async {
            let response = self.http.request(request).await.map_err(|e| ApiError::Transport(error_chain(&e)))?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| ApiError::Transport(error_chain(&e)))?
                .to_bytes();
            Ok::<_, ApiError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| ApiError::Transport(format!("timed out after {REQUEST_TIMEOUT:?}")))??;
        interpret_response(status, &bytes)
    }

    /// Calls with the retry policy until success or shutdown ([`Retry::UntilShutdown`]).
    pub async fn call(&self, query: &str, variables: Value) -> Result<Value, ApiError> {
        self.call_with(query, variables, Retry::UntilShutdown).await
    }

    /// Calls with the retry policy: retryable errors ([`ApiError::is_retryable`]) are retried
    /// with [`backoff_delay`] until success or until `retry` says stop ([`ApiError::Stopped`]).
    /// The first attempt is always made, even after shutdown was requested, and an attempt in
    /// flight is never abandoned (it is bounded by [`REQUEST_TIMEOUT`]).
    pub async fn call_with(&self, query: &str, variables: Value, retry: Retry) -> Result<Value, ApiError> {
        let operation = operation_name(query);
        let mut shutdown = self.shutdown.clone();
        let mut attempt: u32 = 0;
        loop {
            let error = match self.call_once(query, &variables).await {
                Ok(data) => {
                    if attempt > 0 {
                        tracing::info!(operation, attempts = attempt + 1, "Render API reachable again");
                    }
                    return Ok(data);
                }
                Err(e) if e.is_retryable() => e,
                Err(e) => return Err(e),
            };
            let delay = backoff_delay(attempt);
            attempt = attempt.saturating_add(1);
            let stop_at = match retry {
                Retry::UntilShutdown => {
                    if *shutdown.borrow() {
                        return Err(ApiError::Stopped);
                    }
                    None
                }
                Retry::Until(deadline) => {
                    if Instant::now() + delay >= deadline {
                        tracing::warn!(operation, error = %error, "Render API call failed; retry deadline reached");
                        return Err(ApiError::Stopped);
                    }
                    Some(deadline)
                }
            };
            if attempt == 1 || attempt.is_multiple_of(10) {
                tracing::warn!(operation, attempt, error = %error, retry_in_ms = delay.as_millis() as u64, "Render API call failed; retrying");
            } else {
                tracing::debug!(operation, attempt, error = %error, retry_in_ms = delay.as_millis() as u64, "Render API call failed; retrying");
            }
            match stop_at {
                Some(_) => tokio::time::sleep(delay).await,
                None => {
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        _ = shutdown.wait_for(|stop| *stop) => return Err(ApiError::Stopped),
                    }
                }
            }
        }
    }

    /// `registerRenderWorker`.
    pub async fn register(&self, hostname: &str, pool: &str, cores: u32) -> Result<Worker, ApiError> {
        let data = self
            .call(REGISTER, json!({ "input": { "hostname": hostname, "pool": pool, "cores": cores } }))
            .await?;
        field(data, "registerRenderWorker")
    }

    /// `heartbeatRenderWorker`; returns the worker's status as the server sees it.
    pub async fn heartbeat(&self, worker_id: &str) -> Result<Option<String>, ApiError> {
        let data = self.call(HEARTBEAT, json!({ "id": worker_id })).await?;
        Ok(data
            .pointer("/heartbeatRenderWorker/status")
            .and_then(Value::as_str)
            .map(str::to_owned))
    }

    /// `claimRenderTask`; `None` when there is nothing to do.
    pub async fn claim(&self, worker_id: &str) -> Result<Option<ClaimedTask>, ApiError> {
        let data = self.call(CLAIM, json!({ "id": worker_id })).await?;
        field(data, "claimRenderTask")
    }

    /// `reportRenderTask`; returns the task's new status.
    pub async fn report(
        &self,
        task_id: &str,
        worker_id: &str,
        status: ReportStatus,
        log_tail: &str,
        core_seconds: f64,
        retry: Retry,
    ) -> Result<Option<String>, ApiError> {
        let variables = json!({
            "task": task_id,
            "worker": worker_id,
            "status": status.as_str(),
            "log": log_tail,
            "cs": core_seconds,
        });
        let data = self.call_with(REPORT, variables, retry).await?;
        Ok(data.pointer("/reportRenderTask/status").and_then(Value::as_str).map(str::to_owned))
    }

    /// `releaseRenderTask` (hands a task back to the queue).
    pub async fn release(&self, task_id: &str, worker_id: &str, retry: Retry) -> Result<Option<String>, ApiError> {
        let data = self
            .call_with(RELEASE, json!({ "task": task_id, "worker": worker_id }), retry)
            .await?;
        Ok(data.pointer("/releaseRenderTask/status").and_then(Value::as_str).map(str::to_owned))
    }
}

fn field<T: serde::de::DeserializeOwned>(mut data: Value, name: &str) -> Result<T, ApiError> {
    let value = data.get_mut(name).map(Value::take).unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|e| ApiError::Decode(format!("{name}: {e}")))
}

/// The first field selected by a mutation, for logs (e.g. `claimRenderTask`).
fn operation_name(query: &str) -> &str {
    query
        .split_once('{')
        .map(|(_, rest)| rest.trim_start())
        .and_then(|rest| rest.split(|c: char| !c.is_alphanumeric()).next())
        .filter(|n| !n.is_empty())
        .unwrap_or("graphql")
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn gql_error(code: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({ "data": null, "errors": [{ "message": "m", "extensions": { "code": code } }] })).unwrap()
    }

    #[test]
    fn retry_classification() {
        assert!(ApiError::Transport("connection refused".into()).is_retryable());
        assert!(
            ApiError::Http {
                status: 502,
                body: String::new()
            }
            .is_retryable()
        );
        assert!(
            ApiError::Http {
                status: 503,
                body: String::new()
            }
            .is_retryable()
        );
        assert!(
            !ApiError::Http {
                status: 400,
                body: String::new()
            }
            .is_retryable()
        );
        assert!(
            !ApiError::Http {
                status: 404,
                body: String::new()
            }
            .is_retryable()
        );
        assert!(!ApiError::Unauthorized.is_retryable());
        assert!(!ApiError::Decode(String::new()).is_retryable());
        assert!(!ApiError::Stopped.is_retryable());
        for (code, retry) in [
            ("SUBGRAPH_UNAVAILABLE", true),
            ("INTERNAL", true),
            ("CONFLICT", false),
            ("NOT_FOUND", false),
            ("TRANSITION_NOT_ALLOWED", false),
            ("FORBIDDEN", false),
        ] {
            let e = interpret_response(StatusCode::OK, &gql_error(code)).unwrap_err();
            assert_eq!(e.code(), Some(code));
            assert_eq!(e.is_retryable(), retry, "{code}");
        }
        let no_code = br#"{"errors":[{"message":"boom"}]}"#;
        assert!(!interpret_response(StatusCode::OK, no_code).unwrap_err().is_retryable());
    }

    #[test]
    fn response_interpretation() {
        assert_eq!(
            interpret_response(StatusCode::UNAUTHORIZED, b"{}").unwrap_err(),
            ApiError::Unauthorized
        );
        // 5xx stays retryable whatever the body.
        assert!(interpret_response(StatusCode::BAD_GATEWAY, b"<html>").unwrap_err().is_retryable());
        assert!(
            interpret_response(StatusCode::INTERNAL_SERVER_ERROR, &gql_error("CONFLICT"))
                .unwrap_err()
                .is_retryable()
        );
        let e = interpret_response(StatusCode::SERVICE_UNAVAILABLE, &gql_error("SUBGRAPH_UNAVAILABLE")).unwrap_err();
        assert_eq!(e.code(), Some("SUBGRAPH_UNAVAILABLE"));
        assert!(!interpret_response(StatusCode::FORBIDDEN, b"nope").unwrap_err().is_retryable());
        assert!(matches!(interpret_response(StatusCode::OK, b"not json"), Err(ApiError::Decode(_))));
        let data = interpret_response(StatusCode::OK, br#"{"data":{"claimRenderTask":null}}"#).unwrap();
        let claimed: Option<ClaimedTask> = field(data, "claimRenderTask").unwrap();
        assert!(claimed.is_none());
        let data = interpret_response(
            StatusCode::OK,
            br#"{"data":{"claimRenderTask":{"id":"t","frameStart":1,"frameEnd":3,"attempts":2,"command":"c","job":{"id":"j"}}}}"#,
        )
        .unwrap();
        let claimed: Option<ClaimedTask> = field(data, "claimRenderTask").unwrap();
        let t = claimed.unwrap();
        assert_eq!((t.frame_start, t.frame_end, t.attempts, t.job.unwrap().id.as_str()), (1, 3, 2, "j"));
        let data = interpret_response(
            StatusCode::OK,
            br#"{"data":{"claimRenderTask":{"id":"t","frameStart":1,"frameEnd":3,"attempts":2,"command":null,"job":null}}}"#,
        )
        .unwrap();
        let t: Option<ClaimedTask> = field(data, "claimRenderTask").unwrap();
        assert!(t.unwrap().command.is_none());
    }

    #[test]
    fn backoff_doubles_to_cap() {
        for attempt in 0..40 {
            let d = backoff_delay(attempt);
            let base = Duration::from_millis(100 * 2u64.pow(attempt.min(16))).min(BACKOFF_CAP);
            assert!(d >= base / 2 && d <= base, "attempt {attempt}: {d:?}");
        }
        assert!(backoff_delay(0) <= Duration::from_millis(100));
        assert!(backoff_delay(100) >= Duration::from_millis(2500));
    }

    #[test]
    fn operation_names() {
        assert_eq!(operation_name(CLAIM), "claimRenderTask");
        assert_eq!(operation_name(REPORT), "reportRenderTask");
        assert_eq!(operation_name(REGISTER), "registerRenderWorker");
    }
}
