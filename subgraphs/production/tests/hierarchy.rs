//! Projects, shots, assets and tasks: creation, permissions, idempotency, connections, filters.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{code, employee_id, project};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_hierarchy_with_permissions_and_idempotency() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let artist = app.token("artist@northwind.test");
    let create_project = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id code name status autoRender } }";
    let input = json!({"code": "ORC", "name": "Orchard", "autoRender": true, "idempotencyKey": "new-show"});
    assert_eq!(code(&app.gql(&artist, create_project, json!({"i": input})).await), "FORBIDDEN");
    let p = app.ok(&sup, create_project, json!({"i": input})).await["createProject"].clone();
    assert_eq!(p["status"], "ACTIVE");
    assert_eq!(
        app.ok(&sup, create_project, json!({"i": input})).await["createProject"]["id"],
        p["id"]
    );
    let dup = app.gql(&sup, create_project, json!({"i": {"code": "ORC", "name": "Again"}})).await;
    assert_eq!(code(&dup), "CONFLICT");
    assert!(dup["errors"][0]["message"].as_str().unwrap().contains("code"));
    assert_eq!(
        code(
            &app.gql(&sup, create_project, json!({"i": {"code": "bad code!", "name": "x"}}))
                .await
        ),
        "BAD_USER_INPUT"
    );

    let shot = app
        .ok(
            &sup,
            "mutation($i: CreateShotInput!) { createShot(input: $i) { id code frameStart frameEnd project { code } } }",
            json!({"i": {"projectId": p["id"], "code": "SQ010_SH010", "sequence": "SQ010", "frameStart": 1001, "frameEnd": 1096}}),
        )
        .await["createShot"]
        .clone();
    assert_eq!(shot["project"]["code"], "ORC");
    let bad = app
        .gql(
            &sup,
            "mutation($i: CreateShotInput!) { createShot(input: $i) { id } }",
            json!({"i": {"projectId": p["id"], "code": "SH2", "frameStart": 10, "frameEnd": 1}}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let asset = app
        .ok(
            &sup,
            "mutation($i: CreateAssetInput!) { createAsset(input: $i) { id type } }",
            json!({"i": {"projectId": p["id"], "code": "CHR_owl", "name": "Owl", "type": "CHARACTER"}}),
        )
        .await["createAsset"]
        .clone();
    assert_eq!(asset["type"], "CHARACTER");
    let task = app
        .ok(
            &sup,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id status type asset { id } shot { id } estimateHours dueDate } }",
            json!({"i": {"assetId": asset["id"], "name": "Modeling", "type": "MODELING", "estimateHours": 24, "dueDate": "2027-01-15"}}),
        )
        .await["createTask"]
        .clone();
    assert_eq!(task["status"], "READY");
    assert_eq!(task["shot"], json!(null));
    assert_eq!(
        code(
            &app.gql(
                &sup,
                "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
                json!({"i": {"name": "x", "type": "OTHER"}})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );

    // Assignment: known and active people only, with history and events.
    let assign = "mutation($t: ID!, $e: ID) { assignTask(taskId: $t, employeeId: $e) { assignee { id } } }";
    let a = app
        .ok(&sup, assign, json!({"t": task["id"], "e": employee_id("northwind", "artist")}))
        .await;
    assert_eq!(a["assignTask"]["assignee"]["id"], json!(employee_id("northwind", "artist")));
    assert_eq!(
        code(&app.gql(&sup, assign, json!({"t": task["id"], "e": uuid::Uuid::new_v4()})).await),
        "ASSIGNEE_UNAVAILABLE"
    );
    common::owner_sql(
        &app,
        &format!(
            "UPDATE employee_replica SET status = 'OFFBOARDED' WHERE id = '{}'",
            employee_id("northwind", "staff-1")
        ),
    )
    .await;
    assert_eq!(
        code(
            &app.gql(&sup, assign, json!({"t": task["id"], "e": employee_id("northwind", "staff-1")}))
                .await
        ),
        "ASSIGNEE_UNAVAILABLE"
    );
    assert_eq!(
        code(
            &app.gql(&artist, assign, json!({"t": task["id"], "e": employee_id("northwind", "artist")}))
                .await
        ),
        "FORBIDDEN"
    );
    let keys = app.outbox_keys().await;
    for k in [
        "production.project.created",
        "production.shot.created",
        "production.asset.created",
        "production.task.created",
        "production.task.assigned",
    ] {
        assert!(keys.iter().any(|x| x == k), "missing {k}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_filters_and_employee_tasks() {
    let app = common::spawn().await;
    let token = app.token("artist@northwind.test");
    let projects = app
        .ok(&token, "{ projects { totalCount edges { node { code name } } } }", json!({}))
        .await;
    assert_eq!(projects["projects"]["totalCount"], 2);
    // Page through SKY's 20 shots, 6 at a time.
    let q = "query($p: ID!, $after: String) { project(id: $p) { shots(first: 6, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { code } } } assets { totalCount } } }";
    let (mut after, mut codes) = (None::<String>, Vec::new());
    loop {
        let d = app.ok(&token, q, json!({"p": project("SKY"), "after": after})).await;
        let s = &d["project"]["shots"];
        assert_eq!(s["totalCount"], 20);
        assert_eq!(d["project"]["assets"]["totalCount"], 10);
        codes.extend(
            s["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["code"].as_str().unwrap().to_owned()),
        );
        if !s["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = s["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(codes, sorted);
    assert_eq!(codes.len(), 20);
    // The 400 seeded tasks, filtered.
    let count = async |filter: serde_json::Value| {
        app.ok(
            &token,
            "query($f: TaskFilter) { tasks(filter: $f, first: 1) { totalCount } }",
            json!({"f": filter}),
        )
        .await["tasks"]["totalCount"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count(json!({})).await, 400);
    assert_eq!(count(json!({"projectId": project("SKY")})).await, 200);
    assert_eq!(
        count(json!({"projectId": project("SKY"), "status": ["WAITING"]})).await
            + count(json!({"projectId": project("SKY"), "status": ["READY", "IN_PROGRESS", "APPROVED"]})).await,
        200
    );
    let mine = count(json!({"assigneeId": employee_id("northwind", "artist")})).await;
    assert!(mine > 0);
    assert_eq!(count(json!({"atRisk": true})).await, 0);
    // Employee.tasks (the federation extension) agrees with the filter.
    let ent = app
        .ok(&token, "query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee { id tasks { id } ready: tasks(status: [READY]) { status } } } }", json!({"r": [{"__typename": "Employee", "id": employee_id("northwind", "artist")}]}))
        .await;
    assert_eq!(ent["_entities"][0]["tasks"].as_array().unwrap().len() as i64, mine);
    assert!(
        ent["_entities"][0]["ready"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "READY")
    );
    assert_eq!(
        code(&app.gql(&token, "{ tasks(after: \"nope\") { totalCount } }", json!({})).await),
        "BAD_USER_INPUT"
    );
}
