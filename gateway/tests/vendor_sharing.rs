//! Task sharing with a vendor tenant, end to end through the gateway: the vendor sees nothing of
//! the studio until a supervisor shares a task, then exactly that task with its shot and project,
//! read-only, until it is unshared.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{Stack, code, demo_id, tenant_id};
use serde_json::{Value, json};
use uuid::Uuid;

const SHARE: &str = "mutation($t: ID!, $v: ID!) { shareTask(taskId: $t, vendorTenantId: $v) { id sharedWith } }";
const UNSHARE: &str = "mutation($t: ID!, $v: ID!) { unshareTask(taskId: $t, vendorTenantId: $v) { id sharedWith } }";
const VENDOR_VIEW: &str = "query($t: ID!) {
  projects { totalCount edges { node { code shots { totalCount } } } }
  tasks { totalCount edges { node { id name sharedWith shot { code project { code name } } project { code } } } }
  task(id: $t) { id name }
}";

fn task(parent: &str, name: &str) -> String {
    demo_id("task", &format!("northwind/SKY/{parent}/{name}")).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_studio_shares_a_task_with_its_vendor_read_only() {
    let stack = Stack::start().await;
    let vendor = "lead@vendorx.test";
    let sup = "sup@northwind.test";
    let vx = tenant_id("vendorx").to_string();
    let t = task("SQ010_SH010", "Layout");
    let sibling = task("SQ010_SH010", "Animation");

    let nothing = stack.ok(vendor, VENDOR_VIEW, json!({"t": t})).await;
    assert_eq!(nothing["projects"]["totalCount"], 0);
    assert_eq!(nothing["tasks"]["totalCount"], 0);
    assert_eq!(nothing["task"], Value::Null);

    // Only a manager shares, and only with a vendor tenant.
    let (_, body) = stack.post(Some("artist@northwind.test"), SHARE, json!({"t": t, "v": vx})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    for v in [tenant_id("northwind"), Uuid::new_v4()] {
        let (_, body) = stack.post(Some(sup), SHARE, json!({"t": t, "v": v})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{v}: {body}");
    }

    let shared = stack.ok(sup, SHARE, json!({"t": t, "v": vx})).await;
    assert_eq!(shared["shareTask"]["sharedWith"], json!([vx]));

    let view = stack.ok(vendor, VENDOR_VIEW, json!({"t": t})).await;
    assert_eq!(
        view["projects"],
        json!({"totalCount": 1, "edges": [{"node": {"code": "SKY", "shots": {"totalCount": 1}}}]})
    );
    assert_eq!(view["tasks"]["totalCount"], 1);
    let node = &view["tasks"]["edges"][0]["node"];
    assert_eq!(node["id"], t);
    assert_eq!(node["sharedWith"], json!([]));
    assert_eq!(node["shot"]["code"], "SQ010_SH010");
    assert_eq!(node["shot"]["project"]["code"], "SKY");
    assert_eq!(node["project"]["code"], "SKY");
    assert_eq!(view["task"]["name"], "Layout");
    let other = stack
        .ok(vendor, "query($t: ID!) { task(id: $t) { id } }", json!({"t": sibling}))
        .await;
    assert_eq!(other["task"], Value::Null, "nothing else of the studio");

    // Read-only.
    let (_, body) = stack
        .post(
            Some(vendor),
            "mutation($t: ID!) { transitionTask(taskId: $t, to: IN_PROGRESS) { id status } }",
            json!({"t": t}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let (_, body) = stack
        .post(
            Some(vendor),
            "mutation($t: ID!) { publishVersion(input: {taskId: $t, path: \"/vendor/v1\"}) { id } }",
            json!({"t": t}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let mine = stack
        .ok(sup, "query($t: ID!) { task(id: $t) { status sharedWith } }", json!({"t": t}))
        .await;
    assert_eq!(mine["task"], json!({"status": "READY", "sharedWith": [vx]}));

    // Unshare: gone.
    let un = stack.ok(sup, UNSHARE, json!({"t": t, "v": vx})).await;
    assert_eq!(un["unshareTask"]["sharedWith"], json!([]));
    let gone = stack.ok(vendor, VENDOR_VIEW, json!({"t": t})).await;
    assert_eq!(gone["projects"]["totalCount"], 0);
    assert_eq!(gone["tasks"]["totalCount"], 0);
    assert_eq!(gone["task"], Value::Null);
}
