//! The bad-input matrix, and partial data when a subgraph is down.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};

fn deep_selection(levels: usize) -> String {
    format!("{{{}{}", "a{".repeat(levels), "}".repeat(levels + 1))
}

fn deep_list(levels: usize) -> String {
    format!("{{ shot(id: {}\"x\"{}) {{ id }} }}", "[".repeat(levels), "]".repeat(levels))
}

async fn gateway_still_answers(stack: &Stack) {
    let data = stack.ok("artist@northwind.test", "{ me { user { email } } }", json!({})).await;
    assert_eq!(data["me"]["user"]["email"], "artist@northwind.test");
}

/// Status, headers and body of one HTTP exchange.
type Exchange = (u16, hyper::HeaderMap, Vec<u8>);

fn body_code(bytes: &[u8]) -> String {
    let v: Value = serde_json::from_slice(bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(bytes)));
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bad_input_matrix_answers_4xx_with_codes_and_the_gateway_survives() {
    let stack = Stack::start().await;
    let token = format!("Bearer {}", stack.token("artist@northwind.test"));
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/graphql-response+json"),
        ("authorization", token.as_str()),
    ];
    let post = |body: Value| serde_json::to_vec(&body).unwrap();
    let deep_value = |levels: usize| -> String { format!("{}1{}", "[".repeat(levels), "]".repeat(levels)) };

    let mut cases: Vec<(&str, Exchange, u16, &str)> = Vec::new();
    for levels in [1_000, 5_000, 100_000] {
        let r = stack
            .raw("POST", "/graphql", &headers, post(json!({ "query": deep_selection(levels) })))
            .await;
        cases.push(("deep selection", r, 400, "QUERY_TOO_COMPLEX"));
        let r = stack
            .raw("POST", "/graphql", &headers, post(json!({ "query": deep_list(levels) })))
            .await;
        cases.push(("deep list literal", r, 400, "QUERY_TOO_COMPLEX"));
        // Deep JSON variables: serde_json refuses past 128 levels.
        let body = format!(
            r#"{{"query":"query($v: ID) {{ me {{ user {{ email }} }} }}","variables":{{"v":{}}}}}"#,
            deep_value(levels)
        );
        let r = stack.raw("POST", "/graphql", &headers, body.into_bytes()).await;
        cases.push(("deep variables", r, 400, "BAD_USER_INPUT"));
    }
    let aliases: String = (0..1000).map(|i| format!("a{i}: __typename ")).collect();
    let r = stack
        .raw("POST", "/graphql", &headers, post(json!({ "query": format!("{{ {aliases} }}") })))
        .await;
    cases.push(("1,000 aliases", r, 400, "QUERY_TOO_COMPLEX"));
    let batch: Vec<Value> = (0..1000).map(|_| json!({"query": "{ me { user { email } } }"})).collect();
    let r = stack.raw("POST", "/graphql", &headers, post(Value::Array(batch))).await;
    cases.push(("1,000-element batch", r, 400, "BAD_USER_INPUT"));
    let text_headers = [("content-type", "text/plain"), ("authorization", token.as_str())];
    let r = stack
        .raw(
            "POST",
            "/graphql",
            &text_headers,
            post(json!({"query": "{ me { user { email } } }"})),
        )
        .await;
    cases.push(("text/plain POST", r, 415, "BAD_USER_INPUT"));
    let get_headers = [("authorization", token.as_str())];
    let r = stack
        .raw(
            "GET",
            "/graphql?query=mutation%7BrevokeApiToken(id%3A%22x%22)%7Bid%7D%7D",
            &get_headers,
            vec![],
        )
        .await;
    cases.push(("GET mutation", r, 405, "BAD_USER_INPUT"));
    let big = "#".repeat(2 * 1024 * 1024);
    let r = stack.raw("POST", "/graphql", &headers, post(json!({ "query": big }))).await;
    cases.push(("oversized body", r, 413, "QUERY_TOO_COMPLEX"));
    let r = stack
        .raw(
            "POST",
            "/graphql",
            &headers,
            post(json!({"query": "query A { me { user { email } } }", "operationName": "B"})),
        )
        .await;
    cases.push(("unknown operation name", r, 400, "BAD_USER_INPUT"));
    let r = stack
        .raw("POST", "/graphql", &headers, post(json!({"query": "{ me { nope } }"})))
        .await;
    cases.push(("unknown field", r, 400, "BAD_USER_INPUT"));
    let r = stack.raw("POST", "/graphql", &headers, b"{not json".to_vec()).await;
    cases.push(("malformed JSON", r, 400, "BAD_USER_INPUT"));

    for (name, (status, response_headers, body), want_status, want_code) in &cases {
        assert_eq!(
            *status,
            *want_status,
            "{name}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        );
        assert_eq!(body_code(body), *want_code, "{name}");
        if *want_status == 405 {
            assert_eq!(response_headers.get("allow").unwrap(), "POST", "{name}");
        }
        if *want_status == 413 {
            // The unread body stays behind: the connection is not reused.
            assert_eq!(response_headers.get("connection").unwrap(), "close", "{name}");
        }
    }
    // No field suggestion leaks the schema.
    let (_, _, body) = &cases.iter().find(|c| c.0 == "unknown field").unwrap().1;
    assert!(!String::from_utf8_lossy(body).to_lowercase().contains("did you mean"));
    gateway_still_answers(&stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_errors_follow_the_accepted_media_type() {
    let stack = Stack::start().await;
    let token = format!("Bearer {}", stack.token("artist@northwind.test"));
    let body = serde_json::to_vec(&json!({"query": "{ me { nope } }"})).unwrap();
    let (status, headers, _) = stack
        .raw(
            "POST",
            "/graphql",
            &[("content-type", "application/json"), ("authorization", &token)],
            body.clone(),
        )
        .await;
    assert_eq!(status, 200, "application/json: a request error is 200");
    assert_eq!(headers.get("content-type").unwrap(), "application/json");
    let (status, headers, _) = stack
        .raw(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("accept", "application/graphql-response+json"),
                ("authorization", &token),
            ],
            body,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(headers.get("content-type").unwrap(), "application/graphql-response+json");
    let (status, _, _) = stack
        .raw(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("accept", "image/png"),
                ("authorization", &token),
            ],
            vec![],
        )
        .await;
    assert_eq!(status, 406);
    // A query over GET works.
    let (status, _, bytes) = stack
        .raw(
            "GET",
            "/graphql?query=%7Bme%7Buser%7Bemail%7D%7D%7D",
            &[("authorization", &token), ("accept", "application/json")],
            vec![],
        )
        .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["data"]["me"]["user"]["email"], "artist@northwind.test");
    // No credentials: 401.
    let (status, bytes) = stack.post(None, "{ me { user { email } } }", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(code(&bytes), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subgraph_down_yields_the_others_data_and_an_error_for_the_missing_part() {
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    let stack = Stack::start_with(test_config(), |urls| {
        urls.insert("render".into(), format!("http://{dead_addr}/graphql"));
    })
    .await;
    let shot = demo_id("shot", "northwind/SKY/SQ010_SH010").to_string();
    let (status, body) = stack
        .post(
            Some("sup@northwind.test"),
            "query($id: ID!) { shot(id: $id) { code tasks { name assignee { displayName } } renderJobs { id } renderCost { amount } } }",
            json!({"id": shot}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let shot_data = &body["data"]["shot"];
    // renderJobs is [RenderJob!]! on a nullable shot: the shot is nulled by propagation, unless
    // render's part is the nullable renderCost only. Here renderJobs is non-null, so the shot is null.
    let errors = body["errors"].as_array().unwrap();
    let unavailable: Vec<&Value> = errors
        .iter()
        .filter(|e| e["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE")
        .collect();
    assert!(!unavailable.is_empty(), "{body}");
    assert_eq!(unavailable[0]["extensions"]["serviceName"], "render");
    assert_eq!(unavailable[0]["path"], json!(["shot"]));
    assert!(
        shot_data.is_null(),
        "a non-null field from the dead subgraph nulls its nullable parent: {body}"
    );

    // A query whose render part is nullable keeps the rest.
    let (status, body) = stack
        .post(
            Some("sup@northwind.test"),
            "query($id: ID!) { shot(id: $id) { code tasks { name assignee { displayName } } renderCost { amount } } }",
            json!({"id": shot}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["shot"]["code"], "SQ010_SH010");
    assert!(
        body["data"]["shot"]["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["assignee"]["displayName"].is_string())
    );
    assert!(body["data"]["shot"]["renderCost"].is_null());
    assert_eq!(body["errors"][0]["extensions"]["code"], "SUBGRAPH_UNAVAILABLE");

    let (status, _, bytes) = stack.raw("GET", "/readyz", &[], vec![]).await;
    assert_eq!(status, 503);
    let ready: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(ready["subgraphs"], json!({"hr": "up", "production": "up", "render": "down"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spa_is_served_at_the_root_with_client_side_routes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>Studiograph</title>").unwrap();
    std::fs::write(dir.path().join("assets/app.abc123.js"), "console.log(1)").unwrap();
    let mut config = test_config();
    config.static_dir = Some(dir.path().to_path_buf());
    let stack = Stack::start_with(config, |_| {}).await;
    let (status, headers, body) = stack.raw("GET", "/", &[], vec![]).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("Studiograph"));
    assert_eq!(headers.get("cache-control").unwrap(), "no-cache");
    let (status, headers, _) = stack.raw("GET", "/assets/app.abc123.js", &[], vec![]).await;
    assert_eq!(status, 200);
    assert!(
        headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(headers.get("cache-control").unwrap().to_str().unwrap().contains("immutable"));
    let (status, _, body) = stack.raw("GET", "/projects/SKY/shots", &[], vec![]).await;
    assert_eq!(status, 200, "a client-side route gets the index");
    assert!(String::from_utf8_lossy(&body).contains("Studiograph"));
    let (status, _, _) = stack.raw("GET", "/assets/missing.js", &[], vec![]).await;
    assert_eq!(status, 404);
    for path in ["/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2f..%2fetc/passwd"] {
        let (_, _, body) = stack.raw("GET", path, &[], vec![]).await;
        assert!(!String::from_utf8_lossy(&body).contains("root:"), "{path} escaped the root");
    }
    // The API still answers next to it.
    let (status, _, _) = stack.raw("GET", "/healthz", &[], vec![]).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spa_sends_the_build_s_precompressed_files_to_clients_that_accept_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    // Distinct bodies show which file was sent (the gateway never compresses on its own).
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>Studiograph</title>").unwrap();
    std::fs::write(dir.path().join("index.html.gz"), "index-gzip").unwrap();
    std::fs::write(dir.path().join("assets/app.abc123.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("assets/app.abc123.js.br"), "js-brotli").unwrap();
    std::fs::write(dir.path().join("assets/app.abc123.js.gz"), "js-gzip").unwrap();
    std::fs::write(dir.path().join("assets/logo.png"), "png").unwrap();
    std::fs::write(dir.path().join("assets/logo.png.gz"), "never-sent").unwrap();
    let mut config = test_config();
    config.static_dir = Some(dir.path().to_path_buf());
    let stack = Stack::start_with(config, |_| {}).await;
    let get = |path: &'static str, accept: &'static str| {
        let stack = &stack;
        async move {
            let headers: Vec<(&str, &str)> = if accept.is_empty() {
                vec![]
            } else {
                vec![("accept-encoding", accept)]
            };
            let (status, headers, body) = stack.raw("GET", path, &headers, vec![]).await;
            assert_eq!(status, 200, "{path}");
            let encoding = headers.get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
            let vary = headers.get("vary").map(|v| v.to_str().unwrap().to_owned());
            (String::from_utf8_lossy(&body).into_owned(), encoding, vary)
        }
    };
    let js = "/assets/app.abc123.js";
    let accepts_all = "gzip, deflate, br, zstd";
    let (body, encoding, vary) = get(js, accepts_all).await;
    assert_eq!((body.as_str(), encoding.as_deref()), ("js-brotli", Some("br")));
    assert_eq!(vary.as_deref(), Some("accept-encoding"));
    let (body, encoding, _) = get(js, "gzip, deflate").await;
    assert_eq!((body.as_str(), encoding.as_deref()), ("js-gzip", Some("gzip")));
    let (body, encoding, _) = get(js, "br;q=0, gzip").await;
    assert_eq!((body.as_str(), encoding.as_deref()), ("js-gzip", Some("gzip")));
    let (body, encoding, vary) = get(js, "").await;
    assert_eq!((body.as_str(), encoding), ("console.log(1)", None));
    assert_eq!(vary.as_deref(), Some("accept-encoding"), "caches keep the codings apart");
    // No brotli sibling: gzip; a client-side route gets the index's compressed copy too.
    let (body, encoding, _) = get("/projects/SKY", accepts_all).await;
    assert_eq!((body.as_str(), encoding.as_deref()), ("index-gzip", Some("gzip")));
    // Binary formats are sent as they are.
    let (body, encoding, vary) = get("/assets/logo.png", accepts_all).await;
    assert_eq!((body.as_str(), encoding, vary), ("png", None, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batching_when_switched_on_runs_each_operation() {
    let mut config = test_config();
    config.batching = true;
    config.max_batch = 3;
    let stack = Stack::start_with(config, |_| {}).await;
    let token = format!("Bearer {}", stack.token("artist@northwind.test"));
    let headers = [("content-type", "application/json"), ("authorization", token.as_str())];
    let body = json!([{"query": "{ me { user { email } } }"}, {"query": "{ me { nope } }"}]);
    let (status, _, bytes) = stack.raw("POST", "/graphql", &headers, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v[0]["data"]["me"]["user"]["email"], "artist@northwind.test");
    assert_eq!(v[1]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let four: Vec<Value> = (0..4).map(|_| json!({"query": "{ me { user { email } } }"})).collect();
    let (status, _, bytes) = stack.raw("POST", "/graphql", &headers, serde_json::to_vec(&four).unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(body_code(&bytes), "QUERY_TOO_COMPLEX");
}
