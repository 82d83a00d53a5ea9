//! Employees through the GraphQL endpoint: CRUD, the directory connection, idempotency, salary
//! visibility per role, employment history, audit rows and outbox events.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{code, employee_id};
use serde_json::json;

const CREATE: &str = "mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id employeeNumber displayName email status salary { amount currency } department { name } manager { displayName } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_offboard_with_history_audit_and_events() {
    let app = common::spawn().await;
    let hr = app.token("hr@northwind.test");
    let artist = app.token("artist@northwind.test");
    let sup_id = employee_id("northwind", "sup");
    let input = json!({"firstName": "Nia", "lastName": "Quartey", "email": "Nia.Quartey@northwind.test", "title": "Layout Artist",
        "managerId": sup_id, "hireDate": "2026-01-05", "salary": {"amount": "52000.50", "currency": "EUR"}, "idempotencyKey": "hire-nia"});

    // Artists may not hire.
    let body = app.gql(&artist, CREATE, json!({"input": input})).await;
    assert_eq!(code(&body), "FORBIDDEN");

    let created = app.ok(&hr, CREATE, json!({"input": input})).await["createEmployee"].clone();
    assert_eq!(created["email"], "nia.quartey@northwind.test");
    assert_eq!(created["salary"], json!({"amount": "52000.50", "currency": "EUR"}));
    assert_eq!(created["manager"]["displayName"], "Sam Okafor");
    assert_eq!(created["status"], "ACTIVE");
    // Same key, same input: the same employee, nothing new.
    let replay = app.ok(&hr, CREATE, json!({"input": input})).await["createEmployee"].clone();
    assert_eq!(replay["id"], created["id"]);
    // Same key, other input: CONFLICT. Another key with a taken email: CONFLICT.
    let mut other = input.clone();
    other["firstName"] = json!("Other");
    assert_eq!(code(&app.gql(&hr, CREATE, json!({"input": other})).await), "CONFLICT");
    other["idempotencyKey"] = json!("hire-nia-2");
    other["firstName"] = json!("Nia");
    let dup = app.gql(&hr, CREATE, json!({"input": other})).await;
    assert_eq!(code(&dup), "CONFLICT");
    assert!(dup["errors"][0]["message"].as_str().unwrap().contains("email"));
    // Bad input: BAD_USER_INPUT, nothing written.
    let mut bad = input.clone();
    bad["idempotencyKey"] = json!(null);
    bad["email"] = json!("not-an-email");
    assert_eq!(code(&app.gql(&hr, CREATE, json!({"input": bad})).await), "BAD_USER_INPUT");
    bad["email"] = json!("x@northwind.test");
    bad["salary"] = json!({"amount": "12.345", "currency": "EUR"});
    assert_eq!(code(&app.gql(&hr, CREATE, json!({"input": bad})).await), "BAD_USER_INPUT");

    let id = created["id"].as_str().unwrap();
    let updated = app
        .ok(&hr, "mutation($id: ID!) { updateEmployee(id: $id, input: {title: \"Senior Layout Artist\", salary: {amount: \"58000\", currency: \"EUR\"}, reason: \"promotion\"}) { title salary { amount } employmentHistory { title salary { amount } reason } } }", json!({"id": id}))
        .await["updateEmployee"]
        .clone();
    assert_eq!(updated["title"], "Senior Layout Artist");
    let history = updated["employmentHistory"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["reason"], "hired");
    assert_eq!(history[1]["salary"]["amount"], "58000.00");
    assert_eq!(history[1]["reason"], "promotion");
    // A reporting cycle is refused.
    let cycle = app
        .gql(
            &hr,
            "mutation($id: ID!, $m: ID!) { updateEmployee(id: $id, input: {managerId: $m}) { id } }",
            json!({"id": sup_id, "m": id}),
        )
        .await;
    assert_eq!(code(&cycle), "BAD_USER_INPUT");

    let off = app
        .ok(&hr, "mutation($id: ID!) { offboardEmployee(id: $id, effectiveDate: \"2026-12-31\", reason: \"contract ended\") { status endDate offboardReason } }", json!({"id": id}))
        .await["offboardEmployee"]
        .clone();
    assert_eq!(
        off,
        json!({"status": "OFFBOARDED", "endDate": "2026-12-31", "offboardReason": "contract ended"})
    );
    let again = app
        .gql(
            &hr,
            "mutation($id: ID!) { offboardEmployee(id: $id, effectiveDate: \"2026-12-31\", reason: \"x\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&again), "CONFLICT");

    let keys = app.outbox_keys().await;
    let tail: Vec<&str> = keys.iter().rev().take(3).rev().map(String::as_str).collect();
    assert_eq!(tail, ["hr.employee.created", "hr.employee.updated", "hr.employee.offboarded"]);

    // Audit rows carry actor, before and after; the application role cannot rewrite them.
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct A {
        #[diesel(sql_type = diesel::sql_types::Text)]
        action: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
        actor_user_id: Option<uuid::Uuid>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Jsonb>)]
        before: Option<serde_json::Value>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Jsonb>)]
        after: Option<serde_json::Value>,
    }
    let mut owner = app.database.owner_connection().await.unwrap();
    let rows: Vec<A> = diesel::sql_query("SELECT action, actor_user_id, before, after FROM audit_log WHERE entity_id = $1 ORDER BY id")
        .bind::<diesel::sql_types::Uuid, _>(uuid::Uuid::parse_str(id).unwrap())
        .load(&mut owner)
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["employee.created", "employee.updated", "employee.offboarded"]);
    let hr_user = common::demo_user("hr@northwind.test").0;
    assert!(rows.iter().all(|r| r.actor_user_id == Some(hr_user)));
    assert_eq!(rows[1].before.as_ref().unwrap()["title"], "Layout Artist");
    assert_eq!(rows[1].after.as_ref().unwrap()["title"], "Senior Layout Artist");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salary_and_personal_fields_are_private() {
    let app = common::spawn().await;
    let artist_id = employee_id("northwind", "artist");
    let q = "query($id: ID!) { employee(id: $id) { displayName title salary { amount currency } phone } }";
    for (who, sees) in [
        ("artist@northwind.test", true),
        ("hr@northwind.test", true),
        ("admin@northwind.test", true),
        ("sup@northwind.test", false),
        ("wrangler@northwind.test", false),
    ] {
        let body = app.gql(&app.token(who), q, json!({"id": artist_id})).await;
        assert_eq!(body["data"]["employee"]["displayName"], "Ari Novak", "{who}");
        assert_eq!(body["data"]["employee"]["title"], "Animator", "{who}");
        if sees {
            assert!(body.get("errors").is_none(), "{who}: {body}");
            assert_eq!(body["data"]["employee"]["salary"]["currency"], "EUR");
        } else {
            assert_eq!(body["data"]["employee"]["salary"], json!(null));
            let errors = body["errors"].as_array().unwrap();
            assert_eq!(errors.len(), 2, "{body}");
            assert!(errors.iter().all(|e| e["extensions"]["code"] == "FORBIDDEN"));
            assert_eq!(errors[0]["path"], json!(["employee", "salary"]));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_connection_pages_filters_and_counts() {
    let app = common::spawn().await;
    let token = app.token("sup@northwind.test");
    let q = "query($after: String, $filter: EmployeeFilter) { employees(first: 7, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id lastName firstName } } } }";
    let mut after: Option<String> = None;
    let mut seen = Vec::new();
    let mut total;
    loop {
        let data = app.ok(&token, q, json!({"after": after})).await;
        let c = &data["employees"];
        total = c["totalCount"].as_i64().unwrap();
        for e in c["edges"].as_array().unwrap() {
            seen.push((
                e["node"]["lastName"].as_str().unwrap().to_owned(),
                e["node"]["firstName"].as_str().unwrap().to_owned(),
                e["node"]["id"].as_str().unwrap().to_owned(),
            ));
        }
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(total, 50);
    assert_eq!(seen.len(), 50);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "pages come in (lastName, firstName, id) order");
    sorted.dedup_by(|a, b| a.2 == b.2);
    assert_eq!(sorted.len(), 50, "no duplicates across pages");

    let data = app.ok(&token, q, json!({"filter": {"search": "okaf"}})).await;
    assert_eq!(data["employees"]["totalCount"], 1);
    // A full name as people type it ("First Last") finds the person too.
    let data = app.ok(&token, q, json!({"filter": {"search": "helen par"}})).await;
    assert_eq!(data["employees"]["totalCount"], 1);
    let dept = common::demo_id("department", "northwind/Animation");
    let data = app
        .ok(&token, q, json!({"filter": {"departmentId": dept, "status": ["ACTIVE"]}}))
        .await;
    assert!(data["employees"]["totalCount"].as_i64().unwrap() >= 7);
    let body = app.gql(&token, q, json!({"after": "garbage"})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    let body = app.gql(&token, "{ employees(first: 100000) { totalCount } }", json!({})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    // Scopes: a token without hr:read cannot list people.
    let narrow = app.token_with_scopes("sup@northwind.test", &["production:read"]);
    assert_eq!(
        code(&app.gql(&narrow, "{ employees { totalCount } }", json!({})).await),
        "FORBIDDEN"
    );
}
