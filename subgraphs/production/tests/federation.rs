//! Entity batches cost one query per type (1,000 tasks included), and a page's SQL statement
//! count does not grow with its size.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{project, tenant_id};
use serde_json::{Value, json};

fn reps(typename: &str, ids: &[String]) -> Vec<Value> {
    ids.iter().map(|id| json!({"__typename": typename, "id": id})).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entity_batches_are_one_query_per_type() {
    let app = common::spawn().await;
    // 600 more tasks: 1,000 in all.
    common::owner_sql(
        &app,
        &format!(
            "INSERT INTO tasks (id, tenant_id, project_id, shot_id, name, type, status) \
             SELECT gen_random_uuid(), '{t}', '{p}', '{s}', 'Extra ' || g, 'OTHER', 'READY' FROM generate_series(1, 600) g",
            t = tenant_id("northwind"),
            p = project("SKY"),
            s = common::shot("SKY", "SQ010_SH010"),
        ),
    )
    .await;
    let token = app.token("admin@northwind.test");
    let ids: Vec<String> = {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let d = app
                .ok(
                    &token,
                    "query($a: String) { tasks(first: 500, after: $a) { pageInfo { hasNextPage endCursor } edges { node { id } } } }",
                    json!({"a": after}),
                )
                .await;
            out.extend(
                d["tasks"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
            );
            if !d["tasks"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = d["tasks"]["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        out
    };
    assert_eq!(ids.len(), 1000);
    let q =
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Task { id name } ... on Project { code } ... on Shot { code } } }";
    let cost = async |r: Vec<Value>| {
        let before = app.db.statements().get();
        let d = app.ok(&token, q, json!({"r": r})).await;
        (app.db.statements().get() - before, d)
    };
    let (one, _) = cost(reps("Task", &ids[..1])).await;
    let (thousand, d) = cost(reps("Task", &ids)).await;
    assert_eq!(d["_entities"].as_array().unwrap().len(), 1000);
    assert!(
        d["_entities"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&ids)
            .all(|(e, id)| e["id"] == json!(id))
    );
    assert_eq!(one, thousand, "1,000 task representations cost what one costs");
    assert!(one <= 4);
    // Three types in one batch: one query (transaction) per type.
    let mut mixed = reps("Task", &ids[..300]);
    mixed.extend(reps("Project", &[project("SKY").to_string(), project("RVR").to_string()]));
    mixed.extend(reps("Shot", &[common::shot("SKY", "SQ010_SH010").to_string()]));
    let (three, d) = cost(mixed).await;
    assert_eq!(three, 3 * one);
    assert_eq!(d["_entities"][300]["code"], "SKY");
    // Employee.tasks for 50 employees: one query.
    let people: Vec<String> = platform::demo::roster("northwind").iter().map(|e| e.id.to_string()).collect();
    let eq = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee { id tasks(status: [READY, IN_PROGRESS]) { id } } } }";
    let before = app.db.statements().get();
    app.ok(&token, eq, json!({"r": reps("Employee", &people[..1])})).await;
    let single = app.db.statements().get() - before;
    let before = app.db.statements().get();
    let d = app.ok(&token, eq, json!({"r": reps("Employee", &people)})).await;
    let all = app.db.statements().get() - before;
    assert_eq!(single, all, "tasks of 50 employees cost what one employee's cost");
    assert_eq!(d["_entities"].as_array().unwrap().len(), people.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_per_page_do_not_grow_with_page_size() {
    let app = common::spawn().await;
    // Every page below holds shot tasks and (this one, made the oldest) an asset task, so each
    // page needs the same loaders.
    let asset_task = common::task("SKY", "CHR_hero", "Modeling");
    common::owner_sql(
        &app,
        &format!("UPDATE tasks SET created_at = created_at - interval '1 year' WHERE id = '{asset_task}'"),
    )
    .await;
    let token = app.token("sup@northwind.test");
    let q = "query($p: ID!, $n: Int) { tasks(filter: {projectId: $p}, first: $n) { edges { node { id name status assignee { id } shot { code frameStart frameEnd project { code } } asset { code } versions { number } availableTransitions { to } dependsOn { id status } } } } }";
    let mut costs = Vec::new();
    for n in [5, 50, 100, 200] {
        let before = app.db.statements().get();
        let d = app.ok(&token, q, json!({"p": project("SKY"), "n": n})).await;
        costs.push(app.db.statements().get() - before);
        assert_eq!(d["tasks"]["edges"].as_array().unwrap().len(), n as usize);
    }
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "statements per page: {costs:?}");
}
