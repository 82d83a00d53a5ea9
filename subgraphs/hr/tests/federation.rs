//! Federation: `_entities` for 500 employees costs one SQL query (DataLoader batching), the
//! same as for one; `_service.sdl` is served.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::tenant_id;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::{Value, json};

const ENTITIES: &str = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee { id displayName } } }";
const WITH_MANAGER: &str = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee { id manager { displayName } } } }";

fn reps(ids: &[String]) -> Value {
    json!(ids.iter().map(|id| json!({"__typename": "Employee", "id": id})).collect::<Vec<_>>())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entity_batch_of_500_is_one_query() {
    let app = common::spawn().await;
    let mut owner = app.database.owner_connection().await.unwrap();
    // 500 more employees, all reporting to one manager.
    owner
        .batch_execute(&format!(
            "INSERT INTO employees (id, tenant_id, employee_number, first_name, last_name, email, hire_date, manager_id) \
             SELECT gen_random_uuid(), '{t}', 'B' || g, 'Batch', 'Person ' || g, 'batch' || g || '@northwind.test', DATE '2025-01-01', '{m}' \
             FROM generate_series(1, 500) g",
            t = tenant_id("northwind"),
            m = common::employee_id("northwind", "sup"),
        ))
        .await
        .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let ids: Vec<String> =
        diesel::sql_query("SELECT id::text AS id FROM employees WHERE employee_number LIKE 'B%' ORDER BY employee_number")
            .load::<Id>(&mut owner)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
    assert_eq!(ids.len(), 500);
    let token = app.token("admin@northwind.test");

    let before = app.db.statements().get();
    let one = app.ok(&token, ENTITIES, json!({"r": reps(&ids[..1])})).await;
    let cost_one = app.db.statements().get() - before;
    assert_eq!(one["_entities"][0]["displayName"], "Batch Person 1");

    let before = app.db.statements().get();
    let many = app.ok(&token, ENTITIES, json!({"r": reps(&ids)})).await;
    let cost_many = app.db.statements().get() - before;
    let list = many["_entities"].as_array().unwrap();
    assert_eq!(list.len(), 500);
    for (rep, got) in ids.iter().zip(list) {
        assert_eq!(&got["id"], rep, "entities come back in representation order");
    }
    // One transaction (BEGIN, set_config, SELECT, COMMIT) for 1 and for 500 representations.
    assert_eq!(
        cost_many, cost_one,
        "500 representations cost as many statements as one ({cost_one})"
    );
    assert!(cost_one <= 4, "one SELECT in one transaction, got {cost_one} statements");
    // Nested references resolve through the DataLoader.
    let nested = app.ok(&token, WITH_MANAGER, json!({"r": reps(&ids[..50])})).await;
    assert!(
        nested["_entities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["manager"]["displayName"] == "Sam Okafor")
    );

    // Unknown and malformed ids resolve to null without failing the batch.
    let mixed = app.ok(&token, ENTITIES, json!({"r": [{"__typename": "Employee", "id": ids[0]}, {"__typename": "Employee", "id": "00000000-0000-0000-0000-000000000000"}, {"__typename": "Employee", "id": "nope"}]})).await;
    assert_eq!(mixed["_entities"][1], json!(null));
    assert_eq!(mixed["_entities"][2], json!(null));

    let sdl = app.ok(&token, "{ _service { sdl } }", json!({})).await;
    assert!(
        sdl["_service"]["sdl"]
            .as_str()
            .unwrap()
            .contains("type Employee @key(fields: \"id\")")
    );
}
