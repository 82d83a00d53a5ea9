//! The leave state machine through GraphQL: who may decide, overlap and balance refusals,
//! cancellation, concurrency, events.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use common::{code, employee_id};
use serde_json::json;

const REQUEST: &str = "mutation($input: RequestLeaveInput!) { requestLeave(input: $input) { id status days type startDate endDate employee { displayName } } }";
const DECIDE: &str =
    "mutation($id: ID!, $ok: Boolean!) { decideLeave(id: $id, approve: $ok, comment: \"ok\") { id status decisionComment } }";
const CANCEL: &str = "mutation($id: ID!) { cancelLeave(id: $id) { status } }";

/// The first Monday of March next year: a week with no demo holiday.
fn next_year_monday() -> NaiveDate {
    let mut d = NaiveDate::from_ymd_opt(Utc::now().year() + 1, 3, 1).unwrap();
    while d.weekday() != Weekday::Mon {
        d += Duration::days(1);
    }
    d
}

fn range(start: NaiveDate, days: i64) -> serde_json::Value {
    json!({"type": "VACATION", "startDate": start.to_string(), "endDate": (start + Duration::days(days - 1)).to_string(), "reason": "family"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_machine_and_who_decides() {
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let sup = app.token("sup@northwind.test");
    let wrangler = app.token("wrangler@northwind.test");
    let hr = app.token("hr@northwind.test");
    let monday = next_year_monday();

    let req = app.ok(&artist, REQUEST, json!({"input": range(monday, 7)})).await["requestLeave"].clone();
    assert_eq!(req["status"], "PENDING");
    assert_eq!(req["days"], 5, "a Mon-Sun week is five working days");
    let id = req["id"].as_str().unwrap().to_owned();

    // Nobody approves their own request; an unrelated colleague may not decide.
    assert_eq!(code(&app.gql(&artist, DECIDE, json!({"id": id, "ok": true})).await), "FORBIDDEN");
    assert_eq!(code(&app.gql(&wrangler, DECIDE, json!({"id": id, "ok": true})).await), "FORBIDDEN");
    // The manager approves; deciding twice is not a transition.
    let decided = app.ok(&sup, DECIDE, json!({"id": id, "ok": true})).await["decideLeave"].clone();
    assert_eq!(decided["status"], "APPROVED");
    assert_eq!(
        code(&app.gql(&hr, DECIDE, json!({"id": id, "ok": false})).await),
        "TRANSITION_NOT_ALLOWED"
    );

    // Overlap with an approved request: CONFLICT naming the other request.
    let overlap = app
        .gql(&artist, REQUEST, json!({"input": range(monday + Duration::days(3), 3)}))
        .await;
    assert_eq!(code(&overlap), "CONFLICT");
    assert_eq!(overlap["errors"][0]["extensions"]["details"]["leaveRequestId"], json!(id));

    // Over the balance: 25 days allocated, 5 used, 21 more working days requested.
    let over = app
        .gql(&artist, REQUEST, json!({"input": range(monday + Duration::days(14), 29)}))
        .await;
    assert_eq!(code(&over), "QUOTA_EXCEEDED");
    assert_eq!(over["errors"][0]["extensions"]["details"]["remaining"], 20);
    // Sick leave has no allocation: not limited.
    let mut sick = range(monday + Duration::days(14), 29);
    sick["type"] = json!("SICK");
    assert_eq!(
        app.ok(&artist, REQUEST, json!({"input": sick})).await["requestLeave"]["status"],
        "PENDING"
    );

    // HR rejects another request; the employee cancels the approved one; cancelling twice fails.
    let second = app
        .ok(&artist, REQUEST, json!({"input": range(monday + Duration::days(56), 2)}))
        .await["requestLeave"]["id"]
        .clone();
    assert_eq!(
        app.ok(&hr, DECIDE, json!({"id": second, "ok": false})).await["decideLeave"]["status"],
        "REJECTED"
    );
    assert_eq!(
        code(&app.gql(&artist, CANCEL, json!({"id": second})).await),
        "TRANSITION_NOT_ALLOWED"
    );
    assert_eq!(
        app.ok(&artist, CANCEL, json!({"id": id})).await["cancelLeave"]["status"],
        "CANCELLED"
    );
    assert_eq!(code(&app.gql(&artist, CANCEL, json!({"id": id})).await), "TRANSITION_NOT_ALLOWED");
    // Cancelled days return to the balance.
    let bal = app
        .ok(
            &artist,
            "{ me { employee { leaveBalances { type allocated used remaining } } } }",
            json!({}),
        )
        .await;
    let balances = bal["me"]["employee"]["leaveBalances"].as_array().unwrap();
    assert!(balances.iter().any(|b| b["type"] == "VACATION"));

    // HR cannot approve their own leave either.
    let own = app.ok(&hr, REQUEST, json!({"input": range(monday, 2)})).await["requestLeave"]["id"].clone();
    assert_eq!(code(&app.gql(&hr, DECIDE, json!({"id": own, "ok": true})).await), "FORBIDDEN");
    // Only HR files leave for someone else.
    let mut for_other = range(monday + Duration::days(70), 2);
    for_other["employeeId"] = json!(employee_id("northwind", "wrangler"));
    assert_eq!(
        code(&app.gql(&artist, REQUEST, json!({"input": for_other.clone()})).await),
        "FORBIDDEN"
    );
    assert_eq!(
        app.ok(&hr, REQUEST, json!({"input": for_other})).await["requestLeave"]["employee"]["displayName"],
        "Wren Castillo"
    );

    // Bad dates.
    let mut backwards = range(monday, 2);
    backwards["endDate"] = json!((monday - Duration::days(3)).to_string());
    assert_eq!(
        code(&app.gql(&artist, REQUEST, json!({"input": backwards})).await),
        "BAD_USER_INPUT"
    );
    let weekend = json!({"type": "VACATION", "startDate": (monday - Duration::days(2)).to_string(), "endDate": (monday - Duration::days(1)).to_string()});
    assert_eq!(code(&app.gql(&artist, REQUEST, json!({"input": weekend})).await), "BAD_USER_INPUT");

    // Visibility: the manager sees the report's requests; a colleague sees none of them.
    let list = "{ leaveRequests(first: 50) { totalCount edges { node { employee { displayName } status } } } }";
    let sup_view = app.ok(&sup, list, json!({})).await;
    let edges = sup_view["leaveRequests"]["edges"].as_array().unwrap().len() as i64;
    assert_eq!(sup_view["leaveRequests"]["totalCount"], edges);
    assert!(
        sup_view["leaveRequests"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["employee"]["displayName"] == "Ari Novak")
    );
    let wrangler_view = app.ok(&wrangler, list, json!({})).await;
    assert!(
        wrangler_view["leaveRequests"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["employee"]["displayName"] == "Wren Castillo")
    );

    let keys = app.outbox_keys().await;
    for k in ["hr.leave.requested", "hr.leave.approved", "hr.leave.rejected", "hr.leave.cancelled"] {
        assert!(keys.iter().any(|x| x == k), "missing {k}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_overlapping_requests_admit_exactly_one() {
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let monday = next_year_monday();
    let attempts = (0..8).map(|i| {
        let app = &app;
        let artist = artist.clone();
        async move {
            app.gql(&artist, REQUEST, json!({"input": range(monday + Duration::days(i % 3), 3)}))
                .await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let ok = results.iter().filter(|r| r.get("errors").is_none()).count();
    assert_eq!(ok, 1, "{results:?}");
    assert!(results.iter().filter(|r| r.get("errors").is_some()).all(|r| code(r) == "CONFLICT"));
}

/// `viewerCanDecide` / `viewerCanCancel` say exactly what `decideLeave` / `cancelLeave` allow, for
/// each viewer and each status, so a client never offers an action the server refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_flags_match_what_decide_and_cancel_allow() {
    const FLAGS: &str = "query($id: ID!) { leaveRequest(id: $id) { status viewerCanDecide viewerCanCancel } }";
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let sup = app.token("sup@northwind.test");
    let wrangler = app.token("wrangler@northwind.test");
    let hr = app.token("hr@northwind.test");
    let flags = |token: String, id: serde_json::Value| {
        let app = &app;
        async move {
            let body = app.ok(&token, FLAGS, json!({"id": id})).await;
            let r = &body["leaveRequest"];
            if r.is_null() {
                return None;
            }
            Some((r["viewerCanDecide"].as_bool().unwrap(), r["viewerCanCancel"].as_bool().unwrap()))
        }
    };
    let id = app.ok(&artist, REQUEST, json!({"input": range(next_year_monday(), 3)})).await["requestLeave"]["id"].clone();

    // Pending: the manager and HR decide; the employee and HR cancel.
    assert_eq!(flags(artist.clone(), id.clone()).await, Some((false, true)));
    assert_eq!(flags(sup.clone(), id.clone()).await, Some((true, false)));
    assert_eq!(flags(hr.clone(), id.clone()).await, Some((true, true)));
    // A colleague who is not the manager either cannot see it or may do nothing with it.
    assert!(matches!(flags(wrangler.clone(), id.clone()).await, None | Some((false, false))));
    // The flags agree with the mutations.
    assert_eq!(code(&app.gql(&artist, DECIDE, json!({"id": id, "ok": true})).await), "FORBIDDEN");
    assert_eq!(code(&app.gql(&sup, CANCEL, json!({"id": id})).await), "FORBIDDEN");

    // Approved: nobody decides any more; the employee and HR may still cancel.
    app.ok(&sup, DECIDE, json!({"id": id, "ok": true})).await;
    assert_eq!(flags(artist.clone(), id.clone()).await, Some((false, true)));
    assert_eq!(flags(sup.clone(), id.clone()).await, Some((false, false)));
    assert_eq!(flags(hr.clone(), id.clone()).await, Some((false, true)));

    // Cancelled: nothing more for anyone.
    app.ok(&artist, CANCEL, json!({"id": id})).await;
    for token in [&artist, &sup, &hr] {
        assert_eq!(flags(token.clone(), id.clone()).await, Some((false, false)));
    }
}

/// A refused `leaveBalances` or `employmentHistory` is null with FORBIDDEN on that field only:
/// the employee's other fields still arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_balances_and_history_leave_the_employee_intact() {
    let app = common::spawn().await;
    let wrangler = app.token("wrangler@northwind.test");
    let artist = employee_id("northwind", "artist");
    let body = app
        .gql(
            &wrangler,
            "query($id: ID!) { employee(id: $id) { displayName leaveBalances { type } employmentHistory { title } } }",
            json!({"id": artist.to_string()}),
        )
        .await;
    let employee = &body["data"]["employee"];
    assert!(employee["displayName"].is_string(), "{body}");
    assert!(employee["leaveBalances"].is_null());
    assert!(employee["employmentHistory"].is_null());
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{body}");
    for error in errors {
        assert_eq!(error["extensions"]["code"], "FORBIDDEN");
    }
}
