//! Time logs: hours on a task by its assignee, at most 24 h a day per person (checked under a
//! per-person-per-day lock); `updateTimeLog` corrects the hours or note of one's own log (the day
//! stays). HR turns `production.timelog.created/updated` into timesheet entries, one per log, so
//! an update replaces the log's hours there.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
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

/// Input of `updateTimeLog`; omitted fields are unchanged.
#[derive(InputObject)]
pub struct UpdateTimeLogInput {
    /// Hours, more than 0, in steps of a minute (at most 24 h that day in all).
    pub hours: Option<f64>,
    /// Note; null clears it.
    pub note: MaybeUndefined<String>,
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

/// The payload of `production.timelog.*` (HR keeps one timesheet entry per `timeLogId`).
fn payload(r: &TimeLogRow) -> serde_json::Value {
    json!({"timeLogId": r.0, "taskId": r.1, "employeeId": r.2, "date": r.3, "minutes": r.4, "note": r.5})
}

fn minutes_of(hours: f64) -> Result<i32, AppError> {
    if !(hours > 0.0 && hours <= 24.0) {
        return Err(AppError::bad_input("hours must be more than 0 and at most 24"));
    }
    Ok((hours * 60.0).round() as i32)
}

/// Serializes one person's day and refuses more than 24 h on it, counting `minutes` instead of
/// the log `replacing` (an update).
async fn check_day(
    c: &mut platform::Conn,
    employee: Uuid,
    date: chrono::NaiveDate,
    minutes: i32,
    replacing: Option<Uuid>,
) -> Result<(), AppError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("timelog/{employee}/{date}"))
        .execute(c)
        .await?;
    let mut q = time_logs::table
        .filter(time_logs::employee_id.eq(employee).and(time_logs::work_date.eq(date)))
        .into_boxed();
    if let Some(id) = replacing {
        q = q.filter(time_logs::id.ne(id));
    }
    let logged: Option<i64> = q.select(diesel::dsl::sum(time_logs::minutes)).first(c).await?;
    let logged = logged.unwrap_or(0);
    if logged + i64::from(minutes) > 24 * 60 {
        return Err(
            AppError::bad_input(format!("{:.2} h already logged on {date}; a day has 24", logged as f64 / 60.0))
                .with_details(json!({"loggedHours": logged as f64 / 60.0, "requestedHours": f64::from(minutes) / 60.0})),
        );
    }
    Ok(())
}

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
        let minutes = minutes_of(input.hours)?;
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
                    check_day(c, employee, input.date.0, minutes, None).await?;
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
                    let payload = payload(&row);
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "timelog",
                            aggregate_id: row.0,
                            event: "created",
                            before: None,
                            after: Some(payload.clone()),
                            payload,
                        },
                    )
                    .await?;
                    idem.finish(c, row.0).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(to_object(row))
    }

    /// Corrects the hours or note of one of your time logs (the day stays; log a new one for
    /// another day); BAD_USER_INPUT beyond 24 h in the day. Emits `timelog.updated` with the
    /// previous minutes.
    #[graphql(guard = "ScopeGuard(\"production:write\")")]
    async fn update_time_log(&self, ctx: &Context<'_>, id: ID, input: UpdateTimeLogInput) -> Result<TimeLog, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let employee = p.employee_id.ok_or_else(|| AppError::bad_input("you have no employee record"))?;
        let minutes = input.hours.map(minutes_of).transpose()?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let before: TimeLogRow = time_logs::table
                        .find(id)
                        .for_update()
                        .select(COLUMNS)
                        .first(c)
                        .await
                        .optional()?
                        .ok_or_else(|| AppError::not_found("time log"))?;
                    if before.2 != employee {
                        return Err(AppError::forbidden("only the person who logged the time may change it"));
                    }
                    let minutes = minutes.unwrap_or(before.4);
                    if minutes != before.4 {
                        check_day(c, employee, before.3, minutes, Some(id)).await?;
                    }
                    let note = match input.note {
                        MaybeUndefined::Undefined => before.5.clone(),
                        MaybeUndefined::Null => None,
                        MaybeUndefined::Value(n) => Some(n),
                    };
                    let after: TimeLogRow = diesel::update(time_logs::table.find(id))
                        .set((
                            time_logs::minutes.eq(minutes),
                            time_logs::note.eq(&note),
                            time_logs::updated_at.eq(diesel::dsl::now),
                        ))
                        .returning(COLUMNS)
                        .get_result(c)
                        .await?;
                    let mut payload = payload(&after);
                    payload["previousMinutes"] = json!(before.4);
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "timelog",
                            aggregate_id: id,
                            event: "updated",
                            before: Some(self::payload(&before)),
                            after: Some(payload.clone()),
                            payload,
                        },
                    )
                    .await?;
                    Ok(after)
                }
                .scope_boxed()
            })
            .await?;
        Ok(to_object(row))
    }
}
