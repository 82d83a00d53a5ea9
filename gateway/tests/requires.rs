//! `@requires`: a fourth subgraph (`greeter`, a real async-graphql service) extends `Employee`
//! with `greeting`, which requires HR's `displayName`. The gateway fetches the required field
//! from HR, sends it in the representations, and never shows it unless the client asked.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{ID, Object, Schema};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::routing::post;
use common::*;
use platform::auth::KeyPair;
use serde_json::json;

struct Query;

#[Object]
impl Query {
    /// Entities arrive with their key and the `@requires` fields.
    #[graphql(entity)]
    async fn find_employee(&self, #[graphql(key)] id: ID, display_name: String) -> Employee {
        Employee { id, display_name }
    }
}

struct Employee {
    id: ID,
    display_name: String,
}

#[Object]
impl Employee {
    async fn id(&self) -> &ID {
        &self.id
    }
    async fn greeting(&self) -> String {
        format!("Hello, {}!", self.display_name)
    }
}

async fn start_greeter() -> (String, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let schema = Schema::build(Query, async_graphql::EmptyMutation, async_graphql::EmptySubscription)
        .enable_federation()
        .finish();
    let counter = requests.clone();
    let app = axum::Router::new().route(
        "/graphql",
        post(move |req: GraphQLRequest| {
            let (schema, counter) = (schema.clone(), counter.clone());
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                GraphQLResponse::from(schema.execute(req.into_inner()).await)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/graphql"), requests)
}

/// The real supergraph plus `greeter` (what composition produces for
/// `type Employee @key(fields: "id") { id: ID! displayName: String! @external greeting: String! @requires(fields: "displayName") }`).
fn supergraph_with_greeter(url: &str) -> String {
    let mut sdl = supergraph_sdl();
    let employee = "type Employee @join__type(graph: HR, key: \"id\") @join__type(graph: PRODUCTION, key: \"id\") @join__type(graph: RENDER, key: \"id\") {\n  id: ID!\n";
    let edits = [
        (
            "  RENDER @join__graph(name: \"render\", url: \"http://127.0.0.1:4003/graphql\")\n".to_owned(),
            format!(
                "  RENDER @join__graph(name: \"render\", url: \"http://127.0.0.1:4003/graphql\")\n  GREETER @join__graph(name: \"greeter\", url: \"{url}\")\n"
            ),
        ),
        (
            employee.to_owned(),
            employee.replace("{\n", "@join__type(graph: GREETER, key: \"id\") {\n")
                + "  greeting: String! @join__field(graph: GREETER, requires: \"displayName\")\n",
        ),
        (
            "  displayName: String! @join__field(graph: HR)\n".to_owned(),
            "  displayName: String! @join__field(graph: HR) @join__field(graph: GREETER, external: true)\n".to_owned(),
        ),
    ];
    for (from, to) in edits {
        assert!(sdl.contains(&from), "supergraph changed: {from}");
        sdl = sdl.replacen(&from, &to, 1);
    }
    sdl
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requires_fields_are_fetched_sent_in_representations_and_hidden() {
    let (url, greeter_requests) = start_greeter().await;
    let sdl = supergraph_with_greeter(&url);
    let stack = Stack::start_custom(test_config(), KeyPair::generate(), &sdl, |_| {}).await;

    let data = stack
        .ok(
            "sup@northwind.test",
            "{ tasks(first: 20) { nodes { assignee { displayName greeting } } } }",
            json!({}),
        )
        .await;
    let nodes = data["tasks"]["nodes"].as_array().unwrap();
    let assigned: Vec<_> = nodes.iter().filter_map(|n| n["assignee"].as_object()).collect();
    assert!(!assigned.is_empty());
    for a in &assigned {
        assert_eq!(a["greeting"], format!("Hello, {}!", a["displayName"].as_str().unwrap()));
    }
    assert_eq!(
        greeter_requests.load(Ordering::SeqCst),
        1,
        "one _entities request for every assignee"
    );

    // Without displayName in the selection: fetched for the representation, not shown.
    let data = stack
        .ok(
            "sup@northwind.test",
            "{ tasks(first: 20) { nodes { assignee { greeting } } } }",
            json!({}),
        )
        .await;
    for n in data["tasks"]["nodes"].as_array().unwrap() {
        if let Some(a) = n["assignee"].as_object() {
            assert_eq!(a.keys().collect::<Vec<_>>(), ["greeting"]);
            assert!(a["greeting"].as_str().unwrap().starts_with("Hello, "));
            assert_ne!(a["greeting"], "Hello, !");
        }
    }
}
