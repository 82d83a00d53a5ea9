//! Timesheets: hours per employee per day, a monthly approval by the manager or HR, and a payroll
//! lock. A database trigger refuses hours in an approved or locked month.
//!
//! Production's `timelog.created/updated` events feed them ([`apply_time_log`], consumer
//! `hr.timesheets`): one entry per time log, so an update replaces that log's hours and a day's
//! total is the sum of its entries. A change for a closed month is not applied: it is kept as a
//! *held change* (`Timesheet.heldChanges`) for HR, and the event counts as handled.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use platform::auth::{RoleGuard, ScopeGuard, principal};
use platform::journal::{self, Change};
use platform::scalars::{Date, parse_id, to_id};
use platform::{AppError, Conn, Db, ErrorCode, Principal, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

use crate::employees::{EmployeeRow, lock_employee};
use crate::schema::{employees, timesheet_entries, timesheet_held_changes, timesheet_periods};
use crate::{HR_ROLES, SUBGRAPH};

/// State of an employee's month.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TimesheetStatus {
    /// Hours may still arrive.
    Open,
    /// Approved by the manager or HR.
    Approved,
    /// Closed for payroll.
    Locked,
}

impl TimesheetStatus {
    fn parse(s: &str) -> Self {
        match s {
            "APPROVED" => Self::Approved,
            "LOCKED" => Self::Locked,
            _ => Self::Open,
        }
    }
}

/// Hours on one day from one source.
#[derive(SimpleObject, Clone, Debug)]
pub struct TimesheetEntry {
    /// Id.
    pub id: ID,
    /// Day worked.
    pub date: Date,
    /// Hours (decimal).
    pub hours: f64,
    /// Where it came from, e.g. `production.timelog`.
    pub source: String,
    /// Note.
    pub note: Option<String>,
}

/// Hours that arrived after the month was approved or locked: not counted, kept for HR.
#[derive(SimpleObject, Clone, Debug)]
pub struct TimesheetHeldChange {
    /// Id.
    pub id: ID,
    /// Day worked.
    pub date: Date,
    /// The hours the source now reports for its record (replacing its entry, if any).
    pub hours: f64,
    /// Where it came from, e.g. `production.timelog`.
    pub source: String,
    /// Note.
    pub note: Option<String>,
    /// `PERIOD_APPROVED` or `PERIOD_LOCKED`.
    pub reason: String,
    /// When it arrived.
    pub received_at: chrono::DateTime<Utc>,
}

/// One employee's month.
#[derive(SimpleObject, Clone, Debug)]
pub struct Timesheet {
    /// Employee id.
    pub employee_id: ID,
    /// First day of the month.
    pub month: Date,
    /// OPEN, APPROVED or LOCKED.
    pub status: TimesheetStatus,
    /// Entries by day.
    pub entries: Vec<TimesheetEntry>,
    /// Sum of hours.
    pub total_hours: f64,
    /// Changes that arrived after the month closed (not in `entries` nor `totalHours`).
    pub held_changes: Vec<TimesheetHeldChange>,
}

/// A new entry (from an event consumer).
pub struct NewEntry<'a> {
    /// Employee.
    pub employee_id: Uuid,
    /// Day worked.
    pub date: NaiveDate,
    /// Minutes.
    pub minutes: i32,
    /// Source system.
    pub source: &'a str,
    /// Id in the source (makes redelivery a no-op).
    pub source_ref: &'a str,
    /// Note.
    pub note: Option<&'a str>,
}

