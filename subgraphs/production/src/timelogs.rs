//! Time logs: hours on a task by its assignee, at most 24 h a day per person (checked under a
//! per-person-per-day lock). HR turns `production.timelog.created` into timesheet entries.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use platform::auth::{ScopeGuard, principal};
use platform::idempotency::Idempotent;
use platform::journal::{self, Change};
use platform::scalars::{Date, parse_id, to_id};
use platform::{AppError, Db, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::SUBGRAPH;
use crate::objects::EmployeeRef;
use crate::schema::{tasks, time_logs};

/// Input of `logTime`.
#[derive(InputObject, Serialize)]
pub struct LogTimeInput {
    /// The task worked on (yours).
    pub task_id: ID,
    /// The day (not in the future).
    pub date: Date,
    /// Hours, more than 0, in steps of a minute.
    pub hours: f64,
    /// Note.
    pub note: Option<String>,
    /// Replays within 24 h return the first result.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// Hours logged on a task.
#[derive(SimpleObject)]
pub struct TimeLog {
    /// Id.
    pub id: ID,
    /// Task id.
    pub task_id: ID,
    /// Who worked.
    pub employee: EmployeeRef,
    /// The day.
    pub date: Date,
    /// Hours.
    pub hours: f64,
    /// Note.
    pub note: Option<String>,
}

type TimeLogRow = (Uuid, Uuid, Uuid, chrono::NaiveDate, i32, Option<String>);

fn to_object(r: TimeLogRow) -> TimeLog {
    TimeLog {
        id: to_id(r.0),
        task_id: to_id(r.1),
        employee: EmployeeRef(r.2),
        date: Date(r.3),
        hours: f64::from(r.4) / 60.0,
        note: r.5,
    }
}

const COLUMNS: (
    time_logs::id,
    time_logs::task_id,
    time_logs::employee_id,
    time_logs::work_date,
    time_logs::minutes,
    time_logs::note,
) = (
    time_logs::id,
    time_logs::task_id,
    time_logs::employee_id,
    time_logs::work_date,
    time_logs::minutes,
    time_logs::note,
);

/// Time log mutations.
#[derive(Default)]
pub struct TimeLogMutation;

#[Object]
impl TimeLogMutation {
    /// Logs hours on one of your tasks; BAD_USER_INPUT beyond 24 h in a day.
    #[graphql(guard = "ScopeGuard(\"production:write\")")]
    async fn log_time(&self, ctx: &Context<'_>, input: LogTimeInput) -> Result<TimeLog, AppError> {
        let p = principal(ctx)?.clone();
        let task_id = parse_id(&input.task_id)?;
        let employee = p.employee_id.ok_or_else(|| AppError::bad_input("you have no employee record"))?;
        if !(input.hours > 0.0 && input.hours <= 24.0) {
            return Err(AppError::bad_input("hours must be more than 0 and at most 24"));
        }
        let minutes = (input.hours * 60.0).round() as i32;
        if input.date.0 > Utc::now().date_naive() {
            return Err(AppError::bad_input("date cannot be in the future"));
        }
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) = Idempotent::begin(c, p.tenant_id, "logTime", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok(time_logs::table.find(id).select(COLUMNS).first::<TimeLogRow>(c).await?);
                    }
                    let assignee: Option<Option<Uuid>> = tasks::table.find(task_id).select(tasks::assignee_id).first(c).await.optional()?;
                    match assignee {
                        None => return Err(AppError::not_found("task")),
                        Some(a) if a != Some(employee) => return Err(AppError::forbidden("only the task's assignee may log time on it")),
                        Some(_) => {}
                    }
                    // One person's day is checked one request at a time.
                    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                        .bind::<Text, _>(format!("timelog/{employee}/{}", input.date.0))
                        .execute(c)
                        .await?;
                    let logged: Option<i64> = time_logs::table
                        .filter(time_logs::employee_id.eq(employee).and(time_logs::work_date.eq(input.date.0)))
                        .select(diesel::dsl::sum(time_logs::minutes))
                        .first(c)
                        .await?;
                    let logged = logged.unwrap_or(0);
                    if logged + i64::from(minutes) > 24 * 60 {
                        return Err(AppError::bad_input(format!("{:.2} h already logged on {}; a day has 24", logged as f64 / 60.0, input.date.0))
                            .with_details(json!({"loggedHours": logged as f64 / 60.0, "requestedHours": input.hours})));
                    }
                    let row: TimeLogRow = diesel::insert_into(time_logs::table)
                        .values((
                            time_logs::id.eq(Uuid::new_v4()),
                            time_logs::tenant_id.eq(p.tenant_id),
                            time_logs::task_id.eq(task_id),
                            time_logs::employee_id.eq(employee),
                            time_logs::work_date.eq(input.date.0),
                            time_logs::minutes.eq(minutes),
                            time_logs::note.eq(&input.note),
                        ))
                        .returning(COLUMNS)
                        .get_result(c)
                        .await?;
                    let payload = json!({"timeLogId": row.0, "taskId": task_id, "employeeId": employee, "date": row.3, "minutes": row.4, "note": row.5});
                    journal::record(c, SUBGRAPH, &p, Change { aggregate: "timelog", aggregate_id: row.0, event: "created", before: None, after: Some(payload.clone()), payload }).await?;
                    idem.finish(c, row.0).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(to_object(row))
    }
}
