//! Hostile input never reaches the parser: deep lists, objects, selections and variables of
//! 1k to 100k levels are refused with BAD_USER_INPUT and the process keeps answering. Also:
//! no batches, no text/plain, no mutations over GET, no suggestions, no anonymous calls.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{TestApp, code};
use serde_json::{Value, json};

async fn assert_alive(app: &TestApp, token: &str) {
    let data = app.ok(token, "{ me { user { email } } }", json!({})).await;
    assert_eq!(data["me"]["user"]["email"], "artist@northwind.test");
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{}{}", open.repeat(depth), inner, close.repeat(depth))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_documents_and_variables_are_refused_and_the_process_survives() {
    let app = common::spawn().await;
    let token = app.token("artist@northwind.test");
    let auth = format!("Bearer {token}");
    for depth in [1_000usize, 2_000, 5_000, 100_000] {
        let documents = [
            format!("{{ employee(id: {}) {{ id }} }}", nested("[", "1", "]", depth)),
            format!("{{ employee(id: {}) {{ id }} }}", nested("{a:", "1", "}", depth)),
            format!("{{ me {}}}", nested("{ a ", "", "}", depth)),
        ];
        for doc in documents {
            let (status, body) = app.gql_status(&token, &doc, json!({})).await;
            assert_eq!(status, 400, "depth {depth}");
            assert_eq!(code(&body), "BAD_USER_INPUT");
        }
        // Deep variables: serde_json's own limit or our pre-scan refuses them.
        let vars = format!(
            "{{\"query\":\"query($v: String) {{ me {{ user {{ id }} }} }}\",\"variables\":{{\"v\":{}}}}}",
            nested("[", "1", "]", depth)
        );
        let (status, text) = app
            .raw(
                "POST",
                "/graphql",
                &[("content-type", "application/json"), ("authorization", &auth)],
                vars,
            )
            .await;
        assert_eq!(status, 400, "variables depth {depth}: {text}");
        assert!(text.contains("BAD_USER_INPUT"));
        let objs = format!(
            "{{\"query\":\"{{ me {{ user {{ id }} }} }}\",\"variables\":{{\"v\":{}}}}}",
            nested("{\"a\":", "1", "}", depth)
        );
        let (status, _) = app
            .raw(
                "POST",
                "/graphql",
                &[("content-type", "application/json"), ("authorization", &auth)],
                objs,
            )
            .await;
        assert_eq!(status, 400);
        assert_alive(&app, &token).await;
    }
    // Moderately nested but legal input still works (variables nested 40 deep).
    let mut v = json!("x");
    for _ in 0..40 {
        v = json!([v]);
    }
    let body = app
        .gql(&token, "query($v: [[String]]) { me { user { id } } }", json!({ "v": v }))
        .await;
    // The value does not match the declared type: a GraphQL error, not a crash.
    assert!(body["errors"].is_array());
    assert_alive(&app, &token).await;
}

#[tokio::test]
async fn protocol_rules() {
    let app = common::spawn().await;
    let token = app.token("artist@northwind.test");
    let auth = format!("Bearer {token}");
    let q = r#"{"query":"{ me { user { id } } }"}"#;

    // text/plain is refused (CSRF-safe "simple request" content type).
    let (status, text) = app
        .raw("POST", "/graphql", &[("content-type", "text/plain"), ("authorization", &auth)], q)
        .await;
    assert_eq!(status, 415, "{text}");
    // Batches are refused.
    let (status, text) = app
        .raw(
            "POST",
            "/graphql",
            &[("content-type", "application/json"), ("authorization", &auth)],
            format!("[{q},{q}]"),
        )
        .await;
    assert_eq!(status, 400);
    assert!(text.contains("batched"));
    // Oversized bodies are refused.
    let big = format!(
        "{{\"query\":\"{{ me {{ user {{ id }} }} }}\",\"pad\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let (status, _) = app
        .raw(
            "POST",
            "/graphql",
            &[("content-type", "application/json"), ("authorization", &auth)],
            big,
        )
        .await;
    assert_eq!(status, 413);
    // Queries over GET work; mutations over GET are 405.
    let (status, text) = app
        .raw(
            "GET",
            "/graphql?query=%7B%20me%20%7B%20user%20%7B%20email%20%7D%20%7D%20%7D",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("artist@northwind.test"));
    let mutation = "/graphql?query=mutation%20%7B%20cancelLeave(id%3A%20%2200000000-0000-0000-0000-000000000000%22)%20%7B%20id%20%7D%20%7D";
    let (status, text) = app.raw("GET", mutation, &[("authorization", &auth)], "").await;
    assert_eq!(status, 405, "{text}");
    // No token, a garbage token, an expired or misaddressed token: 401 UNAUTHENTICATED.
    let (status, text) = app.raw("POST", "/graphql", &[("content-type", "application/json")], q).await;
    assert_eq!(status, 401);
    assert!(text.contains("UNAUTHENTICATED"));
    let (status, _) = app
        .raw(
            "POST",
            "/graphql",
            &[("content-type", "application/json"), ("authorization", "Bearer nonsense")],
            q,
        )
        .await;
    assert_eq!(status, 401);
    // Field suggestions are off: the error does not leak the schema.
    let body = app.gql(&token, "{ employes { totalCount } }", json!({})).await;
    let msg = body["errors"][0]["message"].as_str().unwrap();
    assert!(!msg.contains("Did you mean"), "{msg}");
    assert_eq!(code(&body), "BAD_USER_INPUT");
    // graphql-response+json: request errors get 400 and the right content type.
    let (status, _) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("accept", "application/graphql-response+json"),
                ("authorization", &auth),
            ],
            r#"{"query":"{ nope }"}"#,
        )
        .await;
    assert_eq!(status, 400);
    let v: Value = app.ok(&token, "{ me { tenant { slug kind } } }", json!({})).await;
    assert_eq!(v["me"]["tenant"]["slug"], "northwind");
}

#[tokio::test]
async fn health_readiness_and_metrics_need_no_token() {
    let app = common::spawn().await;
    assert_eq!(app.raw("GET", "/healthz", &[], "").await.0, 200);
    assert_eq!(app.raw("GET", "/readyz", &[], "").await, (200, "ready".to_owned()));
    let before = app.db.statements().get();
    let (status, text) = app.raw("GET", "/metrics", &[], "").await;
    assert_eq!(status, 200);
    let line = text
        .lines()
        .find(|l| l.starts_with("studiograph_db_statements_total "))
        .expect("statements metric");
    let value: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(value >= before, "{line}");
    assert!(text.contains("studiograph_db_pool_connections "));
}
