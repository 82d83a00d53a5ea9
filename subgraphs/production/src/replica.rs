//! Local replicas of HR's employees (id, tenant, name, status) and of their leave, used to
//! validate assignments and flag tasks at risk without a synchronous call. HR's `employee.*` and
//! `leave.*` events keep them current ([`crate::people_sync`]); the demo seed fills the employees.
//!
//! Ordering: each replicated row remembers the HR outbox `seq` of the last event applied to it.
//! HR writes an employee's (or a leave request's) events under that row's lock, so their seqs
//! follow the order of the changes; an event whose seq is not above the stored one is an older
//! state arriving late (several relay replicas, a redelivery) and changes nothing.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use platform::{AppError, Conn};
use serde::Serialize;
use uuid::Uuid;

use crate::schema::employee_replica;

/// Diesel tables of this module (migration `2026-11-23-000001_people_events`).
#[allow(missing_docs)]
pub mod tables {
    diesel::table! {
        /// HR's leave requests.
        leave_replica (id) {
            id -> Uuid,
            tenant_id -> Uuid,
            employee_id -> Uuid,
            leave_type -> Text,
            start_date -> Date,
            end_date -> Date,
            status -> Text,
            source_seq -> Int8,
            updated_at -> Timestamptz,
        }
    }
}

pub use tables::leave_replica;

/// One replicated employee.
#[derive(Clone, Debug)]
pub struct ReplicaEmployee {
    /// Employee id (HR's).
    pub id: Uuid,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Work email.
    pub email: Option<String>,
    /// ACTIVE, ON_LEAVE or OFFBOARDED.
    pub status: String,
}

/// Inserts or updates replicated employees (the seed; events go through [`apply_employee`]).
pub async fn upsert(c: &mut Conn, people: &[ReplicaEmployee]) -> Result<usize, AppError> {
    let rows: Vec<_> = people
        .iter()
        .map(|e| {
            (
                employee_replica::id.eq(e.id),
                employee_replica::tenant_id.eq(e.tenant_id),
                employee_replica::display_name.eq(&e.display_name),
                employee_replica::email.eq(&e.email),
                employee_replica::status.eq(&e.status),
            )
        })
        .collect();
    Ok(diesel::insert_into(employee_replica::table)
        .values(rows)
        .on_conflict(employee_replica::id)
        .do_update()
        .set((
            employee_replica::display_name.eq(excluded(employee_replica::display_name)),
            employee_replica::email.eq(excluded(employee_replica::email)),
            employee_replica::status.eq(excluded(employee_replica::status)),
            employee_replica::updated_at.eq(diesel::dsl::now),
        ))
        .execute(c)
        .await?)
}

/// Applies the state of an employee carried by the HR event at `seq`, unless an event at or after
/// `seq` was applied already. Returns whether the row changed.
pub async fn apply_employee(c: &mut Conn, e: &ReplicaEmployee, seq: i64) -> Result<bool, AppError> {
    let upsert = diesel::insert_into(employee_replica::table)
        .values((
            employee_replica::id.eq(e.id),
            employee_replica::tenant_id.eq(e.tenant_id),
            employee_replica::display_name.eq(&e.display_name),
            employee_replica::email.eq(&e.email),
            employee_replica::status.eq(&e.status),
            employee_replica::source_seq.eq(Some(seq)),
        ))
        .on_conflict(employee_replica::id)
        .do_update()
        .set((
            employee_replica::display_name.eq(excluded(employee_replica::display_name)),
            employee_replica::email.eq(excluded(employee_replica::email)),
            employee_replica::status.eq(excluded(employee_replica::status)),
            employee_replica::source_seq.eq(excluded(employee_replica::source_seq)),
            employee_replica::updated_at.eq(diesel::dsl::now),
        ));
    let newer = employee_replica::source_seq.is_null().or(employee_replica::source_seq.lt(seq));
    let n = diesel::query_dsl::methods::FilterDsl::filter(upsert, newer).execute(c).await?;
    Ok(n == 1)
}

/// An employee's replicated status and display name, if known.
pub async fn employee(c: &mut Conn, id: Uuid) -> Result<Option<(String, String)>, AppError> {
    Ok(employee_replica::table
        .find(id)
        .select((employee_replica::status, employee_replica::display_name))
        .first(c)
        .await
        .optional()?)
}

/// One replicated leave request.
#[derive(Clone, Debug)]
pub struct ReplicaLeave {
    /// HR's leave request id.
    pub id: Uuid,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Who is away.
    pub employee_id: Uuid,
    /// VACATION, SICK, UNPAID or OTHER.
    pub leave_type: String,
    /// First day away.
    pub start_date: NaiveDate,
    /// Last day away (inclusive).
    pub end_date: NaiveDate,
    /// PENDING, APPROVED, REJECTED or CANCELLED.
    pub status: String,
}

