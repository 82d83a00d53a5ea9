//! Issue 6, render's side of the cross-subgraph flows, end to end (gateway, the three subgraphs,
//! real PostgreSQL and RabbitMQ): HR's employee events keep render's replica in order; an
//! offboarded person's unfinished render jobs are re-owned by the project's supervisor or
//! cancelled by project setting; a published LIGHTING/RENDERING version of an auto-render project
//! submits one render job for the shot's frame range.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::Duration;

use common::events::eventually;
use common::{Stack, demo_id, employee_id, tenant_id};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use events::{ConsumerStats, Envelope, Handler, Outcome};
use platform::schema::{audit_log, outbox};
use platform::testing::TestServer;
use render::schema::{employee_replica, jobs, project_replica, shot_replica};
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(30);
const HR: &str = "hr@northwind.test";
const SUP: &str = "sup@northwind.test";
const ARTIST: &str = "artist@northwind.test";
const WRANGLER: &str = "wrangler@northwind.test";
const VENDOR: &str = "lead@vendorx.test";

fn uuid(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().unwrap_or_else(|| panic!("not an id: {v}"))).unwrap()
}

fn emp(local: &str) -> Uuid {
    employee_id("northwind", local)
}

fn user_id(email: &str) -> Uuid {
    platform::demo::user(email).unwrap().user_id()
}

async fn owner(server: &TestServer) -> AsyncPgConnection {
    server.database.owner_connection().await.unwrap()
}

/// The events of `aggregate` of one type in a subgraph's outbox, oldest first.
async fn outbox_events(server: &TestServer, aggregate: Uuid, event_type: &str) -> Vec<Envelope> {
    let mut c = owner(server).await;
    outbox::table
        .filter(outbox::aggregate_id.eq(aggregate).and(outbox::event_type.eq(event_type)))
        .order(outbox::seq)
        .select(Envelope::as_select())
        .load(&mut c)
        .await
        .unwrap()
}

async fn outbox_event(server: &TestServer, aggregate: Uuid, event_type: &str) -> Envelope {
    let mut all = outbox_events(server, aggregate, event_type).await;
    assert_eq!(all.len(), 1, "one {event_type} of {aggregate}");
    all.remove(0)
}