/// Records hours, idempotently on (source, source_ref); CONFLICT when the month is closed.
pub async fn record_entry(c: &mut Conn, tenant: Uuid, e: NewEntry<'_>) -> Result<bool, AppError> {
    let inserted = diesel::insert_into(timesheet_entries::table)
        .values((
            timesheet_entries::id.eq(Uuid::new_v4()),
            timesheet_entries::tenant_id.eq(tenant),
            timesheet_entries::employee_id.eq(e.employee_id),
            timesheet_entries::work_date.eq(e.date),
            timesheet_entries::minutes.eq(e.minutes),
            timesheet_entries::source.eq(e.source),
            timesheet_entries::source_ref.eq(e.source_ref),
            timesheet_entries::note.eq(e.note),
        ))
        .on_conflict((
            timesheet_entries::tenant_id,
            timesheet_entries::source,
            timesheet_entries::source_ref,
        ))
        .do_nothing()
        .execute(c)
        .await?;
    Ok(inserted == 1)
}

/// The source name of entries fed by production's time logs.
pub const TIMELOG_SOURCE: &str = "production.timelog";

/// One time log as production's `timelog.*` payload describes it.
#[derive(serde::Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct TimeLogChange {
    /// Production's time log id.
    pub time_log_id: Uuid,
    /// Who worked.
    pub employee_id: Uuid,
    /// The day.
    pub date: NaiveDate,
    /// Minutes (all of the log's, not a difference).
    pub minutes: i32,
    /// Note.
    pub note: Option<String>,
}

/// What [`apply_time_log`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeLogOutcome {
    /// The log's entry was created or replaced.
    Applied,
    /// The month is approved or locked: kept as a held change.
    Held,
    /// An older change than the one applied already: ignored.
    Stale,
    /// Not an employee of the tenant (or minutes out of range): ignored.
    Ignored,
}

/// Applies a time log's current state (as of the producer's outbox `seq`): creates or replaces
/// its entry, unless the month is closed (then a held change) or a newer state was applied.
pub async fn apply_time_log(c: &mut Conn, tenant: Uuid, seq: i64, log: &TimeLogChange) -> Result<TimeLogOutcome, AppError> {
    let source_ref = log.time_log_id.to_string();
    if !(1..=24 * 60).contains(&log.minutes) {
        return Ok(TimeLogOutcome::Ignored);
    }
    let known: Option<Uuid> = employees::table
        .find(log.employee_id)
        .select(employees::id)
        .first(c)
        .await
        .optional()?;
    if known.is_none() {
        return Ok(TimeLogOutcome::Ignored);
    }
    let current: Option<(Uuid, i64)> = timesheet_entries::table
        .filter(
            timesheet_entries::source
                .eq(TIMELOG_SOURCE)
                .and(timesheet_entries::source_ref.eq(&source_ref)),
        )
        .for_update()
        .select((timesheet_entries::id, timesheet_entries::source_seq))
        .first(c)
        .await
        .optional()?;
    if current.is_some_and(|(_, applied)| applied >= seq) {
        return Ok(TimeLogOutcome::Stale);
    }
    let month = month_start(log.date)?;
    let period: Option<String> = timesheet_periods::table
        .filter(
            timesheet_periods::employee_id
                .eq(log.employee_id)
                .and(timesheet_periods::month.eq(month)),
        )
        .select(timesheet_periods::status)
        .first(c)
        .await
        .optional()?;
    if let Some(status) = period.filter(|s| s != "OPEN") {
        return hold(c, tenant, seq, log, &source_ref, &status).await;
    }
    match current {
        Some((id, _)) => {
            diesel::update(timesheet_entries::table.find(id))
                .set((
                    timesheet_entries::minutes.eq(log.minutes),
                    timesheet_entries::note.eq(&log.note),
                    timesheet_entries::source_seq.eq(seq),
                    timesheet_entries::updated_at.eq(diesel::dsl::now),
                ))
                .execute(c)
                .await?;
        }
        None => {
            diesel::insert_into(timesheet_entries::table)
                .values((
                    timesheet_entries::id.eq(Uuid::new_v4()),
                    timesheet_entries::tenant_id.eq(tenant),
                    timesheet_entries::employee_id.eq(log.employee_id),
                    timesheet_entries::work_date.eq(log.date),
                    timesheet_entries::minutes.eq(log.minutes),
                    timesheet_entries::source.eq(TIMELOG_SOURCE),
                    timesheet_entries::source_ref.eq(&source_ref),
                    timesheet_entries::note.eq(&log.note),
                    timesheet_entries::source_seq.eq(seq),
                ))
                .execute(c)
                .await?;
        }
    }
    Ok(TimeLogOutcome::Applied)
}

