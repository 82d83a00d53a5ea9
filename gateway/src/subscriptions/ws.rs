//! The client side of `graphql-transport-ws`: `connection_init` (auth from the payload or the
//! upgrade request's cookie) within a timeout, then `subscribe`/`complete` per operation id,
//! `ping`/`pong`, and the protocol's close codes. Closing the socket ends every operation and
//! its upstream subscription.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::{Caller, Gateway, GraphqlRequest, Rejection};

/// The subprotocol name.
pub const PROTOCOL: &str = "graphql-transport-ws";
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether an upgrade request asks for `graphql-transport-ws`.
pub fn requests_protocol(headers: &HeaderMap) -> bool {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim() == PROTOCOL))
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

fn text(v: Value) -> Message {
    Message::Text(v.to_string().into())
}

/// The upgrade request's headers plus credentials from the `connection_init` payload
/// (`Authorization` / `authorization` / `token`).
fn credentials(upgrade: &HeaderMap, payload: &Value) -> HeaderMap {
    let mut headers = upgrade.clone();
    let from_payload = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| payload.get("token").and_then(Value::as_str).map(|t| format!("Bearer {t}")));
    if let Some(value) = from_payload.and_then(|v| HeaderValue::from_str(&v).ok()) {
        headers.insert(header::AUTHORIZATION, value);
    }
    headers
}

/// A cookie-authenticated socket must come from the gateway's own origin (cross-site
/// WebSocket hijacking).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split("://").nth(1).is_some_and(|o| o.trim_end_matches('/') == host)
}

/// Serves one client socket.
pub async fn serve(gw: Arc<Gateway>, socket: WebSocket, upgrade_headers: HeaderMap, peer: Option<IpAddr>) {
    let (mut sink, mut incoming) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(64);
    let writer = tokio::spawn(async move {
        while let Some(msg) = out_rx.recv().await {
            let closing = matches!(msg, Message::Close(_));
            if sink.send(msg).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });

    let caller = match tokio::time::timeout(INIT_TIMEOUT, incoming.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => {
            let msg: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
            if msg["type"] != "connection_init" {
                let _ = out_tx.send(close(4400, "connection_init expected")).await;
                drop(out_tx);
                let _ = writer.await;
                return;
            }
            let headers = credentials(&upgrade_headers, &msg["payload"]);
            match gw.auth.authenticate(&headers, &Method::GET, peer).await {
                Ok(caller) if caller.as_ref().is_some_and(|c| c.via_cookie) && !same_origin(&upgrade_headers) => None::<Option<Caller>>,
                Ok(None) if gw.auth_required => None,
                Ok(caller) => Some(caller),
                Err(_) => None,
            }
        }
        Ok(_) => {
            drop(out_tx);
            let _ = writer.await;
            return;
        }
        Err(_) => {
            let _ = out_tx.send(close(4408, "Connection initialisation timeout")).await;
            drop(out_tx);
            let _ = writer.await;
            return;
        }
    };
    let Some(caller) = caller else {
        let _ = out_tx.send(close(4403, "Forbidden")).await;
        drop(out_tx);
        let _ = writer.await;
        return;
    };
    let _ = out_tx.send(text(json!({ "type": "connection_ack" }))).await;

    let mut operations: HashMap<String, JoinHandle<()>> = HashMap::new();
    let mut shutdown = gw.shutdown_signal();
    loop {
        let msg = tokio::select! {
            msg = incoming.next() => msg,
            () = async { let _ = shutdown.wait_for(|down| *down).await; } => {
                // Draining: clients reconnect to another replica.
                let _ = out_tx.send(close(1001, "server shutting down")).await;
                break;
            }
        };
        let Some(Ok(msg)) = msg else { break };
        let t = match msg {
            Message::Text(t) => t,
            Message::Close(_) => break,
            _ => continue,
        };
        let msg: Value = match serde_json::from_str(&t) {
            Ok(v) => v,
            Err(_) => {
                let _ = out_tx.send(close(4400, "Invalid message")).await;
                break;
            }
        };
        operations.retain(|_, h| !h.is_finished());
        match msg["type"].as_str() {
            Some("ping") => {
                let _ = out_tx.send(text(json!({ "type": "pong" }))).await;
            }
            Some("pong") => {}
            Some("connection_init") => {
                let _ = out_tx.send(close(4429, "Too many initialisation requests")).await;
                break;
            }
            Some("subscribe") => {
                let Some(id) = msg["id"].as_str().map(str::to_owned) else {
                    let _ = out_tx.send(close(4400, "Invalid message")).await;
                    break;
                };
                if operations.contains_key(&id) {
                    let _ = out_tx.send(close(4409, "Subscriber already exists")).await;
                    break;
                }
                let request: GraphqlRequest = match serde_json::from_value(msg["payload"].clone()) {
                    Ok(r) => r,
                    Err(_) => {
                        let _ = out_tx.send(close(4400, "Invalid message")).await;
                        break;
                    }
                };
                let handle = tokio::spawn(run_operation(gw.clone(), id.clone(), request, caller.clone(), out_tx.clone()));
                operations.insert(id, handle);
            }
            Some("complete") => {
                if let Some(handle) = msg["id"].as_str().and_then(|id| operations.remove(id)) {
                    handle.abort();
                }
            }
            _ => {
                let _ = out_tx.send(close(4400, "Invalid message")).await;
                break;
            }
        }
    }
    for (_, handle) in operations {
        handle.abort();
    }
    drop(out_tx);
    let _ = writer.await;
}

async fn run_operation(gw: Arc<Gateway>, id: String, request: GraphqlRequest, caller: Option<Caller>, out: mpsc::Sender<Message>) {
    let request_id = uuid::Uuid::new_v4().to_string();
    match super::open(gw, request, caller, request_id).await {
        Ok(mut responses) => {
            while let Some(response) = responses.next().await {
                if response.data.is_none() {
                    let _ = out
                        .send(text(json!({ "id": id, "type": "error", "payload": response.errors })))
                        .await;
                    return;
                }
                if out
                    .send(text(json!({ "id": id, "type": "next", "payload": response.to_json() })))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            let _ = out.send(text(json!({ "id": id, "type": "complete" }))).await;
        }
        Err(Rejection::Http(r) | Rejection::Request(r)) => {
            let errors = r.body()["errors"].clone();
            let _ = out.send(text(json!({ "id": id, "type": "error", "payload": errors }))).await;
        }
    }
}