/// Makes the producer's relay publish an event again (same message id): what a relay does when
/// it dies between the broker's ack and its commit.
async fn republish(server: &TestServer, event: Uuid) {
    let mut c = owner(server).await;
    let n = diesel::update(outbox::table.find(event))
        .set(outbox::published_at.eq(None::<chrono::DateTime<chrono::Utc>>))
        .execute(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

fn render_stats(stack: &Stack, purpose: &str) -> std::sync::Arc<ConsumerStats> {
    stack.events().render.consumer_stats(purpose).unwrap()
}

/// Waits until render's consumer of `purpose` has handled at least `n` messages.
async fn handled_at_least(stack: &Stack, purpose: &str, n: u64) {
    let stats = render_stats(stack, purpose);
    eventually(WAIT, &format!("render.{purpose} to handle {n} events"), || async {
        (ConsumerStats::get(&stats.handled) >= n).then_some(())
    })
    .await;
}

/// Handles `event` under a new message id in render's consumer of `purpose` (its transaction,
/// tenant and inbox): the same change published twice, or an older state arriving late.
async fn feed_as_new(stack: &Stack, purpose: &str, handler: impl Handler, event: &Envelope) -> Outcome {
    let cfg = &stack.events().cfg;
    let entry = events::catalog::find("render", purpose).unwrap();
    let queue = events::Topology::from_config(cfg).queue("render", purpose, entry.bindings);
    let consumer = events::Consumer::new(cfg, queue, stack.render.db.clone(), handler);
    let copy = Envelope {
        id: Uuid::new_v4(),
        ..event.clone()
    };
    consumer.process(&serde_json::to_vec(&copy).unwrap()).await
}

/// (display name, status, source seq) of render's replica of an employee.
async fn replica(stack: &Stack, id: Uuid) -> Option<(String, String, i64)> {
    let mut c = owner(&stack.render).await;
    employee_replica::table
        .find(id)
        .select((
            employee_replica::display_name,
            employee_replica::status,
            employee_replica::source_seq,
        ))
        .first(&mut c)
        .await
        .optional()
        .unwrap()
}

#[tokio::test]
async fn employee_events_keep_the_render_replica_current_and_in_order() {
    let stack = Stack::start_with_events().await;
    let data = stack
        .ok(
            HR,
            "mutation($i: CreateEmployeeInput!) { createEmployee(input: $i) { id } }",
            json!({"i": {"firstName": "Rory", "lastName": "Frame", "email": "rory.frame@northwind.test", "hireDate": "2024-02-05"}}),
        )
        .await;
    let id = uuid(&data["createEmployee"]["id"]);
    let created = eventually(WAIT, "employee.created in render's replica", || replica(&stack, id)).await;
    let created_event = outbox_event(&stack.hr, id, "employee.created").await;
    assert_eq!(created, ("Rory Frame".into(), "ACTIVE".into(), created_event.seq));

    stack
        .ok(
            HR,
            "mutation($id: ID!, $i: UpdateEmployeeInput!) { updateEmployee(id: $id, input: $i) { id } }",
            json!({"id": id, "i": {"lastName": "Framed"}}),
        )
        .await;
    let updated = eventually(WAIT, "employee.updated in render's replica", || async {
        replica(&stack, id).await.filter(|r| r.0 == "Rory Framed")
    })
    .await;
    let updated_event = outbox_event(&stack.hr, id, "employee.updated").await;
    assert_eq!(updated, ("Rory Framed".into(), "ACTIVE".into(), updated_event.seq));

    // The created state arriving late (published again under a new id) is handled and ignored.
    let outcome = feed_as_new(&stack, "employees", render::consumers::employees_handler(), &created_event).await;
    assert_eq!(outcome, Outcome::Handled);
    assert_eq!(replica(&stack, id).await.unwrap(), updated);

    // The same message delivered twice is absorbed by the inbox.
    let stats = render_stats(&stack, "employees");
    let duplicates = ConsumerStats::get(&stats.duplicates);
    republish(&stack.hr, updated_event.id).await;
    eventually(WAIT, "the redelivery to reach the inbox", || async {
        (ConsumerStats::get(&stats.duplicates) > duplicates).then_some(())
    })
    .await;
    assert_eq!(replica(&stack, id).await.unwrap(), updated);

    stack
        .ok(
            HR,
            "mutation($id: ID!) { offboardEmployee(id: $id, effectiveDate: \"2026-01-30\", reason: \"moved on\") { status } }",
            json!({"id": id}),
        )
        .await;
    let offboarded = eventually(WAIT, "employee.offboarded in render's replica", || async {
        replica(&stack, id).await.filter(|r| r.1 == "OFFBOARDED")
    })
    .await;
    assert!(offboarded.2 > updated.2);
    assert_eq!(ConsumerStats::get(&stats.failures), 0);
}

const PROJECT: &str = "id code supervisor { id displayName } offboardRenderJobs autoRender";

async fn create_project(stack: &Stack, input: Value) -> Value {
    stack
        .ok(
            SUP,
            &format!("mutation($i: CreateProjectInput!) {{ createProject(input: $i) {{ {PROJECT} }} }}"),
            json!({"i": input}),
        )
        .await["createProject"]
        .clone()
}

async fn create_shot(stack: &Stack, project: Uuid, code: &str, frames: (i32, i32)) -> Uuid {
    let data = stack
        .ok(
            SUP,
            "mutation($i: CreateShotInput!) { createShot(input: $i) { id } }",
            json!({"i": {"projectId": project, "code": code, "frameStart": frames.0, "frameEnd": frames.1}}),
        )
        .await;
    uuid(&data["createShot"]["id"])
}

async fn submit(stack: &Stack, who: &str, name: &str, shot: Option<Uuid>, priority: i32) -> Uuid {
    let data = stack
        .ok(
            who,
            "mutation($i: SubmitRenderJobInput!) { submitRenderJob(input: $i) { id status } }",
            json!({"i": {"name": name, "shotId": shot, "frameStart": 1, "frameEnd": 40, "priority": priority, "command": "echo {frame_start}-{frame_end}"}}),
        )
        .await;
    uuid(&data["submitRenderJob"]["id"])
}

const JOB: &str = "id status submittedBy { id } finishedAt tasks { status }";

async fn job(stack: &Stack, who: &str, id: Uuid) -> Value {
    stack
        .ok(
            who,
            &format!("query($id: ID!) {{ renderJob(id: $id) {{ {JOB} }} }}"),
            json!({"id": id}),
        )
        .await["renderJob"]
        .clone()
}

fn task_statuses(job: &Value) -> Vec<String> {
    job["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_owned())
        .collect()
}

/// Render's (supervisor, policy) of a project, once its events have arrived.
async fn project_settings(stack: &Stack, id: Uuid) -> Option<(Option<Uuid>, String)> {
    let mut c = owner(&stack.render).await;
    project_replica::table
        .find(id)
        .select((project_replica::supervisor_id, project_replica::offboard_render_jobs))
        .first(&mut c)
        .await
        .optional()
        .unwrap()
}

async fn shot_known(stack: &Stack, shot: Uuid) -> Option<Uuid> {
    let mut c = owner(&stack.render).await;
    shot_replica::table
        .find(shot)
        .select(shot_replica::project_id)
        .first(&mut c)
        .await
        .optional()
        .unwrap()
}

#[tokio::test]
async fn offboarding_reowns_or_cancels_unfinished_jobs_by_project_setting() {
    let stack = Stack::start_with_events().await;
    let (sup, artist) = (emp("sup"), emp("artist"));

    // Project settings through the existing mutations: a supervisor must be a current employee.
    let (status, body) = stack
        .post(
            Some(SUP),
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }",
            json!({"i": {"code": "BAD", "name": "Bad", "supervisorId": Uuid::new_v4()}}),
        )
        .await;
    assert_eq!(common::code(&body), "BAD_USER_INPUT", "{status} {body}");
    let reassign = create_project(&stack, json!({"code": "OBA", "name": "Reassign", "supervisorId": sup})).await;
    assert_eq!(reassign["supervisor"], json!({"id": sup, "displayName": "Sam Okafor"}));
    assert_eq!(reassign["offboardRenderJobs"], "REASSIGN_TO_SUPERVISOR");
    let reassign_id = uuid(&reassign["id"]);
    let cancel = create_project(&stack, json!({"code": "OBC", "name": "Cancel"})).await;
    assert_eq!(cancel["supervisor"], Value::Null);
    let cancel_id = uuid(&cancel["id"]);
    let updated = stack
        .ok(
            SUP,
            &format!("mutation($id: ID!, $i: UpdateProjectInput!) {{ updateProject(id: $id, input: $i) {{ {PROJECT} }} }}"),
            json!({"id": cancel_id, "i": {"supervisorId": sup, "offboardRenderJobs": "CANCEL"}}),
        )
        .await;
    assert_eq!(updated["updateProject"]["offboardRenderJobs"], "CANCEL");
    assert_eq!(updated["updateProject"]["supervisor"]["id"], json!(sup));
    let updated_event = outbox_event(&stack.production, cancel_id, "project.updated").await;
    assert_eq!(updated_event.payload["supervisorId"], json!(sup));
    assert_eq!(updated_event.payload["offboardRenderJobs"], "CANCEL");

    let shot_a = create_shot(&stack, reassign_id, "OBA_010", (1, 40)).await;
    let shot_c = create_shot(&stack, cancel_id, "OBC_010", (1, 40)).await;
    eventually(WAIT, "render to know both projects' settings and shots", || async {
        let a = project_settings(&stack, reassign_id).await?;
        let c = project_settings(&stack, cancel_id).await?;
        (a == (Some(sup), "REASSIGN_TO_SUPERVISOR".into())
            && c == (Some(sup), "CANCEL".into())
            && shot_known(&stack, shot_a).await == Some(reassign_id)
            && shot_known(&stack, shot_c).await == Some(cancel_id))
        .then_some(())
    })
    .await;

    // The artist's jobs: two on the reassigning project (one paused), one on the cancelling
    // project (one chunk running on a node), one without a shot, one already cancelled.
    let queued_a = submit(&stack, ARTIST, "sky A", Some(shot_a), 10).await;
    let paused_a = submit(&stack, ARTIST, "sky A paused", Some(shot_a), 10).await;
    stack
        .ok(
            ARTIST,
            "mutation($id: ID!) { pauseRenderJob(id: $id) { status } }",
            json!({"id": paused_a}),
        )
        .await;
    let running_c = submit(&stack, ARTIST, "cancel me", Some(shot_c), 100).await;
    let no_shot = submit(&stack, ARTIST, "loose", None, 10).await;
    let done = submit(&stack, ARTIST, "already cancelled", Some(shot_a), 10).await;
    stack
        .ok(
            ARTIST,
            "mutation($id: ID!) { cancelRenderJob(id: $id) { status } }",
            json!({"id": done}),
        )
        .await;
    let done_before = job(&stack, SUP, done).await;
    let others = submit(&stack, WRANGLER, "not the artist's", Some(shot_c), 10).await;
    let vendor_job = submit(&stack, VENDOR, "vendor", None, 10).await;
    let worker = stack
        .ok(
            WRANGLER,
            "mutation { registerRenderWorker(input: {hostname: \"node-1\", pool: \"cpu\", cores: 8}) { id } }",
            json!({}),
        )
        .await;
    let worker = uuid(&worker["registerRenderWorker"]["id"]);
    let claimed = stack
        .ok(
            WRANGLER,
            "mutation($w: ID!) { claimRenderTask(workerId: $w) { id } }",
            json!({"w": worker}),
        )
        .await;
    assert!(claimed["claimRenderTask"]["id"].is_string(), "{claimed}");
    let running = job(&stack, ARTIST, running_c).await;
    assert_eq!(running["status"], "RUNNING", "the highest-priority job got the node: {running}");

    stack
        .ok(
            HR,
            "mutation($id: ID!) { offboardEmployee(id: $id, effectiveDate: \"2026-02-27\", reason: \"contract ended\") { status } }",
            json!({"id": artist}),
        )
        .await;
    let offboarded = outbox_event(&stack.hr, artist, "employee.offboarded").await;

    let reowned = eventually(WAIT, "the artist's job on OBA re-owned by the supervisor", || async {
        let j = job(&stack, SUP, queued_a).await;
        (j["submittedBy"]["id"] == json!(sup)).then_some(j)
    })
    .await;
    assert_eq!(reowned["status"], "QUEUED");
    assert!(task_statuses(&reowned).iter().all(|s| s == "QUEUED"));
    let paused = job(&stack, SUP, paused_a).await;
    assert_eq!(
        (paused["status"].as_str(), &paused["submittedBy"]["id"]),
        (Some("PAUSED"), &json!(sup))
    );

    for (id, what) in [(running_c, "project says CANCEL"), (no_shot, "unknown project")] {
        let j = job(&stack, SUP, id).await;
        assert_eq!(j["status"], "CANCELLED", "{what}: {j}");
        assert_eq!(j["submittedBy"]["id"], json!(artist), "{what}: cancelled jobs keep their submitter");
        assert!(
            task_statuses(&j).iter().all(|s| s == "CANCELLED"),
            "{what}: queued and running chunks cancelled: {j}"
        );
        assert!(j["finishedAt"].is_string());
    }
    assert_eq!(job(&stack, SUP, done).await, done_before, "a finished job is left alone");
    let untouched = job(&stack, WRANGLER, others).await;
    assert_eq!(
        (untouched["status"].as_str(), &untouched["submittedBy"]["id"]),
        (Some("QUEUED"), &json!(emp("wrangler")))
    );
    let vendor = job(&stack, VENDOR, vendor_job).await;
    assert_eq!(vendor["status"], "QUEUED", "another tenant is unaffected");

    // Through the federation: the supervisor's render jobs now include the re-owned ones.
    let data = stack
        .ok(
            SUP,
            "query($id: ID!) { employee(id: $id) { renderJobs { id } } }",
            json!({"id": sup}),
        )
        .await;
    let mine: Vec<Uuid> = data["employee"]["renderJobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| uuid(&j["id"]))
        .collect();
    assert!(mine.contains(&queued_a) && mine.contains(&paused_a), "{data}");

    // Audited as the HR manager who offboarded, each with render's own event.
    let mut c = owner(&stack.render).await;
    let audits: Vec<(String, Option<Uuid>, Option<Uuid>)> = audit_log::table
        .filter(audit_log::action.eq_any(["job.reassigned", "job.cancelled"]))
        .filter(audit_log::entity_id.eq_any([queued_a, paused_a, running_c, no_shot]))
        .order(audit_log::id)
        .select((audit_log::action, audit_log::entity_id, audit_log::actor_user_id))
        .load(&mut c)
        .await
        .unwrap();
    assert_eq!(audits.len(), 4, "{audits:?}");
    assert!(audits.iter().all(|a| a.2 == Some(user_id(HR))), "{audits:?}");
    let reassigned = outbox_event(&stack.render, queued_a, "job.reassigned").await;
    assert_eq!(reassigned.payload["previousSubmittedBy"], json!(artist));
    assert_eq!(reassigned.payload["submittedBy"], json!(sup));
    assert_eq!(reassigned.actor_user_id, Some(user_id(HR)));
    assert_eq!(
        reassigned.request_id, offboarded.request_id,
        "correlated with the offboarding request"
    );
    let cancelled = outbox_event(&stack.render, running_c, "job.cancelled").await;
    assert_eq!(cancelled.payload["reason"], "submitter offboarded");

    // The offboarding delivered again changes nothing more.
    let stats = render_stats(&stack, "employees");
    let outcome = feed_as_new(&stack, "employees", render::consumers::employees_handler(), &offboarded).await;
    assert_eq!(outcome, Outcome::Handled);
    assert_eq!(outbox_events(&stack.render, queued_a, "job.reassigned").await.len(), 1);
    assert_eq!(outbox_events(&stack.render, running_c, "job.cancelled").await.len(), 1);
    assert_eq!(ConsumerStats::get(&stats.failures), 0);
    let queued_for_sup: i64 = jobs::table
        .filter(jobs::submitted_by.eq(sup))
        .count()
        .get_result(&mut c)
        .await
        .unwrap();
    assert_eq!(queued_for_sup, 2);
}

/// A task on a shot, assigned to the artist (created by the supervisor).
async fn artist_task(stack: &Stack, shot: Uuid, name: &str, task_type: &str) -> Uuid {
    let data = stack
        .ok(
            SUP,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id status } }",
            json!({"i": {"shotId": shot, "name": name, "type": task_type}}),
        )
        .await;
    let task = uuid(&data["createTask"]["id"]);
    stack
        .ok(
            SUP,
            "mutation($t: ID!, $e: ID!) { assignTask(taskId: $t, employeeId: $e) { id } }",
            json!({"t": task, "e": emp("artist")}),
        )
        .await;
    task
}

/// The artist's pipeline script publishing a version.
async fn publish(stack: &Stack, task: Uuid, path: &str) -> Uuid {
    let data = stack
        .ok(
            ARTIST,
            "mutation($i: PublishVersionInput!) { publishVersion(input: $i) { id number } }",
            json!({"i": {"taskId": task, "path": path, "comment": "lighting pass"}}),
        )
        .await;
    uuid(&data["publishVersion"]["id"])
}

async fn tenant_jobs(c: &mut AsyncPgConnection, tenant: Uuid) -> Vec<(Uuid, Option<Uuid>)> {
    jobs::table
        .filter(jobs::tenant_id.eq(tenant))
        .select((jobs::id, jobs::version_id))
        .load(c)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_published_lighting_version_of_an_auto_render_project_submits_one_job() {
    let stack = Stack::start_with_events().await;
    let northwind = tenant_id("northwind");
    // Skyward (SKY) renders automatically; River Tales (RVR) does not (the demo seed).
    let sky_shot = demo_id("shot", "northwind/SKY/SQ010_SH020");
    let rvr_shot = demo_id("shot", "northwind/RVR/SQ010_SH020");
    let shot = stack
        .ok(
            SUP,
            "query($id: ID!) { shot(id: $id) { frameStart frameEnd project { code autoRender } } }",
            json!({"id": sky_shot}),
        )
        .await["shot"]
        .clone();
    assert_eq!(shot["project"], json!({"code": "SKY", "autoRender": true}));
    let lighting = artist_task(&stack, sky_shot, "Key light", "LIGHTING").await;
    let animation = artist_task(&stack, sky_shot, "Blocking", "ANIMATION").await;
    let rvr_lighting = artist_task(&stack, rvr_shot, "Key light", "LIGHTING").await;
    let auto_render_seen = ConsumerStats::get(&render_stats(&stack, "auto-render").handled);

    let version = publish(&stack, lighting, "/shows/sky/SQ010_SH020/light/it's v001.usd").await;
    publish(&stack, animation, "/shows/sky/SQ010_SH020/anim/v001.abc").await;
    publish(&stack, rvr_lighting, "/shows/rvr/SQ010_SH020/light/v001.usd").await;
    let published = outbox_event(&stack.production, version, "version.published").await;
    for (key, want) in [
        ("taskType", json!("LIGHTING")),
        ("shotId", json!(sky_shot)),
        ("shotFrameStart", shot["frameStart"].clone()),
        ("shotFrameEnd", shot["frameEnd"].clone()),
        ("autoRender", json!(true)),
        ("createdBy", json!(emp("artist"))),
        ("number", json!(1)),
    ] {
        assert_eq!(published.payload[key], want, "version.published {key}: {}", published.payload);
    }
    // All three versions handled: only the lighting one on SKY made a job.
    handled_at_least(&stack, "auto-render", auto_render_seen + 3).await;

    let data = stack
        .ok(
            ARTIST,
            "query($s: ID!) { renderJobs(filter: {shotId: $s}) { totalCount edges { node { id name status pool frameStart frameEnd command submittedBy { id } task { id } } } } }",
            json!({"s": sky_shot}),
        )
        .await;
    assert_eq!(data["renderJobs"]["totalCount"], 1, "{data}");
    let job = &data["renderJobs"]["edges"][0]["node"];
    assert_eq!(job["status"], "QUEUED");
    assert_eq!(job["pool"], "cpu");
    assert_eq!((&job["frameStart"], &job["frameEnd"]), (&shot["frameStart"], &shot["frameEnd"]));
    assert_eq!(job["submittedBy"]["id"], json!(emp("artist")), "submitted by the publisher");
    assert_eq!(job["task"]["id"], json!(lighting));
    assert_eq!(job["name"], "auto SQ010_SH020 Key light v001");
    assert_eq!(
        job["command"],
        r"studiograph-render --scene '/shows/sky/SQ010_SH020/light/it'\''s v001.usd' --start {frame_start} --end {frame_end}"
    );
    let job_id = uuid(&job["id"]);
    let mut c = owner(&stack.render).await;
    assert_eq!(
        tenant_jobs(&mut c, northwind).await,
        vec![(job_id, Some(version))],
        "nothing for ANIMATION or RVR"
    );
    let submitted = outbox_event(&stack.render, job_id, "job.submitted").await;
    assert_eq!(submitted.payload["versionId"], json!(version));
    assert_eq!(submitted.actor_user_id, Some(user_id(ARTIST)));

    // A duplicate delivery (the relay publishes the event again) and the same change under a new
    // message id both submit nothing more.
    let stats = render_stats(&stack, "auto-render");
    let duplicates = ConsumerStats::get(&stats.duplicates);
    republish(&stack.production, published.id).await;
    eventually(WAIT, "the redelivery to reach the inbox", || async {
        (ConsumerStats::get(&stats.duplicates) > duplicates).then_some(())
    })
    .await;
    let outcome = feed_as_new(&stack, "auto-render", render::consumers::auto_render_handler(), &published).await;
    assert_eq!(outcome, Outcome::Handled);
    assert_eq!(tenant_jobs(&mut c, northwind).await.len(), 1);
    assert_eq!(ConsumerStats::get(&stats.failures), 0);

    // The next version of the same task is a new job; another tenant sees none of it.
    let v2 = publish(&stack, lighting, "/shows/sky/SQ010_SH020/light/v002.usd").await;
    eventually(WAIT, "a job for v002", || async {
        let mut c = owner(&stack.render).await;
        tenant_jobs(&mut c, northwind).await.iter().any(|j| j.1 == Some(v2)).then_some(())
    })
    .await;
    let vendor = stack.ok(VENDOR, "{ renderJobs { totalCount } }", json!({})).await;
    assert_eq!(vendor["renderJobs"]["totalCount"], 0);
    assert!(tenant_jobs(&mut c, tenant_id("vendorx")).await.is_empty());
}
