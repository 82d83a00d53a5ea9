//! Subscriptions: clients over WebSocket (`graphql-transport-ws`, [`ws`]) or SSE ([`sse`]); the
//! gateway subscribes to the owning subgraph over `graphql-transport-ws` ([`upstream`]) and, for
//! every event, resolves the fields owned by other subgraphs through the same executor.

pub mod sse;
pub mod upstream;
pub mod ws;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::{self, BoxStream};
use serde_json::{Map, Value};

use crate::Refusal;
use crate::app::{Caller, Gateway, GraphqlRequest, GraphqlResponse, Rejection, Transport};
use crate::execute::RequestContext;
use crate::metrics::Metrics;
use crate::planning::{FetchNode, Kind, PlanNode};

/// Keeps the open-subscriptions gauge right however the stream ends.
struct OpenGauge(Arc<Metrics>);

impl OpenGauge {
    fn new(metrics: Arc<Metrics>) -> Self {
        metrics.open_subscriptions.fetch_add(1, Ordering::Relaxed);
        Self(metrics)
    }
}

impl Drop for OpenGauge {
    fn drop(&mut self) {
        self.0.open_subscriptions.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The subscription's primary fetch: the plan's `Subscription` node (alone or first in a sequence).
fn primary(node: &PlanNode) -> Option<&FetchNode> {
    match node {
        PlanNode::Subscription(s) => Some(&s.primary),
        PlanNode::Sequence(seq) => seq.nodes.first().and_then(primary),
        _ => None,
    }
}

/// Opens an operation as a stream of responses: a subscription yields one response per event;
/// a query or mutation sent over a streaming transport yields one response.
pub async fn open(
    gw: Arc<Gateway>,
    request: GraphqlRequest,
    caller: Option<Caller>,
    request_id: String,
) -> Result<BoxStream<'static, GraphqlResponse>, Rejection> {
    let (prepared, variables) = gw.admit(request, caller.as_ref(), Transport::Stream).await?;
    if prepared.kind != Kind::Subscription {
        let response = gw.execute_prepared(&prepared, &variables, caller.as_ref(), &request_id).await;
        return Ok(stream::once(async move { response }).boxed());
    }
    let root = prepared.plan.as_ref().and_then(|p| p.node.as_ref());
    let Some(primary) = root.and_then(primary) else {
        return Err(Rejection::Request(Refusal::bad_request(
            "the subscription has no field to subscribe to",
        )));
    };
    let service = primary.service_name.clone();
    let url = gw
        .executor
        .subgraph_urls()
        .get(&service)
        .cloned()
        .ok_or_else(|| Rejection::Request(Refusal::bad_request("the supergraph has no such subgraph")))?;
    let tokens = Arc::new(gw.token_source(caller.as_ref(), &request_id));
    let upstream_variables: Map<String, Value> = primary
        .variable_usages
        .iter()
        .flatten()
        .filter_map(|name| variables.get(name).map(|v| (name.clone(), v.clone())))
        .collect();
    let events = match upstream::subscribe(
        service,
        &url,
        tokens(&primary.service_name),
        &primary.operation.document_str,
        upstream_variables,
        Duration::from_secs(10),
    )
    .await
    {
        Ok(events) => events,
        Err(errors) => return Ok(stream::once(async move { GraphqlResponse { data: None, errors } }).boxed()),
    };
    let gauge = OpenGauge::new(gw.metrics.clone());
    let variables = Arc::new(variables);
    let responses = events.then(move |event| {
        let (gw, prepared, variables, tokens, request_id) =
            (gw.clone(), prepared.clone(), variables.clone(), tokens.clone(), request_id.clone());
        async move {
            match event {
                upstream::UpstreamEvent::Next(mut payload) => {
                    let upstream_errors = payload
                        .get_mut("errors")
                        .and_then(|e| e.as_array_mut())
                        .map(std::mem::take)
                        .unwrap_or_default();
                    let data = payload.get_mut("data").map(Value::take).unwrap_or(Value::Null);
                    if data.is_null() {
                        return GraphqlResponse {
                            data: Some(Value::Null),
                            errors: upstream_errors,
                        };
                    }
                    let token_fn = |sg: &str| tokens(sg);
                    let ctx = RequestContext {
                        variables: &variables,
                        request_id: &request_id,
                        tokens: &token_fn,
                    };
                    let root = prepared.plan.as_ref().and_then(|p| p.node.as_ref());
                    let mut execution = gw.executor.execute_event(root, data, &ctx).await;
                    execution.errors.splice(0..0, upstream_errors);
                    gw.respond(&prepared, &variables, execution)
                }
                upstream::UpstreamEvent::Error(errors) => GraphqlResponse { data: None, errors },
            }
        }
    });
    Ok(responses
        .map(move |r| {
            let _open = &gauge;
            r
        })
        .boxed())
}
