//! The render queue's filters: by submitter (an artist's own jobs), status and shot.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn render_jobs_filter_by_submitter() {
    let app = spawn().await;
    let (sup, artist) = (app.token("sup@northwind.test"), app.token("artist@northwind.test"));
    let job = |name: &str| json!({"name": name, "frameStart": 1, "frameEnd": 10, "chunkSize": 5, "command": "x"});
    let mine = submit(&app, &artist, job("artist-own")).await;
    submit(&app, &sup, job("sup-one")).await;
    submit(&app, &sup, job("sup-two")).await;
    let q = "query($f: RenderJobFilter) { renderJobs(filter: $f) { totalCount nodes { id name submittedBy { id } } } }";
    let artist_id = platform::demo::user("artist@northwind.test").unwrap().employee_id();
    let data = app.ok(&sup, q, json!({"f": {"submittedBy": artist_id}})).await;
    assert_eq!(data["renderJobs"]["totalCount"], 1);
    assert_eq!(data["renderJobs"]["nodes"][0]["id"], mine["id"]);
    assert_eq!(data["renderJobs"]["nodes"][0]["submittedBy"]["id"], json!(artist_id));
    let sup_id = platform::demo::user("sup@northwind.test").unwrap().employee_id();
    let data = app.ok(&sup, q, json!({"f": {"submittedBy": sup_id, "status": ["QUEUED"]}})).await;
    assert_eq!(data["renderJobs"]["totalCount"], 2);
    let body = app.gql(&sup, q, json!({"f": {"submittedBy": "not-an-id"}})).await;
    assert_eq!(platform::testing::code(&body), "BAD_USER_INPUT");
}
