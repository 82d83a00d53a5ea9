//! HTTP to subgraphs: one pooled keep-alive client, JSON in and out, a timeout per request.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;

/// A subgraph's answer.
#[derive(Debug, Default, Deserialize)]
pub struct SubgraphResponse {
    /// `data`.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    /// `errors`, as sent.
    #[serde(default)]
    pub errors: Vec<serde_json::Value>,
}

/// Why a subgraph request produced no GraphQL response.
#[derive(Debug, thiserror::Error)]
pub enum FetchFailure {
    /// Connection refused, reset, DNS…
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// No answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// An answer that is not a GraphQL response.
    #[error("answered HTTP {0} without a GraphQL response")]
    BadResponse(u16),
}

/// The shared client.
#[derive(Clone)]
pub struct SubgraphClient {
    http: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl SubgraphClient {
    /// A pooled client; `timeout` bounds each request.
    pub fn new(timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_keepalive(Some(Duration::from_secs(60)));
        let http = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(256)
            .build(connector);
        Self { http, timeout }
    }

    /// POSTs a GraphQL request body to `url` with an optional bearer token; returns the parsed
    /// response and the time it took.
    pub async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        bearer: Option<&str>,
        request_id: &str,
    ) -> Result<(SubgraphResponse, Duration), FetchFailure> {
        let started = Instant::now();
        let mut req = hyper::Request::post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/graphql-response+json, application/json")
            .header("x-request-id", request_id);
        if let Some(token) = bearer {
            req = req.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| FetchFailure::Unreachable(e.to_string()))?;
        let exchange = async {
            let res = self.http.request(req).await.map_err(|e| FetchFailure::Unreachable(e.to_string()))?;
            let status = res.status().as_u16();
            let bytes = res
                .into_body()
                .collect()
                .await
                .map_err(|e| FetchFailure::Unreachable(e.to_string()))?
                .to_bytes();
            match serde_json::from_slice::<SubgraphResponse>(&bytes) {
                Ok(parsed) if parsed.data.is_some() || !parsed.errors.is_empty() => Ok(parsed),
                _ => Err(FetchFailure::BadResponse(status)),
            }
        };
        let parsed = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| FetchFailure::Timeout(self.timeout))??;
        Ok((parsed, started.elapsed()))
    }

    /// GET `url` (readiness probes): whether it answered at all (any HTTP status) in time.
    pub async fn probe(&self, url: &str, timeout: Duration) -> bool {
        let Ok(req) = hyper::Request::get(url).body(Full::new(Bytes::new())) else {
            return false;
        };
        matches!(tokio::time::timeout(timeout, self.http.request(req)).await, Ok(Ok(_)))
    }
}
