//! Subscriptions for the gateway: `GET /graphql` upgraded to a WebSocket speaking
//! `graphql-transport-ws` (the only subprotocol offered; the gateway is the only client).
//!
//! The connection is authenticated once, in `connection_init`, whose payload carries
//! `{"Authorization": "Bearer <internal JWT>"}` verified like the HTTP endpoint's header; a
//! missing or invalid token closes the socket with 4403, a `subscribe` before the acknowledgement
//! with 4401. Each `subscribe` runs like an HTTP request (nesting pre-scan, the principal and the
//! endpoint's per-request data), with its loaders flushed while an event resolves and forgotten
//! between events ([`FlushStream`]). Other close codes follow the protocol: 4400 (malformed
//! message), 4408 (no `connection_init` in time), 4409 (duplicate id), 4429 (second init).

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::{ObjectType, SubscriptionType};
use axum::extract::FromRequestParts as _;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::{GraphqlEndpoint, prescan};
use crate::auth::Principal;
use crate::batch::FlushStream;
use crate::error::{AppError, ErrorCode};

/// The subprotocol served.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// How long a client has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `headers` ask for a WebSocket upgrade.
pub(super) fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Upgrades `request` when it offers [`PROTOCOL`]; 400 otherwise.
pub(super) async fn upgrade<Q, M, S>(ep: GraphqlEndpoint<Q, M, S>, request: axum::extract::Request, request_id: String) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let (mut parts, _) = request.into_parts();
    let offered = parts
        .headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == PROTOCOL);
    if !offered {
        let error = AppError::bad_input(format!("WebSocket subscriptions need the {PROTOCOL} subprotocol"));
        return (StatusCode::BAD_REQUEST, axum::Json(error.to_response_json())).into_response();
    }
    match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => upgrade
            .protocols([PROTOCOL])
            .max_message_size(ep.limits.body_limit_bytes)
            .on_upgrade(move |socket| Session::new(ep, request_id).run(socket)),
        Err(rejection) => rejection.into_response(),
    }
}

/// A client message (the fields of every type; unknown fields are ignored).
#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    payload: Option<Value>,
}

/// The payload of `subscribe`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscribePayload {
    query: String,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// What a subscription's task sends to the socket, tagged with the subscription's generation so
/// messages of a subscription the client already completed are dropped.
enum Out {
    /// A `next` message.
    Next { id: String, generation: u64, text: String },
    /// The last message (`complete` or `error`); the id is free again.
    Last { id: String, generation: u64, text: String },
}

/// One connection.
struct Session<Q, M, S> {
    ep: GraphqlEndpoint<Q, M, S>,
    request_id: String,
    principal: Option<Principal>,
    running: HashMap<String, (u64, AbortHandle)>,
    generation: u64,
}

/// How a session ends: a close code and reason, or the client went away.
type Ending = Option<(u16, String)>;