async fn hold(
    c: &mut Conn,
    tenant: Uuid,
    seq: i64,
    log: &TimeLogChange,
    source_ref: &str,
    status: &str,
) -> Result<TimeLogOutcome, AppError> {
    let reason = if status == "LOCKED" { "PERIOD_LOCKED" } else { "PERIOD_APPROVED" };
    let upsert = diesel::insert_into(timesheet_held_changes::table)
        .values((
            timesheet_held_changes::id.eq(Uuid::new_v4()),
            timesheet_held_changes::tenant_id.eq(tenant),
            timesheet_held_changes::employee_id.eq(log.employee_id),
            timesheet_held_changes::work_date.eq(log.date),
            timesheet_held_changes::minutes.eq(log.minutes),
            timesheet_held_changes::source.eq(TIMELOG_SOURCE),
            timesheet_held_changes::source_ref.eq(source_ref),
            timesheet_held_changes::source_seq.eq(seq),
            timesheet_held_changes::note.eq(&log.note),
            timesheet_held_changes::reason.eq(reason),
        ))
        .on_conflict((
            timesheet_held_changes::tenant_id,
            timesheet_held_changes::source,
            timesheet_held_changes::source_ref,
        ))
        .do_update()
        .set((
            timesheet_held_changes::minutes.eq(excluded(timesheet_held_changes::minutes)),
            timesheet_held_changes::note.eq(excluded(timesheet_held_changes::note)),
            timesheet_held_changes::source_seq.eq(excluded(timesheet_held_changes::source_seq)),
            timesheet_held_changes::reason.eq(excluded(timesheet_held_changes::reason)),
            timesheet_held_changes::received_at.eq(diesel::dsl::now),
        ));
    // A newer held change is not overwritten by an older one.
    let n = diesel::query_dsl::methods::FilterDsl::filter(
        upsert,
        timesheet_held_changes::source_seq.lt(excluded(timesheet_held_changes::source_seq)),
    )
    .execute(c)
    .await?;
    Ok(if n == 1 { TimeLogOutcome::Held } else { TimeLogOutcome::Stale })
}

fn month_start(d: NaiveDate) -> Result<NaiveDate, AppError> {
    d.with_day(1).ok_or_else(|| AppError::bad_input("invalid month"))
}

/// (id, day, minutes, source, note, reason, received at) of a held change.
type HeldRow = (Uuid, NaiveDate, i32, String, Option<String>, String, chrono::DateTime<Utc>);

