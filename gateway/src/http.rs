//! The HTTP face: `/graphql` per the GraphQL-over-HTTP spec (POST and GET, content negotiation,
//! status codes, CSRF-safe content types), `/healthz`, `/readyz`, `/metrics`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::future::join_all;
use serde_json::{Value, json};

use crate::Refusal;
use crate::app::{Caller, Gateway, GraphqlRequest, Rejection, Transport};

/// What the client accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `application/graphql-response+json`: statuses per the spec.
    GraphqlResponseJson,
    /// `application/json` (also when no Accept header): 200 for GraphQL errors.
    Json,
    /// `text/event-stream`: a subscription over SSE.
    EventStream,
}

impl ResponseFormat {
    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json",
            Self::Json => "application/json",
            Self::EventStream => "text/event-stream",
        }
    }
}

/// Picks the response format from `Accept`; `None` when nothing acceptable is offered.
pub fn negotiate(headers: &HeaderMap) -> Option<ResponseFormat> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(ResponseFormat::Json);
    };
    let mut best: Option<(f32, ResponseFormat)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let mime = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let format = match mime.as_str() {
            "application/graphql-response+json" => ResponseFormat::GraphqlResponseJson,
            "application/json" => ResponseFormat::Json,
            "text/event-stream" => ResponseFormat::EventStream,
            "*/*" | "application/*" => ResponseFormat::GraphqlResponseJson,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, format));
        }
    }
    best.map(|(_, f)| f)
}

/// `/graphql` and the operational routes.
pub fn routes(gateway: Arc<Gateway>, body_limit: usize, max_batch: Option<usize>) -> Router {
    let settings = Arc::new(HttpSettings { body_limit, max_batch });
    Router::new()
        .route("/graphql", get(graphql).post(graphql))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state((gateway, settings))
}

struct HttpSettings {
    body_limit: usize,
    /// `Some(n)`: JSON arrays of up to `n` operations are accepted.
    max_batch: Option<usize>,
}

/// A POST body: one operation or a batch.
enum Posted {
    One(GraphqlRequest),
    Batch(Vec<GraphqlRequest>),
}

type AppState = (Arc<Gateway>, Arc<HttpSettings>);

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

async fn graphql(State((gw, settings)): State<AppState>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    if parts.method == Method::GET && parts.headers.contains_key(header::UPGRADE) {
        return websocket(gw, &mut parts).await;
    }
    let id = request_id(&parts.headers);
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let format = negotiate(&parts.headers);
    let mut response = match format {
        None => Refusal::bad_request("Accept must allow application/graphql-response+json or application/json")
            .with_status(StatusCode::NOT_ACCEPTABLE)
            .into_response(),
        Some(format) => match handle(
            &gw,
            &settings,
            &parts.method,
            &parts.headers,
            parts.uri.query(),
            body,
            peer,
            format,
            &id,
        )
        .await
        {
            Ok(r) => r,
            Err(refusal) => refusal.into_response(),
        },
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

#[allow(clippy::too_many_arguments)] // the parts of one HTTP request
async fn handle(
    gw: &Arc<Gateway>,
    settings: &HttpSettings,
    method: &Method,
    headers: &HeaderMap,
    raw_query: Option<&str>,
    body: Body,
    peer: Option<std::net::IpAddr>,
    format: ResponseFormat,
    request_id: &str,
) -> Result<Response, Refusal> {
    let (request, transport) = if method == Method::GET {
        (parse_get(raw_query.unwrap_or(""), settings.body_limit)?, Transport::Get)
    } else if method == Method::POST {
        match parse_post(headers, body, settings).await? {
            Posted::One(request) => (request, Transport::Post),
            Posted::Batch(requests) => return batch(gw, headers, method, peer, format, request_id, requests).await,
        }
    } else {
        return Err(Refusal::bad_request("use GET or POST").with_status(StatusCode::METHOD_NOT_ALLOWED));
    };
    let caller: Option<Caller> = gw.auth.authenticate(headers, method, peer).await?;
    if format == ResponseFormat::EventStream {
        return Ok(crate::subscriptions::sse::respond(gw.clone(), request, caller, request_id.to_owned()).await);
    }
    match gw.run(request, caller.as_ref(), transport, request_id).await {
        Ok(response) => Ok(json_response(StatusCode::OK, format, &response.to_json())),
        Err(Rejection::Http(refusal)) => {
            let mut refusal = refusal;
            if refusal.status == StatusCode::METHOD_NOT_ALLOWED {
                refusal = refusal.with_header(header::ALLOW, HeaderValue::from_static("POST"));
            }
            Err(refusal)
        }
        Err(Rejection::Request(refusal)) => {
            let status = match format {
                ResponseFormat::GraphqlResponseJson => refusal.status,
                _ => StatusCode::OK,
            };
            Ok(json_response(status, format, &refusal.body()))
        }
    }
}

fn json_response(status: StatusCode, format: ResponseFormat, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, format.content_type())], bytes).into_response()
}

fn parse_json(bytes: &[u8]) -> Result<Value, Refusal> {
    // serde_json stops at 128 levels of nesting with an error, never a stack overflow.
    serde_json::from_slice(bytes).map_err(|e| Refusal::bad_request(format!("malformed JSON: {e}")))
}

