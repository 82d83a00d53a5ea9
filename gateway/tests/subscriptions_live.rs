//! Issue 6's subscriptions end to end: the real subgraphs serve them over graphql-transport-ws,
//! fed from RabbitMQ (taskChanged, renderJobChanged) and from production's event log (events),
//! through the gateway over WebSocket and SSE, with fields of other subgraphs resolved per event.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use common::events::eventually;
use common::*;
use futures::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(20);

/// A graphql-transport-ws connection to `addr` (`init` is the connection_init payload); returns
/// the socket and the first server message.
async fn connect(addr: SocketAddr, init: Value) -> (Socket, Value) {
    let mut request = format!("ws://{addr}/graphql").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
        .send(Message::text(json!({"type": "connection_init", "payload": init}).to_string()))
        .await
        .unwrap();
    let first = recv(&mut socket, WAIT).await.expect("an answer to connection_init");
    (socket, first)
}

/// The next message (a close as `{"type": "closed", "code"}`), or None after `within`.
async fn recv(socket: &mut Socket, within: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(within, socket.next()).await.ok()? {
            Some(Ok(Message::Text(t))) => return Some(serde_json::from_str(&t).unwrap()),
            Some(Ok(Message::Close(frame))) => return Some(json!({"type": "closed", "code": frame.map(|f| u16::from(f.code))})),
            Some(Ok(_)) => continue,
            other => panic!("socket ended: {other:?}"),
        }
    }
}

/// Subscribes through the gateway at `addr` as `token`.
async fn subscribe(addr: SocketAddr, token: &str, query: &str, variables: Value) -> Socket {
    let (mut socket, ack) = connect(addr, json!({"Authorization": format!("Bearer {token}")})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let msg = json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}});
    socket.send(Message::text(msg.to_string())).await.unwrap();
    socket
}

/// The data of the next `next` message (None after `within`); panics on anything else.
async fn next_data(socket: &mut Socket, within: Duration) -> Option<Value> {
    let msg = recv(socket, within).await?;
    assert_eq!(msg["type"], "next", "{msg}");
    assert!(msg["payload"].get("errors").is_none(), "{msg}");
    Some(msg["payload"]["data"].clone())
}

/// An SSE subscription through the gateway: each `next` event's data, as it arrives.
fn sse(addr: SocketAddr, token: &str, query: &str, variables: Value) -> mpsc::UnboundedReceiver<Value> {
    let (tx, rx) = mpsc::unbounded_channel();
    let body = serde_json::to_vec(&json!({"query": query, "variables": variables})).unwrap();
    let request = hyper::Request::post(format!("http://{addr}/graphql"))
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .header("authorization", format!("Bearer {token}"))
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    tokio::spawn(async move {
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        let response = client.request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let mut body = response.into_body();
        let mut buffer = String::new();
        while let Some(Ok(frame)) = body.frame().await {
            let Ok(bytes) = frame.into_data() else { continue };
            buffer.push_str(&String::from_utf8_lossy(&bytes));
            while let Some(end) = buffer.find("\n\n") {
                let chunk: String = buffer.drain(..end + 2).collect();
                if chunk.lines().any(|l| l == "event: next")
                    && let Some(data) = chunk.lines().find_map(|l| l.strip_prefix("data: ").or(l.strip_prefix("data:")))
                {
                    let _ = tx.send(serde_json::from_str::<Value>(data).unwrap()["data"].clone());
                }
            }
        }
    });
    rx
}

fn production_subscriptions(stack: &Stack) -> production::subscriptions::Subscriptions {
    production::test_support::subscriptions(&stack.production).unwrap()
}

/// Waits until the subgraphs' live feeds are consuming their queues.
async fn live_feeds_connected(stack: &Stack) {
    let production = production_subscriptions(stack).live;
    let render = render::test_support::live_feed(&stack.render).unwrap();
    eventually(WAIT, "the live feeds to connect", || {
        let ok = production.is_connected() && render.is_connected();
        async move { ok.then_some(()) }
    })
    .await;
}

async fn wait_subscribers(what: &str, count: impl Fn() -> usize, n: usize) {
    eventually(WAIT, what, || {
        let ok = count() == n;
        async move { ok.then_some(()) }
    })
    .await;
}

