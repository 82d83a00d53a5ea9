//! Sharing tasks with vendor tenants: the vendor reads exactly what was shared (with its context),
//! changes nothing, and loses it on unshare; only the studio's managers share, and only with a
//! vendor.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{code, owner_sql, project, shot, task, tenant_id};
use diesel_async::RunQueryDsl;
use platform::auth::Role;
use platform::testing::TestServer;
use serde_json::{Value, json};
use uuid::Uuid;

const SHARE: &str = "mutation($t: ID!, $v: ID!) { shareTask(taskId: $t, vendorTenantId: $v) { id sharedWith } }";
const UNSHARE: &str = "mutation($t: ID!, $v: ID!) { unshareTask(taskId: $t, vendorTenantId: $v) { id sharedWith } }";

/// Everything of the studio a vendor could ask for in one query.
const VENDOR_VIEW: &str = "query($t: ID!, $o: ID!, $s: ID!) {
  projects { totalCount edges { node { code supervisor { id }
    shots { totalCount edges { node { code } } } assets { totalCount } tasks { totalCount } } } }
  tasks { totalCount edges { node { id name status atRisk sharedWith assignee { id } availableTransitions { to }
    dependsOn { id } assignments { id }
    shot { code frameStart tasks { id } project { code } } project { code }
    versions { number createdBy { id } } notes { body kind author { id } } } } }
  task(id: $t) { id }
  other: task(id: $o) { id }
  shot(id: $s) { code }
}";

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

/// Rows of a one-column text query, as the owner (every tenant).
async fn owner_rows(app: &TestServer, sql: &str) -> Vec<String> {
    let mut c = app.database.owner_connection().await.unwrap();
    diesel::sql_query(sql)
        .load::<Row>(&mut c)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.v)
        .collect()
}