impl<Q, M, S> Session<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    fn new(ep: GraphqlEndpoint<Q, M, S>, request_id: String) -> Self {
        Self {
            ep,
            request_id,
            principal: None,
            running: HashMap::new(),
            generation: 0,
        }
    }

    async fn run(mut self, mut socket: WebSocket) {
        let (out_tx, mut out_rx) = mpsc::channel::<Out>(64);
        let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(init_deadline);
        let ending: Ending = loop {
            tokio::select! {
                biased;
                Some(out) = out_rx.recv() => {
                    let (id, generation, text, last) = match out {
                        Out::Next { id, generation, text } => (id, generation, text, false),
                        Out::Last { id, generation, text } => (id, generation, text, true),
                    };
                    if self.running.get(&id).map(|(g, _)| *g) != Some(generation) {
                        continue;
                    }
                    if last {
                        self.running.remove(&id);
                    }
                    if socket.send(Message::text(text)).await.is_err() {
                        break None;
                    }
                }
                () = &mut init_deadline, if self.principal.is_none() => {
                    break Some((4408, "Connection initialisation timeout".to_owned()));
                }
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => match self.on_message(text.as_str(), &out_tx) {
                        Ok(Some(reply)) => {
                            if socket.send(Message::text(reply.to_string())).await.is_err() {
                                break None;
                            }
                        }
                        Ok(None) => {}
                        Err(close) => break Some(close),
                    },
                    Some(Ok(Message::Binary(_))) => break Some((4400, "Binary messages are not supported".to_owned())),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break None,
                    Some(Ok(_)) => {}
                },
            }
        };
        for (_, (_, task)) in self.running.drain() {
            task.abort();
        }
        if let Some((code, reason)) = ending {
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                })))
                .await;
        }
    }

    /// Handles one client message: a reply to send, nothing, or a close code.
    fn on_message(&mut self, text: &str, out: &mpsc::Sender<Out>) -> Result<Option<Value>, (u16, String)> {
        let msg: ClientMessage = serde_json::from_str(text).map_err(|_| (4400, "Invalid message".to_owned()))?;
        match msg.kind.as_str() {
            "connection_init" => {
                if self.principal.is_some() {
                    return Err((4429, "Too many initialisation requests".to_owned()));
                }
                let principal = self
                    .authenticate(msg.payload.as_ref())
                    .map_err(|_| (4403, "Forbidden".to_owned()))?;
                self.principal = Some(principal);
                Ok(Some(json!({"type": "connection_ack"})))
            }
            "ping" => Ok(Some(json!({"type": "pong"}))),
            "pong" => Ok(None),
            "subscribe" => {
                let Some(principal) = self.principal.clone() else {
                    return Err((4401, "Unauthorized".to_owned()));
                };
                let id = msg.id.ok_or_else(|| (4400, "subscribe without an id".to_owned()))?;
                if self.running.contains_key(&id) {
                    return Err((4409, format!("Subscriber for {id} already exists")));
                }
                let payload: SubscribePayload = msg
                    .payload
                    .and_then(|p| serde_json::from_value(p).ok())
                    .ok_or_else(|| (4400, "Invalid subscribe payload".to_owned()))?;
                self.generation += 1;
                let generation = self.generation;
                let task = match self.request(payload, principal) {
                    Ok((request, flush)) => self.spawn(id.clone(), generation, request, flush, out.clone()),
                    Err(error) => {
                        let text = json!({"id": id, "type": "error", "payload": [error.to_response_json()["errors"][0]]});
                        let out = out.clone();
                        let id = id.clone();
                        tokio::spawn(async move {
                            let _ = out
                                .send(Out::Last {
                                    id,
                                    generation,
                                    text: text.to_string(),
                                })
                                .await;
                        })
                    }
                };
                self.running.insert(id, (generation, task.abort_handle()));
                Ok(None)
            }
            "complete" => {
                if let Some((_, task)) = msg.id.and_then(|id| self.running.remove(&id)) {
                    task.abort();
                }
                Ok(None)
            }
            _ => Err((4400, format!("Unknown message type {}", msg.kind))),
        }
    }

    fn authenticate(&self, payload: Option<&Value>) -> Result<Principal, AppError> {
        let authorization = payload
            .and_then(|p| p.get("Authorization").or_else(|| p.get("authorization")))
            .and_then(Value::as_str)
            .ok_or_else(|| AppError::unauthenticated("missing bearer token"))?;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            authorization
                .parse()
                .map_err(|_| AppError::unauthenticated("malformed bearer token"))?,
        );
        super::authenticate(&self.ep.verifier, &headers, &self.request_id)
    }

    /// The subscription's request with the principal and the endpoint's per-request data.
    fn request(
        &self,
        payload: SubscribePayload,
        principal: Principal,
    ) -> Result<(async_graphql::Request, Option<std::sync::Arc<dyn crate::batch::Flush>>), AppError> {
        let limit = self.ep.limits.max_nesting;
        prescan::check_document_nesting(&payload.query, limit).map_err(|e| AppError::bad_input(e.to_string()))?;
        for json in [&payload.variables, &payload.extensions].into_iter().flatten() {
            prescan::check_json_nesting(json, limit).map_err(|e| AppError::bad_input(e.to_string()))?;
        }
        let variables = match payload.variables {
            None | Some(Value::Null) => async_graphql::Variables::default(),
            Some(v @ Value::Object(_)) => async_graphql::Variables::from_json(v),
            Some(_) => return Err(AppError::bad_input("variables must be an object")),
        };
        let mut request = async_graphql::Request::new(payload.query).variables(variables);
        if let Some(name) = payload.operation_name {
            request = request.operation_name(name);
        }
        Ok((self.ep.enrich)(request.data(principal.clone()), &principal))
    }

    /// Runs one subscription, sending `next` per response, then `complete`; a request error (no
    /// data, an error without a path, before any event) is sent as `error` instead.
    fn spawn(
        &self,
        id: String,
        generation: u64,
        request: async_graphql::Request,
        flush: Option<std::sync::Arc<dyn crate::batch::Flush>>,
        out: mpsc::Sender<Out>,
    ) -> tokio::task::JoinHandle<()> {
        let mut responses = FlushStream::new(self.ep.schema.execute_stream(request), flush);
        tokio::spawn(async move {
            let mut first = true;
            while let Some(mut response) = responses.next().await {
                for err in &mut response.errors {
                    let ext = err.extensions.get_or_insert_with(Default::default);
                    if ext.get("code").is_none() {
                        ext.set("code", ErrorCode::BadUserInput.as_str());
                    }
                }
                let request_error = response.data == async_graphql::Value::Null && response.errors.iter().any(|e| e.path.is_empty());
                if first && request_error {
                    let text = json!({"id": id, "type": "error", "payload": response.errors}).to_string();
                    let _ = out.send(Out::Last { id, generation, text }).await;
                    return;
                }
                first = false;
                let text = json!({"id": id, "type": "next", "payload": response}).to_string();
                if out
                    .send(Out::Next {
                        id: id.clone(),
                        generation,
                        text,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
            }
            let text = json!({"id": id, "type": "complete"}).to_string();
            let _ = out.send(Out::Last { id, generation, text }).await;
        })
    }
}