const TASK_CHANGED: &str = "subscription($p: ID) { taskChanged(projectId: $p) { kind task { id status assignee { displayName } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_changed_reaches_websocket_and_sse_clients_with_hr_fields_and_never_another_tenant() {
    let stack = Stack::start_with_events().await;
    live_feeds_connected(&stack).await;
    let tasks = stack
        .ok(
            "sup@northwind.test",
            "{ tasks(first: 200) { edges { node { id status assignee { displayName } availableTransitions { to } shot { project { id } } } } } }",
            json!({}),
        )
        .await;
    let task = tasks["tasks"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|t| !t["assignee"].is_null() && t["availableTransitions"].as_array().is_some_and(|a| !a.is_empty()) && !t["shot"].is_null())
        .expect("a seeded task with an assignee and a transition")
        .clone();
    let project = task["shot"]["project"]["id"].clone();
    let to = task["availableTransitions"][0]["to"].clone();

    let sup = stack.token("sup@northwind.test");
    let mut ws = subscribe(stack.addr, &sup, TASK_CHANGED, json!({"p": project})).await;
    let mut sse = sse(stack.addr, &sup, TASK_CHANGED, json!({}));
    let mut vendor = subscribe(stack.addr, &stack.token("lead@vendorx.test"), TASK_CHANGED, json!({})).await;
    let feed = production_subscriptions(&stack).live;
    wait_subscribers("three taskChanged subscribers", || feed.subscribers(), 3).await;

    stack
        .ok(
            "sup@northwind.test",
            "mutation($t: ID!, $to: TaskStatus!) { transitionTask(taskId: $t, to: $to) { id } }",
            json!({"t": task["id"], "to": to}),
        )
        .await;
    let expected = json!({"taskChanged": {"kind": "STATUS_CHANGED", "task": {"id": task["id"], "status": to, "assignee": {"displayName": task["assignee"]["displayName"]}}}});
    assert_eq!(next_data(&mut ws, WAIT).await.expect("the WebSocket event"), expected);
    let over_sse = tokio::time::timeout(WAIT, sse.recv()).await.unwrap().unwrap();
    assert_eq!(over_sse, expected, "SSE gets the same event");
    assert!(
        recv(&mut vendor, Duration::from_secs(2)).await.is_none(),
        "the vendor tenant's subscriber gets nothing of northwind's"
    );
}

/// A vendor's `taskChanged` follows exactly the tasks shared with it: from the share on, through
/// the studio's changes, and not after the unshare; the studio's other tasks never reach it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_follows_live_only_the_tasks_shared_with_it() {
    const VENDOR_CHANGED: &str = "subscription { taskChanged { kind task { id status assignee { displayName } } } }";
    const MOVE: &str = "mutation($t: ID!, $to: TaskStatus!) { transitionTask(taskId: $t, to: $to) { id } }";
    const SHARE: &str = "mutation($t: ID!, $v: ID!) { shareTask(taskId: $t, vendorTenantId: $v) { id } }";
    const UNSHARE: &str = "mutation($t: ID!, $v: ID!) { unshareTask(taskId: $t, vendorTenantId: $v) { id } }";
    let stack = Stack::start_with_events().await;
    live_feeds_connected(&stack).await;
    let sup = "sup@northwind.test";
    let movable: Vec<Value> = stack
        .ok(
            sup,
            "{ tasks(first: 200) { edges { node { id availableTransitions { to } } } } }",
            json!({}),
        )
        .await["tasks"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .filter(|t| t["availableTransitions"].as_array().is_some_and(|a| !a.is_empty()))
        .collect();
    assert!(movable.len() >= 2, "two seeded tasks with a transition");
    let (shared, other) = (&movable[0], &movable[1]);
    let vx = tenant_id("vendorx").to_string();
    let mut vendor = subscribe(stack.addr, &stack.token("lead@vendorx.test"), VENDOR_CHANGED, json!({})).await;
    let feed = production_subscriptions(&stack).live;
    wait_subscribers("the vendor's taskChanged", || feed.subscribers(), 1).await;

    stack.ok(sup, SHARE, json!({"t": shared["id"], "v": vx})).await;
    let event = next_data(&mut vendor, WAIT).await.expect("the share reaches the vendor");
    assert_eq!(event["taskChanged"]["kind"], "SHARED");
    assert_eq!(event["taskChanged"]["task"]["id"], shared["id"]);
    assert_eq!(
        event["taskChanged"]["task"]["assignee"],
        Value::Null,
        "no studio people for a vendor"
    );

    // The studio's unshared task first, then the shared one: only the latter arrives.
    let other_to = other["availableTransitions"][0]["to"].clone();
    stack.ok(sup, MOVE, json!({"t": other["id"], "to": other_to})).await;
    let to = shared["availableTransitions"][0]["to"].clone();
    stack.ok(sup, MOVE, json!({"t": shared["id"], "to": to})).await;
    let event = next_data(&mut vendor, WAIT).await.expect("the shared task's change");
    assert_eq!(
        event["taskChanged"],
        json!({"kind": "STATUS_CHANGED", "task": {"id": shared["id"], "status": to, "assignee": null}})
    );

    // After the unshare the task is out of the vendor's sight, and so are its changes.
    stack.ok(sup, UNSHARE, json!({"t": shared["id"], "v": vx})).await;
    let back = stack
        .ok(
            sup,
            "query($t: ID!) { task(id: $t) { availableTransitions { to } } }",
            json!({"t": shared["id"]}),
        )
        .await;
    if let Some(next) = back["task"]["availableTransitions"][0]["to"].as_str() {
        stack.ok(sup, MOVE, json!({"t": shared["id"], "to": next})).await;
    }
    assert!(
        recv(&mut vendor, Duration::from_secs(2)).await.is_none(),
        "nothing after the unshare, nothing of the studio's other tasks"
    );
}

