//! End-to-end: the gateway in front of the three real subgraphs.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};

fn shot_id(code: &str) -> String {
    demo_id("shot", &format!("northwind/SKY/{code}")).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shot_with_its_tasks_assignees_and_render_jobs_with_submitters() {
    let stack = Stack::start().await;
    let shot = shot_id("SQ010_SH010");
    let submitted = stack
        .ok(
            "wrangler@northwind.test",
            "mutation($in: SubmitRenderJobInput!) { submitRenderJob(input: $in) { id submittedBy { displayName } } }",
            json!({"in": {"name": "beauty", "shotId": shot, "frameStart": 1001, "frameEnd": 1020, "command": "echo {frame}"}}),
        )
        .await;
    let job_id = submitted["submitRenderJob"]["id"].as_str().unwrap().to_owned();
    let wrangler = platform::demo::user("wrangler@northwind.test").unwrap();
    let wrangler_name = platform::demo::roster("northwind")
        .into_iter()
        .find(|e| e.id == wrangler.employee_id())
        .unwrap()
        .display_name();
    assert_eq!(submitted["submitRenderJob"]["submittedBy"]["displayName"], wrangler_name);

    let data = stack
        .ok(
            "sup@northwind.test",
            "query Shot($id: ID!) { shot(id: $id) { code frameStart tasks { name status assignee { id displayName department { name } } } \
             renderJobs { id name status submittedBy { displayName email } progress { done total } } } }",
            json!({"id": shot}),
        )
        .await;
    let shot_data = &data["shot"];
    assert_eq!(shot_data["code"], "SQ010_SH010");
    assert_eq!(shot_data["frameStart"], 1001);
    let tasks = shot_data["tasks"].as_array().unwrap();
    assert!(tasks.len() >= 5, "{tasks:?}");
    let roster = platform::demo::roster("northwind");
    for t in tasks {
        if let Some(a) = t["assignee"].as_object() {
            let id: uuid::Uuid = a["id"].as_str().unwrap().parse().unwrap();
            let person = roster.iter().find(|e| e.id == id).expect("assignee is a demo employee");
            assert_eq!(a["displayName"], person.display_name(), "HR resolved the assignee");
            assert_eq!(a["department"]["name"], person.department);
        }
    }
    assert!(tasks.iter().any(|t| t["assignee"].is_object()), "some tasks are assigned");
    let jobs = shot_data["renderJobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["id"], job_id.as_str());
    assert_eq!(jobs[0]["submittedBy"]["displayName"], wrangler_name);
    assert_eq!(jobs[0]["submittedBy"]["email"], "wrangler@northwind.test");
    assert_eq!(jobs[0]["progress"], json!({"done": 0, "total": 2}));
    // Response keys follow the client's selection order.
    let keys: Vec<&String> = shot_data.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["code", "frameStart", "tasks", "renderJobs"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_fragments_typename_and_skip_include() {
    let stack = Stack::start().await;
    let shot = shot_id("SQ010_SH020");
    let data = stack
        .ok(
            "sup@northwind.test",
            "query($id: ID!, $withTasks: Boolean!, $noCode: Boolean!) { \
               s: shot(id: $id) { __typename ...F code @skip(if: $noCode) first: tasks @include(if: $withTasks) { n: name assignee { __typename who: displayName } } } \
               __typename } \
             fragment F on Shot { id frameEnd }",
            json!({"id": shot, "withTasks": true, "noCode": true}),
        )
        .await;
    assert_eq!(data["__typename"], "Query");
    let s = &data["s"];
    assert_eq!(s["__typename"], "Shot");
    assert_eq!(s["id"], shot.as_str());
    assert!(s.get("code").is_none(), "skipped");
    let first = s["first"].as_array().unwrap();
    assert!(first.iter().all(|t| t["n"].is_string()));
    assert!(
        first
            .iter()
            .filter_map(|t| t["assignee"].as_object())
            .all(|a| a["__typename"] == "Employee" && a["who"].is_string())
    );

    let data = stack
        .ok(
            "sup@northwind.test",
            "query($id: ID!, $withTasks: Boolean!) { shot(id: $id) { code tasks @include(if: $withTasks) { name } } }",
            json!({"id": shot, "withTasks": false}),
        )
        .await;
    assert_eq!(data["shot"], json!({"code": "SQ010_SH020"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_tasks_costs_one_request_per_subgraph_per_plan_level_whatever_the_page_size() {
    let stack = Stack::start().await;
    for code in ["SQ010_SH010", "SQ010_SH020"] {
        stack
            .ok(
                "wrangler@northwind.test",
                "mutation($in: SubmitRenderJobInput!) { submitRenderJob(input: $in) { id } }",
                json!({"in": {"name": "beauty", "shotId": shot_id(code), "frameStart": 1, "frameEnd": 10, "command": "echo"}}),
            )
            .await;
    }
    let query = "query($n: Int!) { tasks(first: $n) { nodes { id name assignee { displayName } shot { code renderJobs { name submittedBy { displayName } } } } } }";
    let mut per_size = Vec::new();
    for n in [5, 100] {
        let before = stack.subgraph_requests();
        let data = stack.ok("sup@northwind.test", query, json!({"n": n})).await;
        assert_eq!(data["tasks"]["nodes"].as_array().unwrap().len(), n as usize);
        let after = stack.subgraph_requests();
        let delta: Vec<(String, u64)> = after
            .iter()
            .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0)))
            .collect();
        per_size.push(delta);
    }
    println!("subgraph requests per query: {per_size:?}");
    assert_eq!(per_size[0], per_size[1], "the request count does not grow with the page size");
    let total: u64 = per_size[1].iter().map(|(_, n)| n).sum();
    let plan = stack.gateway.planning.prepare(query, None).ok().unwrap();
    let plan_json = serde_json::to_value(plan.plan.as_ref().unwrap()).unwrap();
    let fetches = count_fetches(&plan_json);
    assert_eq!(total, fetches, "one request per fetch node: {plan_json}");
    assert!(
        total <= 4,
        "production, then HR and render in parallel, then HR for submitters: {per_size:?}"
    );
}

fn count_fetches(v: &Value) -> u64 {
    match v {
        Value::Object(m) => {
            let own = matches!(m.get("kind").and_then(Value::as_str), Some("Fetch" | "BatchFetch")) as u64;
            own + m.values().map(count_fetches).sum::<u64>()
        }
        Value::Array(items) => items.iter().map(count_fetches).sum(),
        _ => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_of_the_api_schema() {
    let stack = Stack::start().await;
    let data = stack
        .ok(
            "artist@northwind.test",
            "{ __schema { queryType { name } mutationType { name } types { name kind } } t: __type(name: \"Task\") { kind fields { name type { kind name ofType { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    assert_eq!(data["__schema"]["mutationType"]["name"], "Mutation");
    let types: Vec<&str> = data["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for expected in ["Task", "Employee", "RenderJob", "String", "__Type"] {
        assert!(types.contains(&expected), "{expected} missing");
    }
    assert!(
        !types.iter().any(|t| t.starts_with("join__") || *t == "_Any" || *t == "_Entity"),
        "federation internals are hidden: {types:?}"
    );
    let fields = data["t"]["fields"].as_array().unwrap();
    let status = fields.iter().find(|f| f["name"] == "status").unwrap();
    assert_eq!(
        status["type"],
        json!({"kind": "NON_NULL", "name": null, "ofType": {"name": "TaskStatus"}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entity_errors_are_repathed_into_the_clients_response() {
    let stack = Stack::start().await;
    // An artist may not read colleagues' salaries: HR answers FORBIDDEN per entity, with paths
    // under `_entities`; the client sees them under its own tasks.
    let (status, body) = stack
        .post(
            Some("artist@northwind.test"),
            "{ tasks(first: 3) { nodes { name assignee { displayName salary { amount } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let nodes = body["data"]["tasks"]["nodes"].as_array().unwrap();
    let errors = body["errors"].as_array().unwrap_or_else(|| panic!("no errors: {body}"));
    assert!(!errors.is_empty(), "{body}");
    for e in errors {
        assert_eq!(e["extensions"]["code"], "FORBIDDEN", "{e}");
        let path = e["path"].as_array().unwrap_or_else(|| panic!("no path: {e}"));
        assert_eq!(path[..3], [json!("tasks"), json!("nodes"), path[2].clone()]);
        assert_eq!(path[3..], [json!("assignee"), json!("salary")], "{e}");
        let i = path[2].as_u64().unwrap() as usize;
        assert!(nodes[i]["assignee"]["salary"].is_null());
        assert!(nodes[i]["assignee"]["displayName"].is_string(), "the rest of the entity stands");
    }
}
