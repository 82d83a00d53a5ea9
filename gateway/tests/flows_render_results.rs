//! Issue 6, flow 5 end to end (gateway, the three subgraphs, real PostgreSQL and RabbitMQ): a
//! render job that succeeds becomes a version of its task, which goes to review; a job that fails
//! leaves a note on its task; jobs without a task change nothing.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;
mod flows_support;

use common::Stack;
use common::events::eventually;
use events::Outcome;
use flows_support::*;
use serde_json::{Value, json};
use uuid::Uuid;

const SUBMIT: &str = "mutation($i: SubmitRenderJobInput!) { submitRenderJob(input: $i) { id status } }";
const REGISTER: &str = "mutation($h: String!) { registerRenderWorker(input: {hostname: $h, pool: \"cpu\", cores: 8}) { id } }";
const CLAIM: &str = "mutation($w: ID!) { claimRenderTask(workerId: $w) { id frameStart frameEnd job { id } } }";
const REPORT: &str = "mutation($t: ID!, $w: ID!, $s: RenderTaskStatus!) { reportRenderTask(taskId: $t, workerId: $w, status: $s, logTail: \"done\", coreSeconds: 60) { id status } }";

/// Submits a one-chunk job over frames 1001-1010 (as the supervisor).
async fn submit(stack: &Stack, name: &str, shot: Uuid, task: Option<Uuid>) -> Uuid {
    let data = stack
        .ok(
            SUP,
            SUBMIT,
            json!({"i": {"name": name, "shotId": shot, "taskId": task, "frameStart": 1001, "frameEnd": 1010,
                "chunkSize": 10, "priority": 90, "command": "render -s {frame_start} -e {frame_end}", "maxAttempts": 1}}),
        )
        .await;
    uuid(&data["submitRenderJob"]["id"])
}

/// A render node (as the wrangler) runs the next chunk of `job` and reports `status`.
async fn run_chunk(stack: &Stack, worker: &str, job: Uuid, status: &str) {
    let claimed = stack.ok(WRANGLER, CLAIM, json!({"w": worker})).await["claimRenderTask"].clone();
    assert_eq!(claimed["job"]["id"], json!(job), "{claimed}");
    let reported = stack
        .ok(WRANGLER, REPORT, json!({"t": claimed["id"], "w": worker, "s": status}))
        .await;
    assert_eq!(reported["reportRenderTask"]["status"], status);
}

