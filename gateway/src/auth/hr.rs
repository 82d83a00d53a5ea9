//! The HR subgraph's gateway-only routes: check a password, resolve an API token. Each call
//! carries a fresh service token (`aud` = `hr`, scope `internal:auth`).

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The HR subgraph's audience.
pub(crate) const HR_AUDIENCE: &str = "hr";

/// Largest HR answer read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

pub use platform::auth::ResolvedIdentity;

/// What HR said.
#[derive(Debug)]
pub(crate) enum HrAnswer {
    /// The credential is good.
    Identity(ResolvedIdentity),
    /// HR refused the credential (401).
    Invalid,
    /// HR could not be asked, or answered something unexpected.
    Unavailable(String),
}

/// A pooled HTTP client for HR's internal routes.
#[derive(Clone)]
pub(crate) struct HrClient {
    base: String,
    timeout: Duration,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl HrClient {
    pub(crate) fn new(base: impl Into<String>, timeout: Duration) -> Self {
        let base = base.into().trim_end_matches('/').to_owned();
        Self {
            base,
            timeout,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// POSTs `body` to `{base}{path}` with the service token.
    pub(crate) async fn call(&self, path: &str, service_token: &str, body: &serde_json::Value) -> HrAnswer {
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}{path}", self.base))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {service_token}"))
            .body(Full::new(Bytes::from(body.to_string())));
        let request = match request {
            Ok(r) => r,
            Err(e) => return HrAnswer::Unavailable(format!("building the request: {e}")),
        };
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| format!("{e}"))?;
            let status = response.status();
            let body = http_body_util::Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, body))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Err(_) => HrAnswer::Unavailable("timed out".into()),
            Ok(Err(e)) => HrAnswer::Unavailable(e),
            Ok(Ok((StatusCode::OK, body))) => match serde_json::from_slice::<ResolvedIdentity>(&body) {
                Ok(identity) => HrAnswer::Identity(identity),
                Err(e) => HrAnswer::Unavailable(format!("unexpected answer: {e}")),
            },
            Ok(Ok((StatusCode::UNAUTHORIZED, body))) => {
                // HR says "invalid credentials" for a bad credential; anything else most likely
                // means it refused the gateway's own service token (a key or issuer mismatch):
                // still a refusal, but one an operator must hear about.
                let message = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["errors"][0]["message"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                if message != "invalid credentials" {
                    tracing::warn!(hr.message = %message, "HR refused an auth call; is the gateway key or issuer misconfigured?");
                }
                HrAnswer::Invalid
            }
            Ok(Ok((status, _))) => HrAnswer::Unavailable(format!("HTTP {status}")),
        }
    }
}
