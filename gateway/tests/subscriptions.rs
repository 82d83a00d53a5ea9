//! Subscriptions through the gateway: a subgraph that owns a `Subscription` field (a real
//! async-graphql service speaking graphql-transport-ws, added to the supergraph as `ticker`),
//! with the events' fields owned by HR resolved per event; WebSocket and SSE clients; churn.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::{Data, ID, Object, Schema, SimpleObject, Subscription};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::WebSocketUpgrade;
use axum::routing::get;
use common::*;
use futures::{SinkExt, Stream, StreamExt};
use platform::auth::KeyPair;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

struct Query;

#[Object]
impl Query {
    async fn ok(&self) -> bool {
        true
    }
}

#[derive(SimpleObject)]
struct Employee {
    id: ID,
}

#[derive(SimpleObject)]
struct Tick {
    n: i32,
    employee: Employee,
}

/// Counts open upstream subscriptions: incremented when one starts, decremented when dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Subscriptions {
    open: Arc<AtomicUsize>,
    employee: String,
}

#[Subscription]
impl Subscriptions {
    async fn ticks(&self, count: i32, interval_ms: Option<i32>) -> impl Stream<Item = Tick> + use<> {
        self.open.fetch_add(1, Ordering::SeqCst);
        let guard = Open(self.open.clone());
        let employee = self.employee.clone();
        let interval = Duration::from_millis(interval_ms.unwrap_or(20) as u64);
        futures::stream::unfold((1, guard), move |(n, guard)| {
            let employee = employee.clone();
            async move {
                if n > count {
                    return None;
                }
                tokio::time::sleep(interval).await;
                Some((
                    Tick {
                        n,
                        employee: Employee { id: ID(employee) },
                    },
                    (n + 1, guard),
                ))
            }
        })
    }
}

