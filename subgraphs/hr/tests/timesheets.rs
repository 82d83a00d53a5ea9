//! Timesheets: hours land idempotently, the manager approves, HR locks the month, and a closed
//! month refuses hours at the database.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use chrono::NaiveDate;
use common::{code, employee_id, tenant_id};
use hr::timesheets::{NewEntry, record_entry};
use platform::ScopedFutureExt;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_lock_and_closed_months() {
    let app = common::spawn().await;
    let artist = employee_id("northwind", "artist");
    let north = tenant_id("northwind");
    let day = NaiveDate::from_ymd_opt(2026, 10, 14).unwrap();
    let add = |minutes: i32, reference: &'static str, day: NaiveDate| {
        let db = app.db.clone();
        async move {
            db.tx(north, |c| {
                async move {
                    record_entry(
                        c,
                        north,
                        NewEntry {
                            employee_id: artist,
                            date: day,
                            minutes,
                            source: "production.timelog",
                            source_ref: reference,
                            note: Some("anim blocking"),
                        },
                    )
                    .await
                }
                .scope_boxed()
            })
            .await
        }
    };
    assert!(add(450, "tl-1", day).await.unwrap());
    assert!(!add(450, "tl-1", day).await.unwrap(), "a redelivered entry is a no-op");
    assert!(add(90, "tl-2", day).await.unwrap());

    let q = "query($e: ID!) { timesheet(employeeId: $e, month: \"2026-10-01\") { status totalHours entries { hours } } }";
    let sheet = app.ok(&app.token("artist@northwind.test"), q, json!({"e": artist})).await;
    assert_eq!(sheet["timesheet"]["totalHours"], 9.0);
    assert_eq!(sheet["timesheet"]["status"], "OPEN");
    assert_eq!(
        code(&app.gql(&app.token("wrangler@northwind.test"), q, json!({"e": artist})).await),
        "FORBIDDEN"
    );

    let approve = "mutation($e: ID!) { approveTimesheet(employeeId: $e, month: \"2026-10-01\") { status totalHours } }";
    assert_eq!(
        code(&app.gql(&app.token("artist@northwind.test"), approve, json!({"e": artist})).await),
        "FORBIDDEN"
    );
    assert_eq!(
        app.ok(&app.token("sup@northwind.test"), approve, json!({"e": artist})).await["approveTimesheet"]["status"],
        "APPROVED"
    );
    assert_eq!(
        code(&app.gql(&app.token("hr@northwind.test"), approve, json!({"e": artist})).await),
        "TRANSITION_NOT_ALLOWED"
    );
    // Hours for an approved month are refused by the database trigger, with a contract code.
    let err = add(60, "tl-3", day).await.unwrap_err();
    assert_eq!(err.code(), platform::ErrorCode::Conflict);

    let lock = app
        .ok(
            &app.token("hr@northwind.test"),
            "mutation { lockTimesheetMonth(month: \"2026-09-01\") { periodsLocked } }",
            json!({}),
        )
        .await;
    assert!(lock["lockTimesheetMonth"]["periodsLocked"].as_i64().unwrap() >= 50);
    let err = add(60, "tl-4", NaiveDate::from_ymd_opt(2026, 9, 3).unwrap()).await.unwrap_err();
    assert_eq!(err.code(), platform::ErrorCode::Conflict);
    assert_eq!(
        code(
            &app.gql(
                &app.token("sup@northwind.test"),
                "mutation { lockTimesheetMonth(month: \"2026-09-01\") { periodsLocked } }",
                json!({})
            )
            .await
        ),
        "FORBIDDEN"
    );
}