async fn load(c: &mut Conn, employee: Uuid, month: NaiveDate) -> Result<Timesheet, AppError> {
    let next = month
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| AppError::bad_input("month out of range"))?;
    let status: Option<String> = timesheet_periods::table
        .filter(timesheet_periods::employee_id.eq(employee).and(timesheet_periods::month.eq(month)))
        .select(timesheet_periods::status)
        .first(c)
        .await
        .optional()?;
    let rows: Vec<(Uuid, NaiveDate, i32, String, Option<String>)> = timesheet_entries::table
        .filter(timesheet_entries::employee_id.eq(employee))
        .filter(timesheet_entries::work_date.ge(month).and(timesheet_entries::work_date.lt(next)))
        .order((timesheet_entries::work_date.asc(), timesheet_entries::created_at.asc()))
        .select((
            timesheet_entries::id,
            timesheet_entries::work_date,
            timesheet_entries::minutes,
            timesheet_entries::source,
            timesheet_entries::note,
        ))
        .load(c)
        .await?;
    let total: i64 = rows.iter().map(|r| i64::from(r.2)).sum();
    let held: Vec<HeldRow> = timesheet_held_changes::table
        .filter(timesheet_held_changes::employee_id.eq(employee))
        .filter(
            timesheet_held_changes::work_date
                .ge(month)
                .and(timesheet_held_changes::work_date.lt(next)),
        )
        .order((timesheet_held_changes::work_date.asc(), timesheet_held_changes::received_at.asc()))
        .select((
            timesheet_held_changes::id,
            timesheet_held_changes::work_date,
            timesheet_held_changes::minutes,
            timesheet_held_changes::source,
            timesheet_held_changes::note,
            timesheet_held_changes::reason,
            timesheet_held_changes::received_at,
        ))
        .load(c)
        .await?;
    Ok(Timesheet {
        employee_id: to_id(employee),
        month: Date(month),
        status: status.as_deref().map_or(TimesheetStatus::Open, TimesheetStatus::parse),
        entries: rows
            .into_iter()
            .map(|(id, d, m, source, note)| TimesheetEntry {
                id: to_id(id),
                date: Date(d),
                hours: f64::from(m) / 60.0,
                source,
                note,
            })
            .collect(),
        total_hours: total as f64 / 60.0,
        held_changes: held
            .into_iter()
            .map(|(id, d, m, source, note, reason, received_at)| TimesheetHeldChange {
                id: to_id(id),
                date: Date(d),
                hours: f64::from(m) / 60.0,
                source,
                note,
                reason,
                received_at,
            })
            .collect(),
    })
}

fn may_review(p: &Principal, emp: &EmployeeRow) -> bool {
    p.has_any_role(HR_ROLES) || (p.employee_id.is_some() && emp.manager_id == p.employee_id)
}

/// Timesheet queries.
#[derive(Default)]
pub struct TimesheetQuery;

#[Object]
impl TimesheetQuery {
    /// An employee's month: the employee, their manager, or HR.
    #[graphql(guard = "ScopeGuard(\"hr:read\")")]
    async fn timesheet(&self, ctx: &Context<'_>, employee_id: ID, month: Date) -> Result<Timesheet, AppError> {
        let p = principal(ctx)?.clone();
        let employee = parse_id(&employee_id)?;
        let month = month_start(month.0)?;
        ctx.data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let emp: EmployeeRow = employees::table
                        .find(employee)
                        .select(EmployeeRow::as_select())
                        .first(c)
                        .await
                        .optional()?
                        .ok_or_else(|| AppError::not_found("employee"))?;
                    if !(p.is_employee(employee) || may_review(&p, &emp)) {
                        return Err(AppError::forbidden("timesheets are visible to the employee, their manager and HR"));
                    }
                    load(c, employee, month).await
                }
                .scope_boxed()
            })
            .await
    }
}

/// Result of `lockTimesheetMonth`.
#[derive(SimpleObject)]
pub struct TimesheetLock {
    /// The month locked.
    pub month: Date,
    /// How many employees' months are now locked.
    pub periods_locked: i32,
}

/// Timesheet mutations.
#[derive(Default)]
pub struct TimesheetMutation;

