//! Time logs: by the assignee only, at most 24 h a day per person even under concurrency.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{arrange_task, code, employee_id, task};
use serde_json::json;

const LOG: &str = "mutation($i: LogTimeInput!) { logTime(input: $i) { id hours date employee { id } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_a_day_per_person() {
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let me = employee_id("northwind", "artist");
    let (a, b) = (task("SKY", "SQ010_SH070", "Layout"), task("SKY", "SQ010_SH070", "Animation"));
    arrange_task(&app, a, "IN_PROGRESS", Some(me)).await;
    arrange_task(&app, b, "IN_PROGRESS", Some(me)).await;
    let day = "2026-11-02";
    let logged = app
        .ok(
            &artist,
            LOG,
            json!({"i": {"taskId": a, "date": day, "hours": 7.5, "note": "blocking"}}),
        )
        .await;
    assert_eq!(logged["logTime"]["hours"], 7.5);
    assert_eq!(logged["logTime"]["employee"]["id"], json!(me));
    // Concurrent logs across two tasks: the day never exceeds 24 h.
    let calls = (0..6).map(|i| {
        let app = &app;
        let artist = artist.clone();
        async move {
            app.gql(
                &artist,
                LOG,
                json!({"i": {"taskId": if i % 2 == 0 { a } else { b }, "date": day, "hours": 5}}),
            )
            .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r.get("errors").is_none()).count();
    assert_eq!(ok, 3, "7.5 + 3 x 5 = 22.5 h fits, a fourth would not");
    assert!(
        results
            .iter()
            .filter(|r| r.get("errors").is_some())
            .all(|r| code(r) == "BAD_USER_INPUT")
    );
    // 1.5 h fits exactly; then nothing more.
    app.ok(&artist, LOG, json!({"i": {"taskId": b, "date": day, "hours": 1.5}})).await;
    assert_eq!(
        code(&app.gql(&artist, LOG, json!({"i": {"taskId": b, "date": day, "hours": 0.25}})).await),
        "BAD_USER_INPUT"
    );
    // Another day is free; bad hours, future dates and other people's tasks are refused.
    app.ok(&artist, LOG, json!({"i": {"taskId": b, "date": "2026-11-03", "hours": 24}}))
        .await;
    assert_eq!(
        code(
            &app.gql(&artist, LOG, json!({"i": {"taskId": b, "date": "2026-11-04", "hours": 0}}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql(&artist, LOG, json!({"i": {"taskId": b, "date": "2099-01-01", "hours": 1}}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    let other = task("SKY", "SQ010_SH070", "FX");
    assert_eq!(
        code(
            &app.gql(&artist, LOG, json!({"i": {"taskId": other, "date": day, "hours": 1}}))
                .await
        ),
        "FORBIDDEN"
    );
    // Replays do not double-count.
    let once = json!({"i": {"taskId": a, "date": "2026-11-05", "hours": 8, "idempotencyKey": "tl-nov5"}});
    let first = app.ok(&artist, LOG, once.clone()).await["logTime"]["id"].clone();
    assert_eq!(app.ok(&artist, LOG, once).await["logTime"]["id"], first);
    let events = app
        .outbox_keys()
        .await
        .into_iter()
        .filter(|k| k == "production.timelog.created")
        .count();
    assert_eq!(events, 7, "7.5 h, three 5 h, 1.5 h, 24 h and one replayed 8 h");
}
