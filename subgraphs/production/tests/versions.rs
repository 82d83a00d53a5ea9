//! publishVersion under concurrency and retries, and reviewVersion.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{arrange_task, code, employee_id, task};
use serde_json::json;

const PUBLISH: &str =
    "mutation($i: PublishVersionInput!) { publishVersion(input: $i) { id number path status createdBy { id } task { status } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_publishes_number_one_to_fifty() {
    let app = common::spawn_with(16).await;
    let t = task("SKY", "SQ010_SH030", "Layout");
    arrange_task(&app, t, "IN_PROGRESS", Some(employee_id("northwind", "artist"))).await;
    let token = app.token("artist@northwind.test");
    let calls = (0..50).map(|i| {
        let app = &app;
        let token = token.clone();
        async move {
            app.gql(
                &token,
                PUBLISH,
                json!({"i": {"taskId": t, "path": format!("/shows/sky/sh030/layout/take{i}")}}),
            )
            .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let mut numbers: Vec<i64> = results
        .iter()
        .map(|r| {
            assert!(r.get("errors").is_none(), "{r}");
            r["data"]["publishVersion"]["number"].as_i64().unwrap()
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<_>>());
    let listed = app
        .ok(
            &token,
            "query($t: ID!) { task(id: $t) { status versions { number } } }",
            json!({"t": t}),
        )
        .await;
    assert_eq!(listed["task"]["status"], "PENDING_REVIEW");
    assert_eq!(listed["task"]["versions"].as_array().unwrap().len(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_permissions_and_review() {
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let sup = app.token("sup@northwind.test");
    let t = task("SKY", "SQ010_SH050", "Animation");
    arrange_task(&app, t, "IN_PROGRESS", Some(employee_id("northwind", "artist"))).await;
    let input = json!({"taskId": t, "path": "/shows/sky/sh050/anim/v001.ma", "comment": "blocking", "frameStart": 1001, "frameEnd": 1088, "idempotencyKey": "maya-publish-42"});
    let first = app.ok(&artist, PUBLISH, json!({"i": input})).await["publishVersion"].clone();
    assert_eq!(first["number"], 1);
    assert_eq!(first["createdBy"]["id"], json!(employee_id("northwind", "artist")));
    assert_eq!(first["task"]["status"], "PENDING_REVIEW");
    // The script retries after a dropped connection: same version, nothing new.
    let again = app.ok(&artist, PUBLISH, json!({"i": input})).await["publishVersion"].clone();
    assert_eq!(again["id"], first["id"]);
    let mut other = input.clone();
    other["path"] = json!("/elsewhere");
    assert_eq!(code(&app.gql(&artist, PUBLISH, json!({"i": other})).await), "CONFLICT");
    let published: Vec<String> = app
        .outbox_keys()
        .await
        .into_iter()
        .filter(|k| k == "production.version.published")
        .collect();
    assert_eq!(published.len(), 1);

    // Someone else's task; a waiting task; a bad frame range.
    let not_mine = task("SKY", "SQ010_SH050", "Layout");
    arrange_task(&app, not_mine, "IN_PROGRESS", Some(employee_id("northwind", "staff-0"))).await;
    assert_eq!(
        code(&app.gql(&artist, PUBLISH, json!({"i": {"taskId": not_mine, "path": "/x"}})).await),
        "FORBIDDEN"
    );
    arrange_task(&app, not_mine, "WAITING", Some(employee_id("northwind", "artist"))).await;
    assert_eq!(
        code(&app.gql(&artist, PUBLISH, json!({"i": {"taskId": not_mine, "path": "/x"}})).await),
        "TRANSITION_NOT_ALLOWED"
    );
    assert_eq!(
        code(
            &app.gql(
                &artist,
                PUBLISH,
                json!({"i": {"taskId": t, "path": "/x", "frameStart": 10, "frameEnd": 1}})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );

    // Review: artists may not; a retake moves the task to RETAKE; reviewing twice is refused.
    let review =
        "mutation($v: ID!, $ok: Boolean!) { reviewVersion(versionId: $v, approve: $ok, comment: \"arms pop at 1040\") { status number } }";
    assert_eq!(
        code(&app.gql(&artist, review, json!({"v": first["id"], "ok": true})).await),
        "FORBIDDEN"
    );
    assert_eq!(
        app.ok(&sup, review, json!({"v": first["id"], "ok": false})).await["reviewVersion"]["status"],
        "RETAKE"
    );
    assert_eq!(
        code(&app.gql(&sup, review, json!({"v": first["id"], "ok": true})).await),
        "TRANSITION_NOT_ALLOWED"
    );
    let state = app
        .ok(
            &artist,
            "query($t: ID!) { task(id: $t) { status notes { kind body } } }",
            json!({"t": t}),
        )
        .await;
    assert_eq!(state["task"]["status"], "RETAKE");
    assert!(
        state["task"]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "REVIEW" && n["body"].as_str().unwrap().contains("arms pop"))
    );
    // A new version after the retake, approved this time.
    let v2 = app
        .ok(
            &artist,
            PUBLISH,
            json!({"i": {"taskId": t, "path": "/shows/sky/sh050/anim/v002.ma"}}),
        )
        .await["publishVersion"]
        .clone();
    assert_eq!(v2["number"], 2);
    assert_eq!(
        app.ok(&sup, review, json!({"v": v2["id"], "ok": true})).await["reviewVersion"]["status"],
        "APPROVED"
    );
    assert_eq!(
        app.ok(&artist, "query($t: ID!) { task(id: $t) { status } }", json!({"t": t})).await["task"]["status"],
        "APPROVED"
    );
}
