//! Workflow as data: every default transition is allowed exactly to its roles (and the
//! assignee where it says so), `availableTransitions` lists exactly what the viewer may do, and
//! approving upstream work releases downstream tasks in the same transaction.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{arrange_task, chain, code, employee_id, task};
use production::workflow::DEFAULT;
use serde_json::json;

const MOVE: &str = "mutation($t: ID!, $to: TaskStatus!) { transitionTask(taskId: $t, to: $to, comment: \"moving on\") { status } }";
const AVAILABLE: &str = "query($t: ID!) { task(id: $t) { status availableTransitions { to label } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_default_transition_per_role() {
    let app = common::spawn().await;
    let artist = employee_id("northwind", "artist");
    let t = task("SKY", "SQ010_SH010", "Animation");
    for (from, to, label, roles, assignee_allowed) in DEFAULT {
        // Supervisor and admin: every transition of the table.
        for who in ["sup@northwind.test", "admin@northwind.test"] {
            arrange_task(&app, t, from, Some(artist)).await;
            let avail = app.ok(&app.token(who), AVAILABLE, json!({"t": t})).await;
            assert!(
                avail["task"]["availableTransitions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["to"] == *to && x["label"] == *label),
                "{who} {from}->{to}"
            );
            let moved = app.ok(&app.token(who), MOVE, json!({"t": t, "to": to})).await;
            assert_eq!(moved["transitionTask"]["status"], *to, "{who} {from}->{to}");
            assert!(roles.contains(&"SUPERVISOR"));
        }
        // The artist: only as the assignee, only where the table says so.
        arrange_task(&app, t, from, Some(artist)).await;
        let body = app.gql(&app.token("artist@northwind.test"), MOVE, json!({"t": t, "to": to})).await;
        if *assignee_allowed {
            assert!(body.get("errors").is_none(), "artist {from}->{to}: {body}");
        } else {
            assert_eq!(code(&body), "TRANSITION_NOT_ALLOWED", "artist {from}->{to}");
        }
        // Not the assignee: never.
        arrange_task(&app, t, from, Some(employee_id("northwind", "staff-0"))).await;
        assert_eq!(
            code(&app.gql(&app.token("artist@northwind.test"), MOVE, json!({"t": t, "to": to})).await),
            "TRANSITION_NOT_ALLOWED"
        );
        // Other roles: never.
        for who in ["wrangler@northwind.test", "hr@northwind.test"] {
            assert_eq!(
                code(&app.gql(&app.token(who), MOVE, json!({"t": t, "to": to})).await),
                "TRANSITION_NOT_ALLOWED",
                "{who} {from}->{to}"
            );
        }
    }
    // A transition the table does not have.
    arrange_task(&app, t, "WAITING", Some(artist)).await;
    assert_eq!(
        code(
            &app.gql(&app.token("sup@northwind.test"), MOVE, json!({"t": t, "to": "APPROVED"}))
                .await
        ),
        "TRANSITION_NOT_ALLOWED"
    );
    // availableTransitions for the assignee of a READY task: exactly "Start".
    arrange_task(&app, t, "READY", Some(artist)).await;
    let avail = app.ok(&app.token("artist@northwind.test"), AVAILABLE, json!({"t": t})).await;
    assert_eq!(
        avail["task"]["availableTransitions"],
        json!([{"to": "IN_PROGRESS", "label": "Start"}])
    );
    // A read-only token may do nothing.
    let ro = app.token_with_scopes("sup@northwind.test", &["production:read"]);
    assert_eq!(
        app.ok(&ro, AVAILABLE, json!({"t": t})).await["task"]["availableTransitions"],
        json!([])
    );
    // Comments become notes.
    let notes = app
        .ok(
            &app.token("sup@northwind.test"),
            "query($t: ID!) { task(id: $t) { notes { body kind } } }",
            json!({"t": t}),
        )
        .await;
    assert!(
        notes["task"]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["body"] == "moving on" && n["kind"] == "COMMENT")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_upstream_releases_downstream_in_the_same_transaction() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let ids = chain(&app, "DEP_SH010", &["Layout", "Animation", "Lighting"]).await;
    let status = async |id: &str| {
        app.ok(
            &sup,
            "query($t: ID!) { task(id: $t) { status dependsOn { id } } }",
            json!({"t": id}),
        )
        .await["task"]
            .clone()
    };
    assert_eq!(status(&ids[0]).await["status"], "READY");
    assert_eq!(status(&ids[1]).await["status"], "WAITING");
    assert_eq!(status(&ids[1]).await["dependsOn"], json!([{"id": ids[0]}]));
    assert_eq!(status(&ids[2]).await["status"], "WAITING");

    // Publish on the first and approve the version: the second becomes READY, the third waits.
    let v = app
        .ok(
            &sup,
            "mutation($i: PublishVersionInput!) { publishVersion(input: $i) { id number } }",
            json!({"i": {"taskId": ids[0], "path": "/shows/sky/layout/v001"}}),
        )
        .await["publishVersion"]["id"]
        .clone();
    assert_eq!(status(&ids[0]).await["status"], "PENDING_REVIEW");
    let before = app.outbox_keys().await.len();
    app.ok(
        &sup,
        "mutation($v: ID!) { reviewVersion(versionId: $v, approve: true, comment: \"great\") { status } }",
        json!({"v": v}),
    )
    .await;
    assert_eq!(status(&ids[0]).await["status"], "APPROVED");
    assert_eq!(status(&ids[1]).await["status"], "READY");
    assert_eq!(status(&ids[2]).await["status"], "WAITING");
    let keys = app.outbox_keys().await;
    let new: Vec<&str> = keys[before..].iter().map(String::as_str).collect();
    assert_eq!(
        new,
        [
            "production.note.created",
            "production.version.reviewed",
            "production.task.status_changed",
            "production.task.status_changed"
        ]
    );
    // A task depending on an approved task starts READY.
    let ready = app
        .ok(
            &sup,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { status } }",
            json!({"i": {"shotId": common::shot("SKY", "SQ010_SH020"), "name": "Extra", "type": "OTHER", "dependsOn": [ids[0]]}}),
        )
        .await;
    assert_eq!(ready["createTask"]["status"], "READY");
    // Dependencies must stay inside the project.
    let other = task("RVR", "SQ010_SH010", "Layout");
    let bad = app
        .gql(
            &sup,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
            json!({"i": {"shotId": common::shot("SKY", "SQ010_SH020"), "name": "X", "type": "OTHER", "dependsOn": [other]}}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
}
