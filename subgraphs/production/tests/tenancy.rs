//! Tenant isolation in production: the vendor tenant sees, changes and infers nothing of the
//! studio's work.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{code, employee_id, project, task, tenant_id};
use platform::auth::Role;
use serde_json::json;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_sees_nothing_of_the_studio() {
    let app = common::spawn().await;
    let vendor = app.token("lead@vendorx.test");
    let admin = app.forge(Uuid::new_v4(), tenant_id("vendorx"), None, vec![Role::Admin], &["*"]);
    let t = task("SKY", "SQ010_SH010", "Layout");
    assert_eq!(
        app.ok(&vendor, "{ projects { totalCount } tasks { totalCount } }", json!({})).await,
        json!({"projects": {"totalCount": 0}, "tasks": {"totalCount": 0}})
    );
    assert_eq!(
        app.ok(&vendor, "query($p: ID!) { project(id: $p) { id } }", json!({"p": project("SKY")}))
            .await["project"],
        json!(null)
    );
    let ents = app
        .ok(
            &vendor,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Task { id } ... on Project { id } } }",
            json!({"r": [{"__typename": "Task", "id": t}, {"__typename": "Project", "id": project("SKY")}]}),
        )
        .await;
    assert_eq!(ents["_entities"], json!([null, null]));
    // Writes against studio rows: not found, nothing changes.
    assert_eq!(
        code(
            &app.gql(
                &admin,
                "mutation($t: ID!) { transitionTask(taskId: $t, to: IN_PROGRESS) { id } }",
                json!({"t": t})
            )
            .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.gql(
                &admin,
                "mutation($t: ID!) { assignTask(taskId: $t, employeeId: null) { id } }",
                json!({"t": t})
            )
            .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.gql(
                &admin,
                "mutation($i: PublishVersionInput!) { publishVersion(input: $i) { id } }",
                json!({"i": {"taskId": t, "path": "/x"}})
            )
            .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.gql(
                &admin,
                "mutation($i: CreateShotInput!) { createShot(input: $i) { id } }",
                json!({"i": {"projectId": project("SKY"), "code": "X", "frameStart": 1, "frameEnd": 2}})
            )
            .await
        ),
        "NOT_FOUND"
    );
    // Studio people cannot be assigned to vendor work, nor vice versa.
    let p = app
        .ok(
            &admin,
            "mutation { createProject(input: {code: \"SKY\", name: \"Vendor's own SKY\"}) { id } }",
            json!({}),
        )
        .await;
    let shot = app
        .ok(
            &admin,
            "mutation($p: ID!) { createShot(input: {projectId: $p, code: \"S1\", frameStart: 1, frameEnd: 9}) { id } }",
            json!({"p": p["createProject"]["id"]}),
        )
        .await;
    let vt = app
        .ok(
            &admin,
            "mutation($s: ID!) { createTask(input: {shotId: $s, name: \"Roto\", type: COMPOSITING}) { id } }",
            json!({"s": shot["createShot"]["id"]}),
        )
        .await;
    let body = app
        .gql(
            &admin,
            "mutation($t: ID!, $e: ID) { assignTask(taskId: $t, employeeId: $e) { id } }",
            json!({"t": vt["createTask"]["id"], "e": employee_id("northwind", "artist")}),
        )
        .await;
    assert_eq!(code(&body), "ASSIGNEE_UNAVAILABLE");
    let sup = app.token("sup@northwind.test");
    let status = app
        .ok(&sup, "query($t: ID!) { task(id: $t) { status assignee { id } } }", json!({"t": t}))
        .await;
    assert_eq!(status["task"]["status"], "READY", "untouched by the vendor");
    assert_eq!(
        app.ok(&sup, "{ projects { totalCount } }", json!({})).await["projects"]["totalCount"],
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_forces_row_level_security_for_a_role_that_owns_nothing() {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Flag {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        flag: bool,
    }
    let app = common::spawn().await;
    let mut owner = app.database.owner_connection().await.unwrap();
    for (sql, what) in [
        (
            "SELECT NOT (rolbypassrls OR rolsuper) AS flag FROM pg_roles WHERE rolname = 'studiograph_production_app'",
            "no BYPASSRLS",
        ),
        (
            "SELECT count(*) = 0 AS flag FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'studiograph_production_app'",
            "owns no table",
        ),
        (
            "SELECT bool_and(c.relrowsecurity AND c.relforcerowsecurity) AS flag FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__diesel_schema_migrations'",
            "FORCE ROW LEVEL SECURITY everywhere",
        ),
    ] {
        let f: Flag = diesel::sql_query(sql).get_result(&mut owner).await.unwrap();
        assert!(f.flag, "{what}");
    }
}