/// The ticker subgraph: verifies the gateway's internal token (audience `ticker`) at
/// `connection_init`.
async fn start_ticker(keys: &KeyPair, employee: String) -> (String, Arc<AtomicUsize>) {
    let open = Arc::new(AtomicUsize::new(0));
    let schema = Schema::build(
        Query,
        async_graphql::EmptyMutation,
        Subscriptions {
            open: open.clone(),
            employee,
        },
    )
    .finish();
    let verifier = Arc::new(keys.verifier(ISSUER, "ticker"));
    let app = axum::Router::new().route(
        "/graphql",
        get(move |protocol: GraphQLProtocol, upgrade: WebSocketUpgrade| {
            let (schema, verifier) = (schema.clone(), verifier.clone());
            async move {
                upgrade
                    .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
                    .on_upgrade(move |socket| {
                        GraphQLWebSocket::new(socket, schema, protocol)
                            .on_connection_init(move |payload: Value| async move {
                                let token = payload["Authorization"]
                                    .as_str()
                                    .and_then(|t| t.strip_prefix("Bearer "))
                                    .unwrap_or("");
                                verifier.verify(token).map_err(|_| async_graphql::Error::new("unauthenticated"))?;
                                Ok(Data::default())
                            })
                            .serve()
                    })
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/graphql"), open)
}

/// The real supergraph plus the ticker subgraph (what composition would produce for it): a
/// `ticks` field on the Subscription root next to production's and render's.
fn supergraph_with_ticker(url: &str) -> String {
    let mut sdl = supergraph_sdl();
    let edits = [
        (
            "type Subscription @join__type(graph: PRODUCTION) @join__type(graph: RENDER) {",
            "type Subscription @join__type(graph: PRODUCTION) @join__type(graph: RENDER) @join__type(graph: TICKER) {\n  ticks(count: Int!, intervalMs: Int): Tick! @join__field(graph: TICKER)".to_owned(),
        ),
        (
            "  RENDER @join__graph(name: \"render\", url: \"http://127.0.0.1:4003/graphql\")\n",
            format!("  RENDER @join__graph(name: \"render\", url: \"http://127.0.0.1:4003/graphql\")\n  TICKER @join__graph(name: \"ticker\", url: \"{url}\")\n"),
        ),
        (
            "type Employee @join__type(graph: HR, key: \"id\") @join__type(graph: PRODUCTION, key: \"id\") @join__type(graph: RENDER, key: \"id\") {",
            "type Employee @join__type(graph: HR, key: \"id\") @join__type(graph: PRODUCTION, key: \"id\") @join__type(graph: RENDER, key: \"id\") @join__type(graph: TICKER, key: \"id\", resolvable: false) {".to_owned(),
        ),
    ];
    for (from, to) in edits {
        assert!(sdl.contains(from), "supergraph changed: {from}");
        sdl = sdl.replacen(from, &to, 1);
    }
    sdl.push_str("\ntype Tick @join__type(graph: TICKER) {\n  n: Int!\n  employee: Employee!\n}\n");
    sdl
}

struct Fixture {
    stack: Stack,
    open_upstream: Arc<AtomicUsize>,
    artist_name: String,
}

async fn fixture() -> Fixture {
    let keys = KeyPair::generate();
    let artist = platform::demo::user("artist@northwind.test").unwrap();
    let artist_name = platform::demo::roster("northwind")
        .into_iter()
        .find(|e| e.id == artist.employee_id())
        .unwrap()
        .display_name();
    let (url, open_upstream) = start_ticker(&keys, artist.employee_id().to_string()).await;
    let sdl = supergraph_with_ticker(&url);
    let stack = Stack::start_custom(test_config(), keys, &sdl, |_| {}).await;
    Fixture {
        stack,
        open_upstream,
        artist_name,
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(stack: &Stack, token: Option<&str>) -> Socket {
    let mut request = format!("ws://{}/graphql", stack.addr).into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.headers().get("sec-websocket-protocol").unwrap(), "graphql-transport-ws");
    let payload = token.map_or(json!({}), |t| json!({ "Authorization": format!("Bearer {t}") }));
    socket
        .send(Message::text(json!({"type": "connection_init", "payload": payload}).to_string()))
        .await
        .unwrap();
    socket
}

async fn recv(socket: &mut Socket) -> Value {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message in time")
        {
            Some(Ok(Message::Text(t))) => return serde_json::from_str(&t).unwrap(),
            Some(Ok(Message::Close(frame))) => return json!({"type": "closed", "code": frame.map(|f| u16::from(f.code))}),
            Some(Ok(_)) => continue,
            other => panic!("socket ended: {other:?}"),
        }
    }
}

const TICKS: &str =
    "subscription($n: Int!, $ms: Int) { ticks(count: $n, intervalMs: $ms) { n employee { displayName department { name } } } }";

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..200 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_subscription_resolves_other_subgraphs_fields_for_every_event() {
    let f = fixture().await;
    let mut socket = connect(&f.stack, Some(&f.stack.token("sup@northwind.test"))).await;
    assert_eq!(recv(&mut socket).await["type"], "connection_ack");
    socket
        .send(Message::text(
            json!({"id": "a", "type": "subscribe", "payload": {"query": TICKS, "variables": {"n": 3}}}).to_string(),
        ))
        .await
        .unwrap();
    for n in 1..=3 {
        let msg = recv(&mut socket).await;
        assert_eq!(msg["type"], "next", "{msg}");
        assert_eq!(msg["id"], "a");
        let tick = &msg["payload"]["data"]["ticks"];
        assert_eq!(tick["n"], n);
        assert_eq!(
            tick["employee"]["displayName"],
            f.artist_name.as_str(),
            "resolved by HR for this event"
        );
        assert!(tick["employee"]["department"]["name"].is_string());
    }
    assert_eq!(recv(&mut socket).await, json!({"id": "a", "type": "complete"}));
    // A query over the same socket: one result, then complete.
    socket
        .send(Message::text(
            json!({"id": "q", "type": "subscribe", "payload": {"query": "{ me { user { email } } }"}}).to_string(),
        ))
        .await
        .unwrap();
    let msg = recv(&mut socket).await;
    assert_eq!(msg["payload"]["data"]["me"]["user"]["email"], "sup@northwind.test");
    assert_eq!(recv(&mut socket).await["type"], "complete");
    // ping / pong.
    socket.send(Message::text(json!({"type": "ping"}).to_string())).await.unwrap();
    assert_eq!(recv(&mut socket).await["type"], "pong");
    wait_until("the upstream subscription closed", || f.open_upstream.load(Ordering::SeqCst) == 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_protocol_errors_and_auth() {
    let f = fixture().await;
    let mut socket = connect(&f.stack, None).await;
    assert_eq!(recv(&mut socket).await, json!({"type": "closed", "code": 4403}), "no credentials");
    let mut socket = connect(&f.stack, Some("not-a-token")).await;
    assert_eq!(recv(&mut socket).await["code"], 4403);
    let mut socket = connect(&f.stack, Some(&f.stack.token("artist@northwind.test"))).await;
    assert_eq!(recv(&mut socket).await["type"], "connection_ack");
    let sub = json!({"id": "x", "type": "subscribe", "payload": {"query": TICKS, "variables": {"n": 100, "ms": 50}}}).to_string();
    socket.send(Message::text(sub.clone())).await.unwrap();
    socket.send(Message::text(sub)).await.unwrap();
    loop {
        let msg = recv(&mut socket).await;
        if msg["type"] == "closed" {
            assert_eq!(msg["code"], 4409, "a second subscriber with the same id");
            break;
        }
    }
    let mut socket = connect(&f.stack, Some(&f.stack.token("artist@northwind.test"))).await;
    assert_eq!(recv(&mut socket).await["type"], "connection_ack");
    socket
        .send(Message::text(
            json!({"id": "v", "type": "subscribe", "payload": {"query": "subscription { ticks(count: 1) { nope } }"}}).to_string(),
        ))
        .await
        .unwrap();
    let msg = recv(&mut socket).await;
    assert_eq!(msg["type"], "error");
    assert_eq!(msg["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
    wait_until("every upstream subscription closed", || f.open_upstream.load(Ordering::SeqCst) == 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sse_subscription_streams_next_events_then_complete() {
    let f = fixture().await;
    let token = format!("Bearer {}", f.stack.token("sup@northwind.test"));
    let body = serde_json::to_vec(&json!({"query": TICKS, "variables": {"n": 2}})).unwrap();
    let (status, headers, bytes) = f
        .stack
        .raw(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("accept", "text/event-stream"),
                ("authorization", &token),
            ],
            body,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let text = String::from_utf8(bytes).unwrap();
    let events: Vec<(&str, &str)> = text
        .split("\n\n")
        .filter(|chunk| chunk.contains("event:"))
        .map(|chunk| {
            let event = chunk.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or("");
            let data = chunk
                .lines()
                .find_map(|l| l.strip_prefix("data: ").or(l.strip_prefix("data:")))
                .unwrap_or("");
            (event, data)
        })
        .collect();
    assert_eq!(events.len(), 3, "{text}");
    for (i, (event, data)) in events[..2].iter().enumerate() {
        assert_eq!(*event, "next");
        let v: Value = serde_json::from_str(data).unwrap();
        assert_eq!(v["data"]["ticks"]["n"], i as i64 + 1);
        assert_eq!(v["data"]["ticks"]["employee"]["displayName"], f.artist_name.as_str());
    }
    assert_eq!(events[2].0, "complete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_leaving_close_their_upstream_subscriptions() {
    let f = fixture().await;
    let token = f.stack.token("artist@northwind.test");
    for round in 0..3 {
        let mut sockets = Vec::new();
        for i in 0..10 {
            let mut socket = connect(&f.stack, Some(&token)).await;
            assert_eq!(recv(&mut socket).await["type"], "connection_ack");
            let sub = json!({"id": format!("s{i}"), "type": "subscribe", "payload": {"query": TICKS, "variables": {"n": 10000, "ms": 20}}});
            socket.send(Message::text(sub.to_string())).await.unwrap();
            assert_eq!(recv(&mut socket).await["type"], "next");
            sockets.push(socket);
        }
        assert_eq!(f.open_upstream.load(Ordering::SeqCst), 10, "round {round}");
        assert_eq!(f.stack.gateway.metrics.open_subscriptions.load(Ordering::SeqCst), 10);
        // Half complete politely, half just vanish.
        for (i, mut socket) in sockets.into_iter().enumerate() {
            if i % 2 == 0 {
                socket
                    .send(Message::text(json!({"id": format!("s{i}"), "type": "complete"}).to_string()))
                    .await
                    .unwrap();
                socket.close(None).await.unwrap();
            }
        }
        wait_until("upstream subscriptions closed", || f.open_upstream.load(Ordering::SeqCst) == 0).await;
        wait_until("the gateway's gauge is back to 0", || {
            f.stack.gateway.metrics.open_subscriptions.load(Ordering::SeqCst) == 0
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draining_closes_subscriptions_with_going_away() {
    let f = fixture().await;
    let mut socket = connect(&f.stack, Some(&f.stack.token("artist@northwind.test"))).await;
    assert_eq!(recv(&mut socket).await["type"], "connection_ack");
    let sub = json!({"id": "d", "type": "subscribe", "payload": {"query": TICKS, "variables": {"n": 10000, "ms": 20}}});
    socket.send(Message::text(sub.to_string())).await.unwrap();
    assert_eq!(recv(&mut socket).await["type"], "next");
    f.stack.gateway.begin_shutdown();
    loop {
        let msg = recv(&mut socket).await;
        if msg["type"] == "closed" {
            assert_eq!(msg["code"], 1001, "going away: reconnect elsewhere");
            break;
        }
    }
    wait_until("the upstream subscription closed", || f.open_upstream.load(Ordering::SeqCst) == 0).await;
    wait_until("the gauge is back to 0", || {
        f.stack.gateway.metrics.open_subscriptions.load(Ordering::SeqCst) == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_session_subscribes_only_from_the_gateways_own_origin() {
    let f = fixture().await;
    let login = serde_json::to_vec(&json!({"email": "artist@northwind.test", "password": "studiograph-dev"})).unwrap();
    let (status, headers, _) = f
        .stack
        .raw("POST", "/auth/login", &[("content-type", "application/json")], login)
        .await;
    assert_eq!(status, 200);
    let cookie = headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    for (origin, expected) in [
        (format!("http://{}", f.stack.addr), "connection_ack"),
        ("http://evil.example".to_owned(), "closed"),
    ] {
        let mut request = format!("ws://{}/graphql", f.stack.addr).into_client_request().unwrap();
        request
            .headers_mut()
            .insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        request.headers_mut().insert("cookie", cookie.parse().unwrap());
        request.headers_mut().insert("origin", origin.parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        socket
            .send(Message::text(json!({"type": "connection_init", "payload": {}}).to_string()))
            .await
            .unwrap();
        let msg = recv(&mut socket).await;
        assert_eq!(msg["type"], expected, "origin {origin}: {msg}");
        if expected == "closed" {
            assert_eq!(msg["code"], 4403);
        }
    }
}