async fn register_worker(stack: &Stack, host: &str) -> String {
    stack.ok(WRANGLER, REGISTER, json!({"h": host})).await["registerRenderWorker"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn versions(task: &Value) -> &Vec<Value> {
    task["versions"].as_array().unwrap()
}

#[tokio::test]
async fn a_succeeded_render_job_becomes_a_version_and_puts_its_task_up_for_review() {
    let stack = Stack::start_with_events().await;
    let worker = register_worker(&stack, "node-results").await;
    let shot = rvr_shot("SQ010_SH030");
    let sup = platform::demo::user(SUP).unwrap();

    // An IN_PROGRESS task: the output becomes v001 and the task goes to review.
    let working = create_task(&stack, shot, "Beauty render", "RENDERING", Some("2031-06-02"), Some(8.0)).await;
    transition(&stack, working, "IN_PROGRESS").await;
    let job = submit(&stack, "beauty_v1", shot, Some(working)).await;
    run_chunk(&stack, &worker, job, "SUCCEEDED").await;
    // One query reads the task and its versions in separate statements (the versions through a
    // loader), so wait until both show the handler's single commit.
    let t = task_when(&stack, working, "the render output attached and the task in review", |t| {
        !versions(t).is_empty() && t["status"] == "PENDING_REVIEW"
    })
    .await;
    assert_eq!(t["status"], "PENDING_REVIEW");
    assert_eq!(
        versions(&t)[0],
        json!({"number": 1, "path": format!("render://jobs/{job}"), "status": "PENDING_REVIEW",
               "frameStart": 1001, "frameEnd": 1010, "createdBy": {"id": sup.employee_id()}})
    );
    let succeeded = outbox_event(&stack.render, job, "job.succeeded").await;
    assert_eq!(succeeded.payload["taskId"], json!(working));
    assert_eq!(
        (succeeded.payload["frameStart"].as_i64(), succeeded.payload["frameEnd"].as_i64()),
        (Some(1001), Some(1010))
    );
    // Announced as `version.rendered` (never `version.published`: auto-render must not resubmit
    // its own output), and the move to review as `task.status_changed`.
    let version_id = uuid(
        &stack
            .ok(SUP, "query($id: ID!) { task(id: $id) { versions { id } } }", json!({"id": working}))
            .await["task"]["versions"][0]["id"],
    );
    let rendered = outbox_event(&stack.production, version_id, "version.rendered").await;
    assert_eq!(rendered.payload["renderJobId"], json!(job));
    assert!(outbox_events(&stack.production, version_id, "version.published").await.is_empty());
    let moves = outbox_events(&stack.production, working, "task.status_changed").await;
    assert_eq!(moves.last().unwrap().payload["to"], "PENDING_REVIEW");

    // The same event again, redelivered or published twice, attaches nothing more.
    let before = duplicates(&stack, "render-results");
    republish(&stack.render, succeeded.id).await;
    wait_duplicate(&stack, "render-results", before).await;
    let outcome = feed_as_new(
        &stack,
        "render-results",
        production::render_results::render_results_handler(),
        &succeeded,
    )
    .await;
    assert_eq!(outcome, Outcome::Handled);
    let t = task(&stack, working).await;
    assert_eq!(versions(&t).len(), 1);
    assert_eq!(
        outbox_events(&stack.production, working, "task.status_changed").await.len(),
        moves.len()
    );

    // A WAITING task (no person could submit it) still goes to review: a system transition.
    let upstream = create_task(&stack, shot, "Upstream", "LIGHTING", None, None).await;
    let waiting = stack
        .ok(
            SUP,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id status } }",
            json!({"i": {"shotId": shot, "name": "Waiting comp", "type": "COMPOSITING", "dependsOn": [upstream]}}),
        )
        .await["createTask"]
        .clone();
    assert_eq!(waiting["status"], "WAITING");
    let waiting = uuid(&waiting["id"]);
    let job = submit(&stack, "comp_preview", shot, Some(waiting)).await;
    run_chunk(&stack, &worker, job, "SUCCEEDED").await;
    let t = task_when(&stack, waiting, "the preview attached and the task in review", |t| {
        !versions(t).is_empty() && t["status"] == "PENDING_REVIEW"
    })
    .await;
    assert_eq!(t["status"], "PENDING_REVIEW");

    // An APPROVED task gets the version but is never moved back.
    let done = create_task(&stack, shot, "Approved render", "RENDERING", None, None).await;
    for to in ["IN_PROGRESS", "PENDING_REVIEW", "APPROVED"] {
        transition(&stack, done, to).await;
    }
    let job = submit(&stack, "beauty_final", shot, Some(done)).await;
    run_chunk(&stack, &worker, job, "SUCCEEDED").await;
    let t = task_when(&stack, done, "the late render attached", |t| !versions(t).is_empty()).await;
    assert_eq!(t["status"], "APPROVED");
    assert_eq!(versions(&t)[0]["path"], format!("render://jobs/{job}"));

    // A job without a task is handled and changes nothing; so is one whose task does not exist.
    let stats = stack.events().production.consumer_stats("render-results").unwrap();
    let handled = events::ConsumerStats::get(&stats.handled);
    let mut c = owner(&stack.production).await;
    let versions_before = count(&mut c, "SELECT count(*) AS n FROM versions").await;
    let job = submit(&stack, "lookdev_turntable", shot, None).await;
    run_chunk(&stack, &worker, job, "SUCCEEDED").await;
    let ghost = submit(&stack, "ghost_task", shot, Some(Uuid::new_v4())).await;
    run_chunk(&stack, &worker, ghost, "SUCCEEDED").await;
    eventually(WAIT, "both results handled", || async {
        (events::ConsumerStats::get(&stats.handled) >= handled + 2).then_some(())
    })
    .await;
    assert_eq!(events::ConsumerStats::get(&stats.failures), 0);
    assert_eq!(count(&mut c, "SELECT count(*) AS n FROM versions").await, versions_before);
}

#[tokio::test]
async fn a_failed_render_job_leaves_a_note_on_its_task() {
    let stack = Stack::start_with_events().await;
    let worker = register_worker(&stack, "node-failures").await;
    let shot = rvr_shot("SQ010_SH040");
    let working = create_task(&stack, shot, "FX render", "RENDERING", Some("2031-06-02"), Some(8.0)).await;
    transition(&stack, working, "IN_PROGRESS").await;
    let untouched = create_task(&stack, shot, "Other render", "RENDERING", None, None).await;

    let job = submit(&stack, "fx_sim_v2", shot, Some(working)).await;
    run_chunk(&stack, &worker, job, "FAILED").await;
    let t = task_when(&stack, working, "the failure noted", |t| !notes(t, "SYSTEM").is_empty()).await;
    assert_eq!(
        notes(&t, "SYSTEM"),
        vec![format!("Render job \"fx_sim_v2\" ({job}) failed; failed frames: 1001-1010.")]
    );
    assert_eq!(t["status"], "IN_PROGRESS", "a failure does not move the task");
    assert!(versions(&t).is_empty());
    let failed = outbox_event(&stack.render, job, "job.failed").await;
    assert_eq!(failed.payload["failedFrames"], json!([{"start": 1001, "end": 1010}]));
    let note_events = count(
        &mut owner(&stack.production).await,
        &format!("SELECT count(*) AS n FROM outbox WHERE event_type = 'note.created' AND payload->>'taskId' = '{working}'"),
    )
    .await;
    assert_eq!(note_events, 1);

    // Redelivered: still one note.
    let before = duplicates(&stack, "render-results");
    republish(&stack.render, failed.id).await;
    wait_duplicate(&stack, "render-results", before).await;
    assert_eq!(notes(&task(&stack, working).await, "SYSTEM").len(), 1);
    assert!(task(&stack, untouched).await["notes"].as_array().unwrap().is_empty());
}
