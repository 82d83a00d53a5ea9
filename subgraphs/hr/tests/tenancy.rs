//! Two-tenant isolation: a tenant never sees, updates or infers the other's rows, at the API and
//! at the database (row-level security under the application role), and a pooled connection
//! reused 1,000 times across tenants never leaks.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{code, employee_id, tenant_id};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel_async::RunQueryDsl;
use platform::auth::Role;
use platform::config::DatabaseConfig;
use platform::{Db, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_isolation_between_tenants() {
    let app = common::spawn().await;
    let vendor = app.token("lead@vendorx.test");
    let artist_id = employee_id("northwind", "artist");

    let data = app
        .ok(
            &vendor,
            "{ employees(first: 100) { totalCount edges { node { email } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["employees"]["totalCount"], 4);
    assert!(
        data["employees"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["email"].as_str().unwrap().ends_with("@vendorx.test"))
    );
    // Reading a northwind id by id or as an entity: nothing.
    assert_eq!(
        app.ok(&vendor, "query($id: ID!) { employee(id: $id) { id } }", json!({"id": artist_id}))
            .await["employee"],
        json!(null)
    );
    let ents = app
        .ok(
            &vendor,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee { id } } }",
            json!({"r": [{"__typename": "Employee", "id": artist_id}]}),
        )
        .await;
    assert_eq!(ents["_entities"], json!([null]));
    // A vendor admin cannot change a northwind employee: it does not exist for them.
    let vendor_admin = app.forge(Uuid::new_v4(), tenant_id("vendorx"), None, vec![Role::Admin], &["*"]);
    let body = app
        .gql(
            &vendor_admin,
            "mutation($id: ID!) { updateEmployee(id: $id, input: {title: \"pwned\"}) { id } }",
            json!({"id": artist_id}),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND");
    let body = app
        .gql(
            &vendor_admin,
            "mutation($id: ID!) { offboardEmployee(id: $id, effectiveDate: \"2026-12-01\", reason: \"x\") { id } }",
            json!({"id": artist_id}),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND");
    // No inference through unique keys: an email used by northwind is free in vendorx, and a
    // manager id from northwind is simply unknown.
    let create = "mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id email } }";
    let ok = app
        .ok(
            &vendor_admin,
            create,
            json!({"input": {"firstName": "Ari", "lastName": "Clone", "email": "artist@northwind.test", "hireDate": "2026-02-02"}}),
        )
        .await;
    assert_eq!(ok["createEmployee"]["email"], "artist@northwind.test");
    let body = app.gql(&vendor_admin, create, json!({"input": {"firstName": "X", "lastName": "Y", "email": "xy@vendorx.test", "hireDate": "2026-02-02", "managerId": artist_id}})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    // Northwind's record is untouched.
    let hr = app.token("hr@northwind.test");
    assert_eq!(
        app.ok(&hr, "query($id: ID!) { employee(id: $id) { title } }", json!({"id": artist_id}))
            .await["employee"]["title"],
        "Animator"
    );
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooled_connection_reused_across_tenants_never_leaks() {
    let app = common::spawn().await;
    // One connection, so every transaction reuses it.
    let mut cfg = DatabaseConfig::for_url(&app.database.app_url, "hr-leak-test");
    cfg.max_connections = 1;
    let db = Db::connect(&cfg).unwrap();
    let tenants = [tenant_id("northwind"), tenant_id("vendorx")];
    for i in 0..1000 {
        let t = tenants[i % 2];
        let seen: Vec<Uuid> = db
            .tx(t, |c| {
                async move { Ok(crate_employees::table.select(crate_employees::tenant_id).distinct().load(c).await?) }.scope_boxed()
            })
            .await
            .unwrap();
        assert_eq!(seen, vec![t], "iteration {i}");
        // Between transactions the connection carries no tenant, and RLS shows nothing.
        if i % 100 == 0 {
            let (setting, count) = db
                .tx_without_tenant(|c| {
                    async move {
                        let s: Setting = diesel::sql_query("SELECT NULLIF(current_setting('app.tenant_id', true), '') AS value")
                            .get_result(c)
                            .await?;
                        let n: i64 = crate_employees::table.count().get_result(c).await?;
                        Ok((s.value, n))
                    }
                    .scope_boxed()
                })
                .await
                .unwrap();
            assert_eq!(setting, None);
            assert_eq!(count, 0);
        }
    }
    assert_eq!(db.pool_status().0, 1);
}

diesel::table! {
    #[sql_name = "employees"]
    crate_employees (id) {
        id -> Uuid,
        tenant_id -> Uuid,
    }
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_enforces_isolation_for_the_application_role() {
    let app = common::spawn().await;
    let north = tenant_id("northwind");
    // The app role owns no table and cannot bypass RLS; every table forces RLS.
    let mut owner = app.database.owner_connection().await.unwrap();
    let f: Flag = diesel::sql_query("SELECT rolbypassrls OR rolsuper AS flag FROM pg_roles WHERE rolname = 'studiograph_hr_app'")
        .get_result(&mut owner)
        .await
        .unwrap();
    assert!(!f.flag);
    let f: Flag =
        diesel::sql_query("SELECT count(*) = 0 AS flag FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'studiograph_hr_app'")
            .get_result(&mut owner)
            .await
            .unwrap();
    assert!(f.flag);
    let f: Flag = diesel::sql_query(
        "SELECT bool_and(c.relrowsecurity AND c.relforcerowsecurity) AS flag FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__diesel_schema_migrations'",
    )
    .get_result(&mut owner)
    .await
    .unwrap();
    assert!(f.flag, "every table has FORCE ROW LEVEL SECURITY");

    // Writing a row for another tenant inside a northwind transaction is refused by the policy.
    let err = app
        .db
        .tx(north, |c| {
            async move {
                diesel::sql_query("INSERT INTO departments (id, tenant_id, name) VALUES (gen_random_uuid(), $1, 'Smuggled')")
                    .bind::<diesel::sql_types::Uuid, _>(tenant_id("vendorx"))
                    .execute(c)
                    .await?;
                Ok(())
            }
            .scope_boxed()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), platform::ErrorCode::Internal);
    // UPDATE and DELETE of another tenant's rows touch nothing.
    let touched = app
        .db
        .tx(north, |c| {
            async move {
                let a = diesel::sql_query("UPDATE employees SET title = 'x' WHERE tenant_id = $1")
                    .bind::<diesel::sql_types::Uuid, _>(tenant_id("vendorx"))
                    .execute(c)
                    .await?;
                let b = diesel::sql_query("DELETE FROM leave_allocations WHERE tenant_id = $1")
                    .bind::<diesel::sql_types::Uuid, _>(tenant_id("vendorx"))
                    .execute(c)
                    .await?;
                Ok(a + b)
            }
            .scope_boxed()
        })
        .await
        .unwrap();
    assert_eq!(touched, 0);
    // The audit log is append-only for the application role.
    for sql in ["UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"] {
        let res = app
            .db
            .tx(north, |c| async move { Ok(diesel::sql_query(sql).execute(c).await?) }.scope_boxed())
            .await;
        assert!(res.is_err(), "{sql} must be refused");
    }
    let f: Flag = diesel::sql_query("SELECT count(*) > 0 AND bool_and(action <> 'forged') AS flag FROM audit_log")
        .get_result(&mut owner)
        .await
        .unwrap();
    assert!(f.flag);
}