#[Object]
impl TimesheetMutation {
    /// Approves an employee's month (their manager or HR, never themself).
    #[graphql(guard = "ScopeGuard(\"hr:write\")")]
    async fn approve_timesheet(&self, ctx: &Context<'_>, employee_id: ID, month: Date) -> Result<Timesheet, AppError> {
        let p = principal(ctx)?.clone();
        let employee = parse_id(&employee_id)?;
        let month = month_start(month.0)?;
        if month > Utc::now().date_naive() {
            return Err(AppError::bad_input("cannot approve a future month"));
        }
        ctx.data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let emp = lock_employee(c, employee).await?;
                    if p.is_employee(employee) {
                        return Err(AppError::forbidden("you cannot approve your own timesheet"));
                    }
                    if !may_review(&p, &emp) {
                        return Err(AppError::forbidden("only the employee's manager or HR may approve"));
                    }
                    let current: Option<String> = timesheet_periods::table
                        .filter(timesheet_periods::employee_id.eq(employee).and(timesheet_periods::month.eq(month)))
                        .select(timesheet_periods::status)
                        .first(c)
                        .await
                        .optional()?;
                    if current.as_deref().is_some_and(|s| s != "OPEN") {
                        return Err(AppError::new(
                            ErrorCode::TransitionNotAllowed,
                            "timesheet is already approved or locked",
                        ));
                    }
                    diesel::insert_into(timesheet_periods::table)
                        .values((
                            timesheet_periods::tenant_id.eq(p.tenant_id),
                            timesheet_periods::employee_id.eq(employee),
                            timesheet_periods::month.eq(month),
                            timesheet_periods::status.eq("APPROVED"),
                            timesheet_periods::approved_by.eq(Some(p.user_id)),
                            timesheet_periods::approved_at.eq(Some(Utc::now())),
                        ))
                        .on_conflict((
                            timesheet_periods::tenant_id,
                            timesheet_periods::employee_id,
                            timesheet_periods::month,
                        ))
                        .do_update()
                        .set((
                            timesheet_periods::status.eq("APPROVED"),
                            timesheet_periods::approved_by.eq(Some(p.user_id)),
                            timesheet_periods::approved_at.eq(Some(Utc::now())),
                        ))
                        .execute(c)
                        .await?;
                    let sheet = load(c, employee, month).await?;
                    let payload = json!({"employeeId": employee, "month": month, "totalHours": sheet.total_hours});
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "timesheet",
                            aggregate_id: employee,
                            event: "approved",
                            before: None,
                            after: Some(payload.clone()),
                            payload,
                        },
                    )
                    .await?;
                    Ok(sheet)
                }
                .scope_boxed()
            })
            .await
    }

    /// Locks a month for payroll for every employee of the tenant (HR).
    #[graphql(guard = "RoleGuard(HR_ROLES).and(ScopeGuard(\"hr:write\"))")]
    async fn lock_timesheet_month(&self, ctx: &Context<'_>, month: Date) -> Result<TimesheetLock, AppError> {
        let p = principal(ctx)?.clone();
        let month = month_start(month.0)?;
        ctx.data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let ids: Vec<Uuid> = employees::table
                        .filter(employees::hire_date.lt(month.checked_add_months(chrono::Months::new(1)).unwrap_or(month)))
                        .select(employees::id)
                        .load(c)
                        .await?;
                    let rows: Vec<_> = ids
                        .iter()
                        .map(|id| {
                            (
                                timesheet_periods::tenant_id.eq(p.tenant_id),
                                timesheet_periods::employee_id.eq(*id),
                                timesheet_periods::month.eq(month),
                                timesheet_periods::status.eq("LOCKED"),
                                timesheet_periods::locked_by.eq(Some(p.user_id)),
                                timesheet_periods::locked_at.eq(Some(Utc::now())),
                            )
                        })
                        .collect();
                    let n = diesel::insert_into(timesheet_periods::table)
                        .values(rows)
                        .on_conflict((
                            timesheet_periods::tenant_id,
                            timesheet_periods::employee_id,
                            timesheet_periods::month,
                        ))
                        .do_update()
                        .set((
                            timesheet_periods::status.eq("LOCKED"),
                            timesheet_periods::locked_by.eq(Some(p.user_id)),
                            timesheet_periods::locked_at.eq(Some(Utc::now())),
                        ))
                        .execute(c)
                        .await?;
                    let payload = json!({"month": month, "periodsLocked": n});
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "timesheet_month",
                            aggregate_id: p.tenant_id,
                            event: "locked",
                            before: None,
                            after: Some(payload.clone()),
                            payload,
                        },
                    )
                    .await?;
                    Ok(TimesheetLock {
                        month: Date(month),
                        periods_locked: n as i32,
                    })
                }
                .scope_boxed()
            })
            .await
    }
}