const JOB_CHANGED: &str = "subscription($j: ID, $s: ID) { renderJobChanged(jobId: $j, shotId: $s) { kind job { id status progress { done total } shot { code } } } }";

async fn gql(stack: &Stack, email: &str, query: &str, variables: Value) -> Value {
    stack.ok(email, query, variables).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn render_job_changed_follows_frame_progress_by_job_and_by_shot() {
    let stack = Stack::start_with_events().await;
    live_feeds_connected(&stack).await;
    let shots = gql(
        &stack,
        "sup@northwind.test",
        "{ projects(first: 5) { edges { node { shots(first: 5) { edges { node { id code } } } } } } }",
        json!({}),
    )
    .await;
    let shots: Vec<Value> = shots["projects"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["node"]["shots"]["edges"].as_array().unwrap().clone())
        .map(|e| e["node"].clone())
        .collect();
    assert!(shots.len() >= 2, "two seeded shots");
    let (shot, other_shot) = (&shots[0], &shots[1]);
    const SUBMIT: &str = "mutation($i: SubmitRenderJobInput!) { submitRenderJob(input: $i) { id } }";
    let submit = |shot: &Value| json!({"i": {"name": "live", "shotId": shot["id"], "frameStart": 1, "frameEnd": 4, "chunkSize": 2, "command": "echo {frame}"}});
    let job = gql(&stack, "wrangler@northwind.test", SUBMIT, submit(shot)).await["submitRenderJob"]["id"].clone();

    let wrangler = stack.token("wrangler@northwind.test");
    let mut by_job = subscribe(stack.addr, &wrangler, JOB_CHANGED, json!({"j": job})).await;
    let mut by_shot = subscribe(stack.addr, &wrangler, JOB_CHANGED, json!({"s": shot["id"]})).await;
    let feed = render::test_support::live_feed(&stack.render).unwrap();
    wait_subscribers("two renderJobChanged subscribers", || feed.subscribers(), 2).await;

    // A job on another shot: neither subscriber hears of it.
    gql(&stack, "wrangler@northwind.test", SUBMIT, submit(other_shot)).await;
    // An agent: register, then claim and finish both chunks.
    let worker = gql(
        &stack,
        "wrangler@northwind.test",
        "mutation { registerRenderWorker(input: {hostname: \"live-1\", pool: \"cpu\", cores: 4}) { id } }",
        json!({}),
    )
    .await["registerRenderWorker"]["id"]
        .clone();
    let mut finished = 0;
    while finished < 2 {
        let claimed = gql(
            &stack,
            "wrangler@northwind.test",
            "mutation($w: ID!) { claimRenderTask(workerId: $w) { id job { id } } }",
            json!({"w": worker}),
        )
        .await["claimRenderTask"]
            .clone();
        assert!(!claimed.is_null(), "a chunk to claim");
        gql(
            &stack,
            "wrangler@northwind.test",
            "mutation($t: ID!, $w: ID) { reportRenderTask(taskId: $t, status: SUCCEEDED, coreSeconds: 8, workerId: $w) { id } }",
            json!({"t": claimed["id"], "w": worker}),
        )
        .await;
        if claimed["job"]["id"] == job {
            finished += 1;
        }
    }

    for (name, socket) in [("by jobId", &mut by_job), ("by shotId", &mut by_shot)] {
        let mut seen = Vec::new();
        loop {
            let data = next_data(socket, WAIT)
                .await
                .unwrap_or_else(|| panic!("{name}: events so far {seen:?}"));
            let event = &data["renderJobChanged"];
            assert_eq!(event["job"]["id"], job, "{name}: only the subscribed job");
            assert_eq!(
                event["job"]["shot"]["code"], shot["code"],
                "{name}: the shot, resolved by production"
            );
            seen.push(event["kind"].as_str().unwrap().to_owned());
            if event["kind"] == "SUCCEEDED" {
                assert_eq!(event["job"]["progress"], json!({"done": 2, "total": 2}));
                assert_eq!(event["job"]["status"], "SUCCEEDED");
                break;
            }
            if event["kind"] == "PROGRESSED" {
                assert_eq!(event["job"]["progress"]["total"], 2);
            }
        }
        assert!(seen.contains(&"STARTED".to_owned()), "{name}: {seen:?}");
        assert!(
            seen.contains(&"PROGRESSED".to_owned()),
            "{name}: a frame chunk finishing is an update: {seen:?}"
        );
    }
}

const EVENTS: &str =
    "subscription($after: String, $types: [String!]) { events(after: $after, types: $types) { id cursor type tenantId payload } }";

/// Reads `n` events (panics after [`WAIT`] without one).
async fn take_events(socket: &mut Socket, n: usize) -> Vec<Value> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let data = next_data(socket, WAIT)
            .await
            .unwrap_or_else(|| panic!("only {} of {n} events arrived", out.len()));
        out.push(data["events"].clone());
    }
    out
}

