//! The gateway as a `graphql-transport-ws` client of the subgraph that owns a subscription
//! field: connect, `connection_init` with the internal token, `subscribe`, then a stream of
//! `next` payloads. Dropping the stream closes the socket (no leak under churn).

use std::time::Duration;

use futures::stream::BoxStream;
use futures::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// One item from the subgraph: a `next` payload, or the reason the stream ended in error.
pub enum UpstreamEvent {
    /// A `next` payload (`{data, errors}`).
    Next(Value),
    /// An `error` message or a protocol/transport failure (GraphQL errors to forward).
    Error(Vec<Value>),
}

/// `http(s)://…` → `ws(s)://…`.
pub fn ws_url(http_url: &str) -> String {
    if let Some(rest) = http_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http_url.to_owned()
    }
}

fn unavailable(service: &str, why: &str) -> Vec<Value> {
    vec![json!({
        "message": format!("subgraph {service} {why}"),
        "extensions": { "code": "SUBGRAPH_UNAVAILABLE", "serviceName": service }
    })]
}

/// Opens the subscription; the stream ends when the subgraph completes or fails.
pub async fn subscribe(
    service: String,
    url: &str,
    token: Option<String>,
    document: &str,
    variables: Map<String, Value>,
    connect_timeout: Duration,
) -> Result<BoxStream<'static, UpstreamEvent>, Vec<Value>> {
    let mut request = ws_url(url)
        .into_client_request()
        .map_err(|_| unavailable(&service, "has an invalid URL"))?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", HeaderValue::from_static("graphql-transport-ws"));
    let connect = async {
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| {
            tracing::warn!(subgraph = %service, error = %e, "subscription connect failed");
            unavailable(&service, "is unavailable")
        })?;
        let mut init = json!({ "type": "connection_init", "payload": {} });
        if let Some(token) = &token {
            init["payload"]["Authorization"] = json!(format!("Bearer {token}"));
        }
        socket
            .send(Message::text(init.to_string()))
            .await
            .map_err(|_| unavailable(&service, "closed the connection"))?;
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    let msg: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    match msg["type"].as_str() {
                        Some("connection_ack") => break,
                        Some("ping") => {
                            let _ = socket.send(Message::text(json!({"type": "pong"}).to_string())).await;
                        }
                        _ => return Err(unavailable(&service, "refused the subscription handshake")),
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.as_ref().map(|f| u16::from(f.code)).unwrap_or(0);
                    return Err(if code == 4401 || code == 4403 {
                        vec![json!({"message": "the subgraph refused the credentials", "extensions": {"code": "UNAUTHENTICATED"}})]
                    } else {
                        unavailable(&service, "closed the connection")
                    });
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Err(unavailable(&service, "closed the connection")),
            }
        }
        let subscribe = json!({
            "id": "1",
            "type": "subscribe",
            "payload": { "query": document, "variables": variables }
        });
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .map_err(|_| unavailable(&service, "closed the connection"))?;
        Ok(socket)
    };
    let socket = tokio::time::timeout(connect_timeout, connect)
        .await
        .map_err(|_| unavailable(&service, "did not answer in time"))??;

    let stream = futures::stream::unfold(Some(socket), move |state| {
        let service = service.clone();
        async move {
            let mut socket = state?;
            loop {
                match socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        let msg: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                        match msg["type"].as_str() {
                            Some("next") => return Some((UpstreamEvent::Next(msg["payload"].clone()), Some(socket))),
                            Some("error") => {
                                let errors = msg["payload"].as_array().cloned().unwrap_or_default();
                                let _ = socket.close(None).await;
                                return Some((UpstreamEvent::Error(errors), None));
                            }
                            Some("complete") => {
                                let _ = socket.close(None).await;
                                return None;
                            }
                            Some("ping") => {
                                let _ = socket.send(Message::text(json!({"type": "pong"}).to_string())).await;
                            }
                            _ => {}
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                        return Some((UpstreamEvent::Error(unavailable(&service, "closed the subscription")), None));
                    }
                    Some(Ok(_)) => {}
                }
            }
        }
    });
    Ok(stream.boxed())
}