fn count(keys: &[String], key: &str) -> usize {
    keys.iter().filter(|k| k.as_str() == key).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vendor_reads_exactly_the_shared_task_and_changes_nothing() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let vendor = app.token("lead@vendorx.test");
    let vendor_admin = app.forge(Uuid::new_v4(), tenant_id("vendorx"), None, vec![Role::Admin], &["*"]);
    let vx = tenant_id("vendorx").to_string();
    let t = task("SKY", "SQ010_SH010", "Layout");
    let sibling = task("SKY", "SQ010_SH010", "Animation");
    let vars = json!({"t": t, "o": sibling, "s": shot("SKY", "SQ010_SH010")});

    // Before: nothing.
    let before = app.ok(&vendor, VENDOR_VIEW, vars.clone()).await;
    assert_eq!(before["projects"]["totalCount"], 0);
    assert_eq!(before["tasks"]["totalCount"], 0);
    assert_eq!(before["task"], Value::Null);
    assert_eq!(before["shot"], Value::Null);

    // Context the vendor may see: a review note, a version; and a system note it may not.
    let published = app
        .ok(
            &sup,
            "mutation($t: ID!) { publishVersion(input: {taskId: $t, path: \"/shows/sky/layout_v001.usd\"}) { id } }",
            json!({"t": t}),
        )
        .await;
    assert!(published["publishVersion"]["id"].is_string());
    app.ok(
        &sup,
        "mutation($t: ID!) { addNote(taskId: $t, body: \"Camera a touch lower, please\") { id } }",
        json!({"t": t}),
    )
    .await;
    owner_sql(
        &app,
        &format!(
            "INSERT INTO notes (id, tenant_id, task_id, kind, body) VALUES ('{}', '{}', '{t}', 'SYSTEM', 'Unassigned: Ari is on leave')",
            Uuid::new_v4(),
            tenant_id("northwind")
        ),
    )
    .await;

    // Share, twice: one share, one event, one audit row.
    let shared = app.ok(&sup, SHARE, json!({"t": t, "v": vx})).await;
    assert_eq!(shared["shareTask"]["sharedWith"], json!([vx]));
    let again = app.ok(&sup, SHARE, json!({"t": t, "v": vx})).await;
    assert_eq!(again["shareTask"]["sharedWith"], json!([vx]));
    assert_eq!(count(&app.outbox_keys().await, "production.task.shared"), 1);
    assert_eq!(
        owner_rows(
            &app,
            "SELECT tenant_id::text || ' ' || action AS v FROM audit_log WHERE action LIKE 'task.%shared'"
        )
        .await,
        vec![format!("{} task.shared", tenant_id("northwind"))]
    );
    assert_eq!(
        owner_rows(&app, "SELECT tenant_id::text AS v FROM outbox WHERE event_type = 'task.shared'").await,
        vec![tenant_id("northwind").to_string()],
        "the event is the studio's"
    );

    // The vendor sees that task with its shot and project, and nothing else of the studio.
    let view = app.ok(&vendor, VENDOR_VIEW, vars.clone()).await;
    assert_eq!(view["projects"]["totalCount"], 1);
    let p = &view["projects"]["edges"][0]["node"];
    assert_eq!(p["code"], "SKY");
    assert_eq!(p["supervisor"], Value::Null);
    assert_eq!(p["shots"]["totalCount"], 1);
    assert_eq!(p["shots"]["edges"][0]["node"]["code"], "SQ010_SH010");
    assert_eq!(p["assets"]["totalCount"], 0);
    assert_eq!(p["tasks"]["totalCount"], 1);
    assert_eq!(view["tasks"]["totalCount"], 1);
    let node = &view["tasks"]["edges"][0]["node"];
    assert_eq!(node["id"], t.to_string());
    assert_eq!(node["name"], "Layout");
    assert_eq!(node["sharedWith"], json!([]), "only the studio sees whom a task is shared with");
    assert_eq!(node["assignee"], Value::Null);
    assert_eq!(node["atRisk"], false);
    assert_eq!(node["availableTransitions"], json!([]));
    assert_eq!(node["dependsOn"], json!([]));
    assert_eq!(node["assignments"], json!([]));
    assert_eq!(node["shot"]["code"], "SQ010_SH010");
    assert_eq!(node["shot"]["tasks"], json!([{"id": t.to_string()}]), "not the shot's other tasks");
    assert_eq!(node["shot"]["project"]["code"], "SKY");
    assert_eq!(node["project"]["code"], "SKY");
    assert_eq!(node["versions"], json!([{"number": 1, "createdBy": null}]));
    assert_eq!(
        node["notes"],
        json!([{"body": "Camera a touch lower, please", "kind": "COMMENT", "author": null}]),
        "comments and reviews, no system notes"
    );
    assert_eq!(view["task"]["id"], t.to_string());
    assert_eq!(view["other"], Value::Null);
    assert_eq!(view["shot"]["code"], "SQ010_SH010");
    let ents = app
        .ok(
            &vendor,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Task { id } ... on Project { code } } }",
            json!({"r": [{"__typename": "Task", "id": t}, {"__typename": "Task", "id": sibling},
                         {"__typename": "Project", "id": project("SKY")}]}),
        )
        .await;
    assert_eq!(ents["_entities"], json!([{"id": t.to_string()}, null, {"code": "SKY"}]));

    // Read-only: every write on the shared task or its context is FORBIDDEN, for the lead and for
    // a vendor admin alike.
    let sh = shot("SKY", "SQ010_SH010");
    for (token, query, variables) in [
        (
            &vendor,
            "mutation($t: ID!) { transitionTask(taskId: $t, to: IN_PROGRESS) { id } }",
            json!({"t": t}),
        ),
        (
            &vendor,
            "mutation($t: ID!) { addNote(taskId: $t, body: \"hi\") { id } }",
            json!({"t": t}),
        ),
        (
            &vendor,
            "mutation($t: ID!) { publishVersion(input: {taskId: $t, path: \"/vendor/v2\"}) { id } }",
            json!({"t": t}),
        ),
        (
            &vendor,
            "mutation($t: ID!, $d: Date!) { logTime(input: {taskId: $t, date: $d, hours: 1}) { id } }",
            json!({"t": t, "d": "2026-01-05"}),
        ),
        (&vendor, SHARE, json!({"t": t, "v": vx})),
        (
            &vendor_admin,
            "mutation($t: ID!) { assignTask(taskId: $t, employeeId: null) { id } }",
            json!({"t": t}),
        ),
        (
            &vendor_admin,
            "mutation($t: ID!) { transitionTask(taskId: $t, to: ON_HOLD) { id } }",
            json!({"t": t}),
        ),
        (&vendor_admin, SHARE, json!({"t": t, "v": vx})),
        (&vendor_admin, UNSHARE, json!({"t": t, "v": vx})),
        (
            &vendor_admin,
            "mutation($s: ID!) { createTask(input: {shotId: $s, name: \"Extra\", type: FX}) { id } }",
            json!({"s": sh}),
        ),
        (
            &vendor_admin,
            "mutation($p: ID!) { createShot(input: {projectId: $p, code: \"VX1\", frameStart: 1, frameEnd: 2}) { id } }",
            json!({"p": project("SKY")}),
        ),
        (
            &vendor_admin,
            "mutation($p: ID!) { createAsset(input: {projectId: $p, code: \"VX1\", name: \"x\", type: PROP}) { id } }",
            json!({"p": project("SKY")}),
        ),
    ] {
        let body = app.gql(token, query, variables).await;
        assert_eq!(code(&body), "FORBIDDEN", "{query}: {body}");
    }
    let review = app
        .gql(
            &vendor_admin,
            "mutation($v: ID!) { reviewVersion(versionId: $v, approve: true) { id } }",
            json!({"v": published["publishVersion"]["id"]}),
        )
        .await;
    assert_eq!(code(&review), "FORBIDDEN", "{review}");
    let mine = app
        .ok(
            &sup,
            "query($t: ID!) { task(id: $t) { status notes { body } versions { number } } }",
            json!({"t": t}),
        )
        .await;
    assert_eq!(mine["task"]["status"], "PENDING_REVIEW", "untouched by the vendor");
    assert_eq!(mine["task"]["notes"].as_array().unwrap().len(), 2);
    assert_eq!(mine["task"]["versions"].as_array().unwrap().len(), 1);
    assert_eq!(
        owner_rows(
            &app,
            &format!(
                "SELECT count(*)::text AS v FROM outbox WHERE tenant_id = '{}'",
                tenant_id("vendorx")
            )
        )
        .await,
        vec!["0".to_owned()],
        "the vendor wrote nothing"
    );

    // Unshare, twice: gone, one event.
    let un = app.ok(&sup, UNSHARE, json!({"t": t, "v": vx})).await;
    assert_eq!(un["unshareTask"]["sharedWith"], json!([]));
    app.ok(&sup, UNSHARE, json!({"t": t, "v": vx})).await;
    assert_eq!(count(&app.outbox_keys().await, "production.task.unshared"), 1);
    let after = app.ok(&vendor, VENDOR_VIEW, vars).await;
    assert_eq!(after["projects"]["totalCount"], 0);
    assert_eq!(after["tasks"]["totalCount"], 0);
    assert_eq!(after["task"], Value::Null);
    assert_eq!(after["shot"], Value::Null);
    let write = app
        .gql(
            &vendor,
            "mutation($t: ID!) { addNote(taskId: $t, body: \"hi\") { id } }",
            json!({"t": t}),
        )
        .await;
    assert_eq!(code(&write), "NOT_FOUND", "an unshared task is simply not there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_studio_managers_share_and_only_with_a_vendor() {
    let app = common::spawn().await;
    let sup = app.token("sup@northwind.test");
    let artist = app.token("artist@northwind.test");
    let t = task("SKY", "SQ010_SH010", "Layout");
    let vx = tenant_id("vendorx").to_string();

    let body = app.gql(&artist, SHARE, json!({"t": t, "v": vx})).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let read_only = app.token_with_scopes("sup@northwind.test", &["production:read"]);
    assert_eq!(code(&app.gql(&read_only, SHARE, json!({"t": t, "v": vx})).await), "FORBIDDEN");

    // Not with itself, an unknown tenant, or another studio.
    let other_studio = Uuid::new_v4();
    owner_sql(
        &app,
        &format!(
            "INSERT INTO tenant_replica (id, tenant_id, slug, name, kind) VALUES ('{other_studio}', '{other_studio}', 'rival', 'Rival', 'STUDIO')"
        ),
    )
    .await;
    // The studio's pick list: vendors only (not itself, not the other studio); managers only.
    let vendors = app.ok(&sup, "{ vendorTenants { id slug name } }", json!({})).await;
    assert_eq!(vendors["vendorTenants"].as_array().unwrap().len(), 1, "{vendors}");
    assert_eq!(vendors["vendorTenants"][0]["id"], json!(vx));
    assert_eq!(vendors["vendorTenants"][0]["slug"], "vendorx");
    assert_eq!(code(&app.gql(&artist, "{ vendorTenants { id } }", json!({})).await), "FORBIDDEN");
    for v in [tenant_id("northwind"), Uuid::new_v4(), other_studio] {
        let body = app.gql(&sup, SHARE, json!({"t": t, "v": v})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{v}: {body}");
    }
    assert_eq!(code(&app.gql(&sup, SHARE, json!({"t": t, "v": "nope"})).await), "BAD_USER_INPUT");
    // Only tasks the caller can see.
    assert_eq!(
        code(&app.gql(&sup, SHARE, json!({"t": Uuid::new_v4(), "v": vx})).await),
        "NOT_FOUND"
    );
    let vendor_admin = app.forge(Uuid::new_v4(), tenant_id("vendorx"), None, vec![Role::Admin], &["*"]);
    assert_eq!(code(&app.gql(&vendor_admin, SHARE, json!({"t": t, "v": vx})).await), "NOT_FOUND");
    assert_eq!(count(&app.outbox_keys().await, "production.task.shared"), 0);
    assert_eq!(
        owner_rows(&app, "SELECT count(*)::text AS v FROM task_shares").await,
        vec!["0".to_owned()]
    );

    // A share is per vendor and per task: another studio task stays hidden.
    app.ok(&sup, SHARE, json!({"t": t, "v": vx})).await;
    let vendor = app.token("lead@vendorx.test");
    let other = task("SKY", "SQ010_SH010", "Animation");
    let seen = app
        .ok(
            &vendor,
            "query($o: ID!) { task(id: $o) { id } tasks { totalCount } }",
            json!({"o": other}),
        )
        .await;
    assert_eq!(seen, json!({"task": null, "tasks": {"totalCount": 1}}));
}