fn ids(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_replay_then_go_live_without_gap_or_duplicate_under_concurrent_writes() {
    const PROJECTS: usize = 30;
    let stack = Stack::start_with_events().await;
    let log = production_subscriptions(&stack).log;
    let admin = stack.token("admin@northwind.test");
    // The other subgraphs' seed events reach the log at their own pace: follow these two types.
    let types = json!(["project.created", "production.shot.created"]);
    let mut live = subscribe(stack.addr, &admin, EVENTS, json!({"types": types})).await;
    let mut vendor = subscribe(stack.addr, &stack.token("lead@vendorx.test"), EVENTS, json!({"types": types})).await;
    wait_subscribers("two events subscribers", || log.subscribers(), 2).await;

    // Writes keep going while the subscriptions below start: projects, and a shot every 5th.
    let writer = {
        let (addr, token) = (stack.addr, admin.clone());
        tokio::spawn(async move {
            let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
            for i in 0..PROJECTS {
                let create = json!({"query": "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }", "variables": {"i": {"code": format!("LVP{i}"), "name": format!("Live {i}")}}});
                let project = post(&client, addr, &token, create).await["data"]["createProject"]["id"].clone();
                assert!(project.is_string());
                if i % 5 == 0 {
                    let shot = json!({"query": "mutation($i: CreateShotInput!) { createShot(input: $i) { id } }", "variables": {"i": {"projectId": project, "code": format!("LVS{i}"), "frameStart": 1, "frameEnd": 10}}});
                    assert!(post(&client, addr, &token, shot).await["data"]["createShot"]["id"].is_string());
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        })
    };
    // The demo data's own events (seeded before the relays started) may interleave: the log is
    // compared whole, the writer's events ("ours") are counted.
    let total = PROJECTS + PROJECTS / 5;
    let first = take_events(&mut live, 10).await;
    // Resume mid-stream while the writes go on: replay after the 10th, then live.
    let mut resumed = subscribe(stack.addr, &admin, EVENTS, json!({"after": first[9]["cursor"], "types": types})).await;
    let ours_so_far = first.iter().filter(|e| ours(e)).count();
    let rest = take_ours(&mut live, total - ours_so_far).await;
    writer.await.unwrap();
    let all: Vec<Value> = first.into_iter().chain(rest).collect();
    assert_eq!(HashSet::<String>::from_iter(ids(&all)).len(), all.len(), "no duplicate");
    assert_eq!(all.iter().filter(|e| ours(e)).count(), total, "no gap");
    assert!(all.iter().all(|e| e["tenantId"] == tenant_id("northwind").to_string()));
    let cursors: Vec<&str> = all.iter().map(|e| e["cursor"].as_str().unwrap()).collect();
    let resumed_events = take_events(&mut resumed, all.len() - 10).await;
    assert_eq!(ids(&resumed_events), ids(&all[10..]), "exactly the missing events, in order");
    nothing_more_of_ours(&mut resumed).await;

    // A cursor taken mid-stream, after the writes: exactly what followed it.
    let k = all.len() - 7;
    let mut late = subscribe(stack.addr, &admin, EVENTS, json!({"after": cursors[k], "types": types})).await;
    assert_eq!(ids(&take_events(&mut late, 6).await), ids(&all[k + 1..]));
    nothing_more_of_ours(&mut late).await;
    // Filters: by type prefix, and by routing key.
    let mut shots = subscribe(stack.addr, &admin, EVENTS, json!({"after": cursors[0], "types": ["shot.*"]})).await;
    let expected: Vec<Value> = all[1..].iter().filter(|e| e["type"] == "shot.created").cloned().collect();
    assert_eq!(expected.iter().filter(|e| ours(e)).count(), PROJECTS / 5);
    assert_eq!(ids(&take_events(&mut shots, expected.len()).await), ids(&expected));
    let k = all.len() - 4;
    let mut projects = subscribe(
        stack.addr,
        &admin,
        EVENTS,
        json!({"after": cursors[k], "types": ["production.project.created"]}),
    )
    .await;
    let expected: Vec<Value> = all[k + 1..].iter().filter(|e| e["type"] == "project.created").cloned().collect();
    assert_eq!(ids(&take_events(&mut projects, expected.len()).await), ids(&expected));
    // The vendor saw none of it, even replaying from northwind's cursor.
    assert!(recv(&mut vendor, Duration::from_millis(500)).await.is_none());
    let mut vendor_replay = subscribe(
        stack.addr,
        &stack.token("lead@vendorx.test"),
        EVENTS,
        json!({"after": cursors[0], "types": types}),
    )
    .await;
    assert!(recv(&mut vendor_replay, Duration::from_millis(700)).await.is_none());
}

/// An event of this file's writers (codes starting with `LV`).
fn ours(event: &Value) -> bool {
    event["payload"]["code"].as_str().is_some_and(|c| c.starts_with("LV"))
}

/// Reads events until `n` of them are [`ours`]; returns all it read.
async fn take_ours(socket: &mut Socket, n: usize) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    while out.iter().filter(|e| ours(e)).count() < n {
        out.extend(take_events(socket, 1).await);
    }
    out
}

/// Nothing of ours arrives within 700 ms (the demo data's late events may).
async fn nothing_more_of_ours(socket: &mut Socket) {
    while let Some(msg) = recv(socket, Duration::from_millis(700)).await {
        assert!(!ours(&msg["payload"]["data"]["events"]), "a duplicate or a stray event: {msg}");
    }
}

async fn post(
    client: &hyper_util::client::legacy::Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    addr: SocketAddr,
    token: &str,
    body: Value,
) -> Value {
    let request = hyper::Request::post(format!("http://{addr}/graphql"))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Full::new(Bytes::from(serde_json::to_vec(&body).unwrap())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(value.get("errors").is_none(), "{value}");
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_production_replicas_behind_two_gateways_each_deliver_to_their_own_clients() {
    let stack = Stack::start_with_events().await;
    let replica = production::test_support::start_replica(&stack.production, &stack.keys, stack.events().cfg.clone())
        .await
        .unwrap();
    let second = stack
        .another_gateway(|urls| {
            urls.insert("production".to_owned(), format!("http://{}/graphql", replica.addr));
        })
        .await;
    let admin = stack.token("admin@northwind.test");
    let only_projects = json!({"types": ["project.*"]});
    let mut one = subscribe(stack.addr, &admin, EVENTS, only_projects.clone()).await;
    let mut two = subscribe(second, &admin, EVENTS, only_projects).await;
    let first_log = production_subscriptions(&stack).log;
    wait_subscribers("replica 1's client", || first_log.subscribers(), 1).await;
    wait_subscribers("replica 2's client", || replica.subscriptions.log.subscribers(), 1).await;
    for i in 0..5 {
        stack
            .ok(
                "admin@northwind.test",
                "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }",
                json!({"i": {"code": format!("LVR{i}"), "name": "Replicated"}}),
            )
            .await;
    }
    let keep = |events: Vec<Value>| events.into_iter().filter(ours).collect::<Vec<_>>();
    let (a, b) = (keep(take_ours(&mut one, 5).await), keep(take_ours(&mut two, 5).await));
    assert_eq!(ids(&a), ids(&b), "both clients, each through its own replica, see the same log");
    // Two relays and two event-log consumers may append in another order than the mutations
    // ran; the log's order is the same for every reader.
    let mut codes: Vec<String> = a.iter().map(|e| e["payload"]["code"].as_str().unwrap().to_owned()).collect();
    codes.sort();
    assert_eq!(codes, (0..5).map(|i| format!("LVR{i}")).collect::<Vec<_>>());
    replica.events.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subgraph_websocket_refuses_missing_and_invalid_tokens() {
    let stack = Stack::start().await;
    let addr = stack.production.addr;
    let (_, refused) = connect(addr, json!({})).await;
    assert_eq!(refused, json!({"type": "closed", "code": 4403}), "no token");
    let (_, refused) = connect(addr, json!({"Authorization": "Bearer not-a-token"})).await;
    assert_eq!(refused["code"], 4403, "an invalid token");
    // A client token (audience `studiograph`) is not an internal token for production.
    let (_, refused) = connect(
        addr,
        json!({"Authorization": format!("Bearer {}", stack.token("sup@northwind.test"))}),
    )
    .await;
    assert_eq!(refused["code"], 4403, "a token for another audience");
    // Subscribing before the acknowledgement.
    let mut request = format!("ws://{addr}/graphql").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let sub = json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { taskChanged { kind } }"}});
    socket.send(Message::text(sub.to_string())).await.unwrap();
    assert_eq!(recv(&mut socket, WAIT).await.unwrap()["code"], 4401);
    // The gateway's internal token is accepted; a bad document is an `error`, a query works.
    let internal = stack.production.token("sup@northwind.test");
    let (mut socket, ack) = connect(addr, json!({"Authorization": format!("Bearer {internal}")})).await;
    assert_eq!(ack["type"], "connection_ack");
    let bad = json!({"id": "b", "type": "subscribe", "payload": {"query": "subscription { taskChanged { nope } }"}});
    socket.send(Message::text(bad.to_string())).await.unwrap();
    let msg = recv(&mut socket, WAIT).await.unwrap();
    assert_eq!((msg["type"].as_str(), msg["id"].as_str()), (Some("error"), Some("b")), "{msg}");
    assert_eq!(msg["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let query = json!({"id": "q", "type": "subscribe", "payload": {"query": "{ projects(first: 1) { totalCount } }"}});
    socket.send(Message::text(query.to_string())).await.unwrap();
    let msg = recv(&mut socket, WAIT).await.unwrap();
    assert_eq!(msg["type"], "next", "{msg}");
    assert!(msg["payload"]["data"]["projects"]["totalCount"].as_i64().unwrap() > 0);
    assert_eq!(recv(&mut socket, WAIT).await.unwrap(), json!({"id": "q", "type": "complete"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_queried_before_subscribing_yields_every_later_event() {
    let stack = Stack::start_with_events().await;
    let admin = stack.token("admin@northwind.test");
    let cursor = gql(&stack, "admin@northwind.test", "{ eventsCursor }", json!({})).await["eventsCursor"].clone();
    assert!(cursor.is_string(), "{cursor}");
    // Written before anyone subscribes: a client that took the cursor first still gets it.
    let created = gql(
        &stack,
        "admin@northwind.test",
        "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }",
        json!({"i": {"code": "LVCUR", "name": "Cursor first"}}),
    )
    .await;
    let project = created["createProject"]["id"].as_str().unwrap().to_owned();
    let mut socket = subscribe(stack.addr, &admin, EVENTS, json!({"after": cursor, "types": ["project.created"]})).await;
    // (The demo data's own project events may still be reaching the log: only ours is checked.)
    let events = take_ours(&mut socket, 1).await;
    let ours_event = events.iter().find(|e| ours(e)).unwrap();
    assert_eq!(ours_event["payload"]["projectId"], json!(project));
    nothing_more_of_ours(&mut socket).await;
    // A malformed cursor is refused with the contract's code.
    let mut bad = subscribe(stack.addr, &admin, EVENTS, json!({"after": "not-a-cursor"})).await;
    // An execution error: a `next` whose payload carries the error (graphql-transport-ws keeps
    // `error` for requests that fail validation).
    let refusal = recv(&mut bad, WAIT).await.expect("an error message");
    assert_eq!(refusal["type"], "next", "{refusal}");
    assert_eq!(refusal["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refusal}");
    assert_eq!(refusal["payload"]["data"], Value::Null, "{refusal}");
}