fn parse_get(raw: &str, limit: usize) -> Result<GraphqlRequest, Refusal> {
    if raw.len() > limit {
        return Err(Refusal::too_complex(format!("the query string exceeds {limit} bytes")).with_status(StatusCode::URI_TOO_LONG));
    }
    let params: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(raw).map_err(|_| Refusal::bad_request("malformed query string"))?;
    let json_param = |name: &str| params.get(name).map(|v| parse_json(v.as_bytes())).transpose();
    Ok(GraphqlRequest {
        query: params.get("query").cloned(),
        operation_name: params.get("operationName").cloned(),
        variables: json_param("variables")?,
        extensions: json_param("extensions")?,
    })
}

async fn parse_post(headers: &HeaderMap, body: Body, settings: &HttpSettings) -> Result<Posted, Refusal> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime != "application/json" {
        // Forms and text/plain are what a cross-site page can send without a preflight.
        return Err(Refusal::bad_request("POST requires Content-Type: application/json").with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    // The unread rest of an oversized body is still on the connection: close it after the answer
    // (`Connection: close`), so no client sends its next request on a connection being dropped.
    let bytes = axum::body::to_bytes(body, settings.body_limit).await.map_err(|_| {
        Refusal::too_complex(format!("the request body exceeds {} bytes", settings.body_limit))
            .with_status(StatusCode::PAYLOAD_TOO_LARGE)
            .with_header(header::CONNECTION, HeaderValue::from_static("close"))
    })?;
    let value = parse_json(&bytes)?;
    let request =
        |v: Value| serde_json::from_value::<GraphqlRequest>(v).map_err(|e| Refusal::bad_request(format!("not a GraphQL request: {e}")));
    match (value, settings.max_batch) {
        (Value::Array(_), None) => Err(Refusal::bad_request("batched requests are disabled")),
        (Value::Array(items), Some(max)) if items.len() > max || items.is_empty() => Err(Refusal::too_complex(format!(
            "a batch holds 1 to {max} operations (got {})",
            items.len()
        ))),
        (Value::Array(items), Some(_)) => Ok(Posted::Batch(items.into_iter().map(request).collect::<Result<_, _>>()?)),
        (v @ Value::Object(_), _) => Ok(Posted::One(request(v)?)),
        _ => Err(Refusal::bad_request("the body must be a GraphQL request object")),
    }
}

async fn readyz(State((gw, _)): State<AppState>) -> Response {
    let urls = gw.executor.subgraph_urls();
    let client = gw.executor.client();
    let checks = join_all(
        urls.iter()
            .map(|(name, url)| async move { (name.clone(), client.probe(url, Duration::from_secs(2)).await) }),
    )
    .await;
    let ready = checks.iter().all(|(_, up)| *up);
    let subgraphs: serde_json::Map<String, Value> = checks
        .into_iter()
        .map(|(n, up)| (n, json!(if up { "up" } else { "down" })))
        .collect();
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (
        status,
        axum::Json(json!({ "status": if ready { "ready" } else { "unavailable" }, "subgraphs": subgraphs })),
    )
        .into_response()
}

async fn metrics(State((gw, _)): State<AppState>) -> Response {
    let text = gw.metrics.render(gw.planning.cache_stats());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

async fn websocket(gw: Arc<Gateway>, parts: &mut axum::http::request::Parts) -> Response {
    use crate::subscriptions::ws;
    use axum::extract::FromRequestParts;
    use axum::extract::ws::WebSocketUpgrade;
    if !ws::requests_protocol(&parts.headers) {
        return Refusal::bad_request("WebSocket clients must ask for the graphql-transport-ws subprotocol").into_response();
    }
    let upgrade = match WebSocketUpgrade::from_request_parts(parts, &()).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let headers = parts.headers.clone();
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    upgrade
        .protocols([ws::PROTOCOL])
        .on_upgrade(move |socket| ws::serve(gw, socket, headers, peer))
        .into_response()
}

/// A batch: the operations run concurrently; the answer is the array of their responses.
async fn batch(
    gw: &Arc<Gateway>,
    headers: &HeaderMap,
    method: &Method,
    peer: Option<std::net::IpAddr>,
    format: ResponseFormat,
    request_id: &str,
    requests: Vec<GraphqlRequest>,
) -> Result<Response, Refusal> {
    if format == ResponseFormat::EventStream {
        return Err(Refusal::bad_request("a batch cannot be streamed").with_status(StatusCode::NOT_ACCEPTABLE));
    }
    let caller: Option<Caller> = gw.auth.authenticate(headers, method, peer).await?;
    let runs = requests.into_iter().enumerate().map(|(i, r)| {
        let caller = caller.as_ref();
        async move {
            match gw.run(r, caller, Transport::Post, &format!("{request_id}.{i}")).await {
                Ok(response) => response.to_json(),
                Err(Rejection::Http(refusal) | Rejection::Request(refusal)) => refusal.body(),
            }
        }
    });
    Ok(json_response(StatusCode::OK, format, &Value::Array(join_all(runs).await)))
}