/// Applies the state of a leave request carried by the HR event at `seq`, unless an event at or
/// after `seq` was applied already. Returns whether the row changed.
pub async fn apply_leave(c: &mut Conn, l: &ReplicaLeave, seq: i64) -> Result<bool, AppError> {
    let upsert = diesel::insert_into(leave_replica::table)
        .values((
            leave_replica::id.eq(l.id),
            leave_replica::tenant_id.eq(l.tenant_id),
            leave_replica::employee_id.eq(l.employee_id),
            leave_replica::leave_type.eq(&l.leave_type),
            leave_replica::start_date.eq(l.start_date),
            leave_replica::end_date.eq(l.end_date),
            leave_replica::status.eq(&l.status),
            leave_replica::source_seq.eq(seq),
        ))
        .on_conflict(leave_replica::id)
        .do_update()
        .set((
            leave_replica::leave_type.eq(excluded(leave_replica::leave_type)),
            leave_replica::start_date.eq(excluded(leave_replica::start_date)),
            leave_replica::end_date.eq(excluded(leave_replica::end_date)),
            leave_replica::status.eq(excluded(leave_replica::status)),
            leave_replica::source_seq.eq(excluded(leave_replica::source_seq)),
            leave_replica::updated_at.eq(diesel::dsl::now),
        ));
    let n = diesel::query_dsl::methods::FilterDsl::filter(upsert, leave_replica::source_seq.lt(seq))
        .execute(c)
        .await?;
    Ok(n == 1)
}

/// A period of approved leave (inclusive dates), as reported in `extensions.details.conflicts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Absence {
    /// First day away.
    pub start: NaiveDate,
    /// Last day away.
    pub end: NaiveDate,
}

impl Absence {
    /// Whether it shares a day with `from..=to`.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.start <= to && self.end >= from
    }
}

/// An employee's approved leave, earliest first.
pub async fn approved_leave(c: &mut Conn, employee: Uuid) -> Result<Vec<Absence>, AppError> {
    let rows: Vec<(NaiveDate, NaiveDate)> = leave_replica::table
        .filter(leave_replica::employee_id.eq(employee))
        .filter(leave_replica::status.eq("APPROVED"))
        .order((leave_replica::start_date, leave_replica::end_date))
        .select((leave_replica::start_date, leave_replica::end_date))
        .load(c)
        .await?;
    Ok(rows.into_iter().map(|(start, end)| Absence { start, end }).collect())
}

/// Hours of work in a planned day.
const HOURS_PER_DAY: f64 = 8.0;

/// The days a task's work is planned on: tasks carry a due date and an estimate but no start, so
/// the work is taken to fill the calendar days just before the due date (8 h a day, at least the
/// due date itself). None without a due date: such a task is never at risk.
pub fn work_window(due: Option<NaiveDate>, estimate_hours: Option<f64>) -> Option<(NaiveDate, NaiveDate)> {
    let due = due?;
    let days = estimate_hours
        .filter(|h| h.is_finite() && *h > 0.0)
        .map_or(1, |h| (h / HOURS_PER_DAY).ceil().max(1.0) as u64);
    let start = due.checked_sub_days(Days::new(days - 1)).unwrap_or(due);
    Some((start, due))
}

/// The absences that overlap a task's work window ([`work_window`]): the task is at risk when
/// this is not empty.
pub fn conflicts(absences: &[Absence], due: Option<NaiveDate>, estimate_hours: Option<f64>) -> Vec<Absence> {
    let Some((from, to)) = work_window(due, estimate_hours) else {
        return Vec::new();
    };
    absences.iter().copied().filter(|a| a.overlaps(from, to)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn the_window_ends_on_the_due_date_and_spans_the_estimate() {
        assert_eq!(work_window(None, Some(16.0)), None);
        assert_eq!(work_window(Some(d("2027-03-10")), None), Some((d("2027-03-10"), d("2027-03-10"))));
        assert_eq!(
            work_window(Some(d("2027-03-10")), Some(8.0)),
            Some((d("2027-03-10"), d("2027-03-10")))
        );
        assert_eq!(
            work_window(Some(d("2027-03-10")), Some(20.0)),
            Some((d("2027-03-08"), d("2027-03-10")))
        );
        assert_eq!(
            work_window(Some(d("2027-03-10")), Some(f64::NAN)),
            Some((d("2027-03-10"), d("2027-03-10")))
        );
    }

    #[test]
    fn conflicts_are_the_absences_sharing_a_day_with_the_window() {
        let leave = [
            Absence {
                start: d("2027-03-01"),
                end: d("2027-03-07"),
            },
            Absence {
                start: d("2027-03-09"),
                end: d("2027-03-09"),
            },
            Absence {
                start: d("2027-03-11"),
                end: d("2027-03-20"),
            },
        ];
        assert_eq!(conflicts(&leave, Some(d("2027-03-10")), Some(24.0)), vec![leave[1]]);
        assert_eq!(conflicts(&leave, Some(d("2027-03-10")), Some(8.0)), vec![]);
        assert_eq!(conflicts(&leave, Some(d("2027-03-08")), Some(16.0)), vec![leave[0]]);
        assert!(conflicts(&leave, None, Some(100.0)).is_empty());
    }
}
