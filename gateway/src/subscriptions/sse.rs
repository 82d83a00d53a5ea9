//! Subscriptions over Server-Sent Events (the "distinct connections" mode of GraphQL over SSE):
//! one `next` event per response, then `complete`. The client closing the connection ends the
//! upstream subscription.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use futures::stream;

use crate::app::{Caller, Gateway, GraphqlRequest, GraphqlResponse, Rejection};

fn next(response: &GraphqlResponse) -> Event {
    Event::default().event("next").data(response.to_json().to_string())
}

/// Streams `request` as SSE.
pub async fn respond(gw: Arc<Gateway>, request: GraphqlRequest, caller: Option<Caller>, request_id: String) -> Response {
    let gw_shutdown = gw.shutdown_signal();
    let responses = match super::open(gw, request, caller, request_id).await {
        Ok(responses) => responses,
        Err(Rejection::Http(refusal)) => return refusal.into_response(),
        Err(Rejection::Request(refusal)) => {
            let body = refusal.body();
            let errors = body["errors"].as_array().cloned().unwrap_or_default();
            stream::once(async move { GraphqlResponse { data: None, errors } }).boxed()
        }
    };
    let mut shutdown = gw_shutdown;
    let draining = async move {
        let _ = shutdown.wait_for(|down| *down).await;
    };
    let events = responses
        .take_until(draining)
        .map(|r| Ok::<_, Infallible>(next(&r)))
        .chain(stream::once(async { Ok(Event::default().event("complete").data("")) }));
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
