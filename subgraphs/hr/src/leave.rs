//! Leave: yearly allocations and balances, public holidays, and requests with a server-enforced
//! state machine: PENDING -> APPROVED | REJECTED, PENDING | APPROVED -> CANCELLED. The approver
//! is the employee's manager or HR, never the requester or the employee.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::{RoleGuard, ScopeGuard, principal};
use platform::idempotency::Idempotent;
use platform::journal::{self, Change};
use platform::pagination::{decode_cursor, encode_cursor, page, page_size};
use platform::scalars::{Date, parse_id, to_id};
use platform::{AppError, Conn, Db, ErrorCode, Principal, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::employees::{Employee, EmployeeRow, lock_employee};
use crate::loaders::Loaders;
use crate::schema::{employees, leave_allocations, leave_requests, public_holidays};
use crate::{HR_ROLES, SUBGRAPH};

/// Kinds of leave.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum LeaveType {
    /// Paid holiday; always counted against the yearly allocation.
    Vacation,
    /// Sickness.
    Sick,
    /// Unpaid.
    Unpaid,
    /// Anything else.
    Other,
}

impl LeaveType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Vacation => "VACATION",
            Self::Sick => "SICK",
            Self::Unpaid => "UNPAID",
            Self::Other => "OTHER",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "SICK" => Self::Sick,
            "UNPAID" => Self::Unpaid,
            "OTHER" => Self::Other,
            _ => Self::Vacation,
        }
    }
}

/// States of a leave request.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum LeaveStatus {
    /// Awaiting a decision.
    Pending,
    /// Approved by the manager or HR.
    Approved,
    /// Refused.
    Rejected,
    /// Withdrawn.
    Cancelled,
}

impl LeaveStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Cancelled => "CANCELLED",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "APPROVED" => Self::Approved,
            "REJECTED" => Self::Rejected,
            "CANCELLED" => Self::Cancelled,
            _ => Self::Pending,
        }
    }
}

/// A `leave_requests` row.
#[allow(missing_docs)] // columns mirror the table
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = leave_requests, check_for_backend(diesel::pg::Pg))]
pub struct LeaveRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub employee_id: Uuid,
    pub leave_type: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub days: i32,
    pub status: String,
    pub reason: Option<String>,
    pub requested_by: Uuid,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl LeaveRow {
    /// The payload of `hr.leave.*`: who is away when, and the request's state after the change
    /// (`updatedAt`; consumers order a request's events by the envelope's `seq`).
    fn payload(&self) -> serde_json::Value {
        json!({
            "leaveRequestId": self.id, "employeeId": self.employee_id, "type": self.leave_type,
            "startDate": self.start_date, "endDate": self.end_date, "days": self.days, "status": self.status,
            "updatedAt": self.updated_at,
        })
    }
}

/// A request for leave.
pub struct LeaveRequest(pub LeaveRow);

#[Object]
impl LeaveRequest {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn employee(&self, ctx: &Context<'_>) -> Result<Option<Employee>, AppError> {
        Ok(Loaders::of(ctx)?.employees.load_one(self.0.employee_id).await?.map(Employee))
    }
    #[graphql(name = "type")]
    async fn leave_type(&self) -> LeaveType {
        LeaveType::parse(&self.0.leave_type)
    }
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }
    async fn end_date(&self) -> Date {
        Date(self.0.end_date)
    }
    /// Working days taken (weekends and public holidays excluded).
    async fn days(&self) -> i32 {
        self.0.days
    }
    async fn status(&self) -> LeaveStatus {
        LeaveStatus::parse(&self.0.status)
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    async fn decision_comment(&self) -> Option<&str> {
        self.0.decision_comment.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether the viewer may approve or reject the request now (`decideLeave` would not refuse
    /// it): pending, not their own, and they are the employee's manager or HR.
    async fn viewer_can_decide(&self, ctx: &Context<'_>) -> Result<bool, AppError> {
        let p = principal(ctx)?;
        if self.0.status != "PENDING" || !p.has_scope("hr:write") {
            return Ok(false);
        }
        let Some(employee) = Loaders::of(ctx)?.employees.load_one(self.0.employee_id).await? else {
            return Ok(false);
        };
        Ok(may_decide(p, &self.0, &employee))
    }
    /// Whether the viewer may cancel the request now (`cancelLeave` would not refuse it):
    /// pending or approved, and they are the employee, the requester or HR.
    async fn viewer_can_cancel(&self, ctx: &Context<'_>) -> Result<bool, AppError> {
        let p = principal(ctx)?;
        Ok(matches!(self.0.status.as_str(), "PENDING" | "APPROVED") && p.has_scope("hr:write") && may_cancel(p, &self.0))
    }
}

/// The rule `decideLeave` applies (status aside): never one's own request, and only the
/// employee's manager or HR.
fn may_decide(who: &Principal, request: &LeaveRow, employee: &EmployeeRow) -> bool {
    !(who.is_employee(request.employee_id) || who.user_id == request.requested_by) && manages(who, employee)
}

/// The rule `cancelLeave` applies (status aside): the employee, the requester, or HR.
fn may_cancel(who: &Principal, request: &LeaveRow) -> bool {
    who.is_employee(request.employee_id) || who.user_id == request.requested_by || who.has_any_role(HR_ROLES)
}

/// Allocation and use of one leave type in one year.
#[derive(SimpleObject, Clone, Debug)]
pub struct LeaveBalance {
    /// Calendar year.
    pub year: i32,
    /// Leave type.
    #[graphql(name = "type")]
    pub leave_type: LeaveType,
    /// Days allocated.
    pub allocated: i32,
    /// Days approved or pending.
    pub used: i32,
    /// allocated - used.
    pub remaining: i32,
}

/// A public holiday of the tenant.
#[derive(SimpleObject, Clone, Debug)]
pub struct PublicHoliday {
    /// The day.
    pub date: Date,
    /// Its name.
    pub name: String,
}

/// Filters of `leaveRequests`.
#[derive(InputObject, Default)]
pub struct LeaveRequestFilter {
    /// One employee.
    pub employee_id: Option<ID>,
    /// Any of these statuses.
    pub status: Option<Vec<LeaveStatus>>,
    /// Requests ending on or after this day.
    pub from: Option<Date>,
    /// Requests starting on or before this day.
    pub to: Option<Date>,
}

/// Input of `requestLeave`.
#[derive(InputObject, Serialize)]
pub struct RequestLeaveInput {
    /// Kind of leave.
    #[graphql(name = "type")]
    pub leave_type: LeaveType,
    /// First day.
    pub start_date: Date,
    /// Last day (inclusive).
    pub end_date: Date,
    /// Why.
    pub reason: Option<String>,
    /// For someone else (HR only); default: yourself.
    pub employee_id: Option<ID>,
    /// Replays within 24 h return the first result.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// Input of `setLeaveAllocation`.
#[derive(InputObject)]
pub struct SetLeaveAllocationInput {
    /// Employee.
    pub employee_id: ID,
    /// Year.
    pub year: i32,
    /// Leave type.
    #[graphql(name = "type")]
    pub leave_type: LeaveType,
    /// Days allowed.
    pub days: i32,
}

/// Counts working days in `[start, end]`: not Saturday, not Sunday, not a public holiday.
pub fn working_days(start: NaiveDate, end: NaiveDate, holidays: &[NaiveDate]) -> i32 {
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(d))
        .count() as i32
}

async fn holidays_between(c: &mut Conn, start: NaiveDate, end: NaiveDate) -> Result<Vec<NaiveDate>, AppError> {
    Ok(public_holidays::table
        .filter(public_holidays::day.between(start, end))
        .select(public_holidays::day)
        .load(c)
        .await?)
}

/// Allocation, used and remaining days of `leave_type` for an employee in `year`.
pub async fn balance(c: &mut Conn, employee: Uuid, year: i32, leave_type: LeaveType) -> Result<Option<LeaveBalance>, AppError> {
    let allocated: Option<i32> = leave_allocations::table
        .filter(leave_allocations::employee_id.eq(employee))
        .filter(leave_allocations::year.eq(year))
        .filter(leave_allocations::leave_type.eq(leave_type.as_str()))
        .select(leave_allocations::days)
        .first(c)
        .await
        .optional()?;
    // Vacation is always tracked (no allocation means zero days); other types only when allocated.
    let allocated = match (allocated, leave_type) {
        (Some(a), _) => a,
        (None, LeaveType::Vacation) => 0,
        (None, _) => return Ok(None),
    };
    let (from, to) = year_bounds(year)?;
    let used: Option<i64> = leave_requests::table
        .filter(leave_requests::employee_id.eq(employee))
        .filter(leave_requests::leave_type.eq(leave_type.as_str()))
        .filter(leave_requests::status.eq_any(["PENDING", "APPROVED"]))
        .filter(leave_requests::start_date.between(from, to))
        .select(diesel::dsl::sum(leave_requests::days))
        .first(c)
        .await?;
    let used = used.unwrap_or(0) as i32;
    Ok(Some(LeaveBalance {
        year,
        leave_type,
        allocated,
        used,
        remaining: allocated - used,
    }))
}

fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), AppError> {
    let bad = || AppError::bad_input("year out of range");
    Ok((
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?,
        NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?,
    ))
}

/// Whether `who` may see or decide on leave of `employee`: HR, or the employee's manager.
fn manages(who: &Principal, employee: &EmployeeRow) -> bool {
    who.has_any_role(HR_ROLES) || (who.employee_id.is_some() && employee.manager_id == who.employee_id)
}

pub(crate) async fn balances_for(ctx: &Context<'_>, employee: &EmployeeRow, year: Option<i32>) -> Result<Vec<LeaveBalance>, AppError> {
    let p = principal(ctx)?;
    if !(p.is_employee(employee.id) || manages(p, employee)) {
        return Err(AppError::forbidden(
            "leave balances are visible to the employee, their manager and HR",
        ));
    }
    let year = year.unwrap_or_else(|| Utc::now().year());
    let id = employee.id;
    ctx.data_unchecked::<Db>()
        .tx(p.tenant_id, |c| {
            async move {
                let mut out = Vec::new();
                for t in [LeaveType::Vacation, LeaveType::Sick, LeaveType::Unpaid, LeaveType::Other] {
                    if let Some(b) = balance(c, id, year, t).await? {
                        out.push(b);
                    }
                }
                Ok(out)
            }
            .scope_boxed()
        })
        .await
}

/// The leave request connection type.
pub type LeaveRequestConnection = Connection<String, LeaveRequest, LeaveRequestConnectionFields>;

/// What a viewer may list, after filters: HR sees all; others their own and their reports'.
#[derive(Clone)]
pub struct LeaveScope {
    viewer_employee: Option<Uuid>,
    employee: Option<Uuid>,
    statuses: Option<Vec<&'static str>>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl LeaveScope {
    fn parse(p: &Principal, filter: Option<LeaveRequestFilter>) -> Result<Self, AppError> {
        let f = filter.unwrap_or_default();
        Ok(Self {
            viewer_employee: if p.has_any_role(HR_ROLES) {
                None
            } else {
                Some(p.employee_id.unwrap_or(Uuid::nil()))
            },
            employee: f.employee_id.as_ref().map(parse_id).transpose()?,
            statuses: f.status.map(|s| s.into_iter().map(LeaveStatus::as_str).collect()),
            from: f.from.map(|d| d.0),
            to: f.to.map(|d| d.0),
        })
    }

    fn query(&self) -> leave_requests::BoxedQuery<'static, diesel::pg::Pg> {
        let mut q = leave_requests::table.into_boxed();
        if let Some(me) = self.viewer_employee {
            let reports = employees::table.filter(employees::manager_id.eq(me)).select(employees::id);
            q = q.filter(leave_requests::employee_id.eq(me).or(leave_requests::employee_id.eq_any(reports)));
        }
        if let Some(e) = self.employee {
            q = q.filter(leave_requests::employee_id.eq(e));
        }
        if let Some(s) = &self.statuses {
            q = q.filter(leave_requests::status.eq_any(s.clone()));
        }
        if let Some(d) = self.from {
            q = q.filter(leave_requests::end_date.ge(d));
        }
        if let Some(d) = self.to {
            q = q.filter(leave_requests::start_date.le(d));
        }
        q
    }
}

/// `totalCount` of the leave connection, counted only when asked for.
pub struct LeaveRequestConnectionFields {
    scope: LeaveScope,
}

#[Object]
impl LeaveRequestConnectionFields {
    /// Requests matching the filter (and visible to the viewer), across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64, AppError> {
        let p = principal(ctx)?;
        let scope = self.scope.clone();
        ctx.data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move { Ok(scope.query().count().get_result(c).await?) }.scope_boxed()
            })
            .await
    }
}

/// Leave queries.
#[derive(Default)]
pub struct LeaveQuery;

#[Object]
impl LeaveQuery {
    /// Leave requests, newest start first. HR sees all; others their own and their reports'.
    #[graphql(guard = "ScopeGuard(\"hr:read\")")]
    async fn leave_requests(
        &self,
        ctx: &Context<'_>,
        filter: Option<LeaveRequestFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<LeaveRequestConnection, AppError> {
        let p = principal(ctx)?.clone();
        let limit = page_size(first)?;
        let parsed = LeaveScope::parse(&p, filter)?;
        let cursor: Option<(NaiveDate, Uuid)> = after.as_deref().map(decode_cursor).transpose()?;
        let scope = parsed.clone();
        let rows: Vec<LeaveRow> = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let mut q = scope.query();
                    if let Some((start, id)) = cursor {
                        q = q.filter(
                            leave_requests::start_date
                                .lt(start)
                                .or(leave_requests::start_date.eq(start).and(leave_requests::id.gt(id))),
                        );
                    }
                    Ok(q.order((leave_requests::start_date.desc(), leave_requests::id.asc()))
                        .limit(limit + 1)
                        .select(LeaveRow::as_select())
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(page(
            rows,
            limit,
            after.is_some(),
            LeaveRequestConnectionFields { scope: parsed },
            |r| encode_cursor(&(r.start_date, r.id)),
            LeaveRequest,
        ))
    }

    /// One leave request (subject to the same visibility as the list).
    #[graphql(guard = "ScopeGuard(\"hr:read\")")]
    async fn leave_request(&self, ctx: &Context<'_>, id: ID) -> Result<Option<LeaveRequest>, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let found = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let Some(row) = leave_requests::table
                        .find(id)
                        .select(LeaveRow::as_select())
                        .first(c)
                        .await
                        .optional()?
                    else {
                        return Ok(None);
                    };
                    let emp: EmployeeRow = employees::table
                        .find(row.employee_id)
                        .select(EmployeeRow::as_select())
                        .first(c)
                        .await?;
                    Ok((p.is_employee(emp.id) || manages(&p, &emp)).then_some(row))
                }
                .scope_boxed()
            })
            .await?;
        Ok(found.map(LeaveRequest))
    }

    /// The tenant's public holidays in a year.
    #[graphql(guard = "ScopeGuard(\"hr:read\")")]
    async fn public_holidays(&self, ctx: &Context<'_>, year: i32) -> Result<Vec<PublicHoliday>, AppError> {
        let p = principal(ctx)?;
        let (from, to) = year_bounds(year)?;
        let rows: Vec<(NaiveDate, String)> = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    Ok(public_holidays::table
                        .filter(public_holidays::day.between(from, to))
                        .order(public_holidays::day.asc())
                        .select((public_holidays::day, public_holidays::name))
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(rows.into_iter().map(|(d, name)| PublicHoliday { date: Date(d), name }).collect())
    }
}

/// Leave mutations.
#[derive(Default)]
pub struct LeaveMutation;

async fn load_leave_for_update(c: &mut Conn, id: Uuid) -> Result<LeaveRow, AppError> {
    leave_requests::table
        .find(id)
        .for_update()
        .select(LeaveRow::as_select())
        .first(c)
        .await
        .optional()?
        .ok_or_else(|| AppError::not_found("leave request"))
}

async fn set_status(
    c: &mut Conn,
    p: &Principal,
    before: &LeaveRow,
    status: LeaveStatus,
    comment: Option<&str>,
    event: &str,
) -> Result<LeaveRow, AppError> {
    let after: LeaveRow = diesel::update(leave_requests::table.find(before.id))
        .set((
            leave_requests::status.eq(status.as_str()),
            leave_requests::decided_by.eq(Some(p.user_id)),
            leave_requests::decided_at.eq(Some(Utc::now())),
            leave_requests::decision_comment.eq(comment),
            leave_requests::updated_at.eq(diesel::dsl::now),
        ))
        .returning(LeaveRow::as_returning())
        .get_result(c)
        .await?;
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "leave",
            aggregate_id: after.id,
            event,
            before: Some(json!(before)),
            after: Some(json!(after)),
            payload: after.payload(),
        },
    )
    .await?;
    Ok(after)
}

#[Object]
impl LeaveMutation {
    /// Requests leave for yourself (or, as HR, for someone). Refused with CONFLICT when it
    /// overlaps a pending or approved request, QUOTA_EXCEEDED when over the balance.
    #[graphql(guard = "ScopeGuard(\"hr:write\")")]
    async fn request_leave(&self, ctx: &Context<'_>, input: RequestLeaveInput) -> Result<LeaveRequest, AppError> {
        let p = principal(ctx)?.clone();
        let employee_id = match &input.employee_id {
            Some(id) => parse_id(id)?,
            None => p
                .employee_id
                .ok_or_else(|| AppError::bad_input("you have no employee record; pass employeeId"))?,
        };
        if !p.is_employee(employee_id) {
            p.require_any_role(HR_ROLES)?;
        }
        let (start, end) = (input.start_date.0, input.end_date.0);
        if end < start {
            return Err(AppError::bad_input("endDate is before startDate"));
        }
        if start.year() != end.year() {
            return Err(AppError::bad_input("a request cannot span two calendar years; split it"));
        }
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let key = input.idempotency_key.as_deref();
                    let (idem, replayed) = Idempotent::begin(c, p.tenant_id, "requestLeave", key, &(&input, employee_id)).await?;
                    if let Some(id) = replayed {
                        return Ok(leave_requests::table.find(id).select(LeaveRow::as_select()).first(c).await?);
                    }
                    // Lock the employee: concurrent requests for one person are checked one at a time.
                    let emp = lock_employee(c, employee_id).await?;
                    if emp.status == "OFFBOARDED" {
                        return Err(AppError::conflict("employee is offboarded"));
                    }
                    let overlapping: Option<LeaveRow> = leave_requests::table
                        .filter(leave_requests::employee_id.eq(employee_id))
                        .filter(leave_requests::status.eq_any(["PENDING", "APPROVED"]))
                        .filter(leave_requests::start_date.le(end))
                        .filter(leave_requests::end_date.ge(start))
                        .select(LeaveRow::as_select())
                        .first(c)
                        .await
                        .optional()?;
                    if let Some(o) = overlapping {
                        return Err(AppError::conflict(format!(
                            "overlaps leave request {} ({} to {}, {})",
                            o.id, o.start_date, o.end_date, o.status
                        ))
                        .with_details(json!({"leaveRequestId": o.id, "startDate": o.start_date, "endDate": o.end_date})));
                    }
                    let holidays = holidays_between(c, start, end).await?;
                    let days = working_days(start, end, &holidays);
                    if days == 0 {
                        return Err(AppError::bad_input("the period has no working days"));
                    }
                    if let Some(b) = balance(c, employee_id, start.year(), input.leave_type).await?
                        && days > b.remaining
                    {
                        return Err(AppError::new(
                            ErrorCode::QuotaExceeded,
                            format!("{days} days requested but only {} of {} remain", b.remaining.max(0), b.allocated),
                        )
                        .with_details(json!({"requested": days, "allocated": b.allocated, "used": b.used, "remaining": b.remaining})));
                    }
                    let row: LeaveRow = diesel::insert_into(leave_requests::table)
                        .values((
                            leave_requests::id.eq(Uuid::new_v4()),
                            leave_requests::tenant_id.eq(p.tenant_id),
                            leave_requests::employee_id.eq(employee_id),
                            leave_requests::leave_type.eq(input.leave_type.as_str()),
                            leave_requests::start_date.eq(start),
                            leave_requests::end_date.eq(end),
                            leave_requests::days.eq(days),
                            leave_requests::reason.eq(&input.reason),
                            leave_requests::requested_by.eq(p.user_id),
                        ))
                        .returning(LeaveRow::as_returning())
                        .get_result(c)
                        .await?;
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "leave",
                            aggregate_id: row.id,
                            event: "requested",
                            before: None,
                            after: Some(json!(row)),
                            payload: row.payload(),
                        },
                    )
                    .await?;
                    idem.finish(c, row.id).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(LeaveRequest(row))
    }

    /// Approves or rejects a pending request: the employee's manager or HR, never the requester
    /// or the employee.
    #[graphql(guard = "ScopeGuard(\"hr:write\")")]
    async fn decide_leave(&self, ctx: &Context<'_>, id: ID, approve: bool, comment: Option<String>) -> Result<LeaveRequest, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let before = load_leave_for_update(c, id).await?;
                    let emp: EmployeeRow = employees::table
                        .find(before.employee_id)
                        .select(EmployeeRow::as_select())
                        .first(c)
                        .await?;
                    if p.is_employee(before.employee_id) || p.user_id == before.requested_by {
                        return Err(AppError::forbidden("you cannot decide on your own leave request"));
                    }
                    if !may_decide(&p, &before, &emp) {
                        return Err(AppError::forbidden("only the employee's manager or HR may decide"));
                    }
                    if before.status != "PENDING" {
                        return Err(AppError::new(
                            ErrorCode::TransitionNotAllowed,
                            format!("leave request is {}, not PENDING", before.status),
                        ));
                    }
                    let (status, event) = if approve {
                        (LeaveStatus::Approved, "approved")
                    } else {
                        (LeaveStatus::Rejected, "rejected")
                    };
                    set_status(c, &p, &before, status, comment.as_deref(), event).await
                }
                .scope_boxed()
            })
            .await?;
        Ok(LeaveRequest(row))
    }

    /// Cancels a pending or approved request: the employee, the requester, or HR.
    #[graphql(guard = "ScopeGuard(\"hr:write\")")]
    async fn cancel_leave(&self, ctx: &Context<'_>, id: ID, comment: Option<String>) -> Result<LeaveRequest, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let before = load_leave_for_update(c, id).await?;
                    if !may_cancel(&p, &before) {
                        return Err(AppError::forbidden("only the employee, the requester or HR may cancel"));
                    }
                    if !matches!(before.status.as_str(), "PENDING" | "APPROVED") {
                        return Err(AppError::new(
                            ErrorCode::TransitionNotAllowed,
                            format!("leave request is {}; only PENDING or APPROVED can be cancelled", before.status),
                        ));
                    }
                    set_status(c, &p, &before, LeaveStatus::Cancelled, comment.as_deref(), "cancelled").await
                }
                .scope_boxed()
            })
            .await?;
        Ok(LeaveRequest(row))
    }

    /// Sets an employee's allocation of a leave type for a year (HR).
    #[graphql(guard = "RoleGuard(HR_ROLES).and(ScopeGuard(\"hr:write\"))")]
    async fn set_leave_allocation(&self, ctx: &Context<'_>, input: SetLeaveAllocationInput) -> Result<LeaveBalance, AppError> {
        let p = principal(ctx)?.clone();
        let employee = parse_id(&input.employee_id)?;
        if !(0..=366).contains(&input.days) {
            return Err(AppError::bad_input("days must be between 0 and 366"));
        }
        year_bounds(input.year)?;
        ctx.data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    lock_employee(c, employee).await?;
                    diesel::insert_into(leave_allocations::table)
                        .values((
                            leave_allocations::tenant_id.eq(p.tenant_id),
                            leave_allocations::employee_id.eq(employee),
                            leave_allocations::year.eq(input.year),
                            leave_allocations::leave_type.eq(input.leave_type.as_str()),
                            leave_allocations::days.eq(input.days),
                        ))
                        .on_conflict((
                            leave_allocations::tenant_id,
                            leave_allocations::employee_id,
                            leave_allocations::year,
                            leave_allocations::leave_type,
                        ))
                        .do_update()
                        .set(leave_allocations::days.eq(input.days))
                        .execute(c)
                        .await?;
                    let payload =
                        json!({"employeeId": employee, "year": input.year, "type": input.leave_type.as_str(), "days": input.days});
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "leave_allocation",
                            aggregate_id: employee,
                            event: "set",
                            before: None,
                            after: Some(payload.clone()),
                            payload,
                        },
                    )
                    .await?;
                    balance(c, employee, input.year, input.leave_type)
                        .await?
                        .ok_or_else(|| AppError::internal("allocation vanished", &employee))
                }
                .scope_boxed()
            })
            .await
    }

    /// Adds (or renames) a public holiday (HR).
    #[graphql(guard = "RoleGuard(HR_ROLES).and(ScopeGuard(\"hr:write\"))")]
    async fn add_public_holiday(&self, ctx: &Context<'_>, date: Date, name: String) -> Result<PublicHoliday, AppError> {
        let p = principal(ctx)?.clone();
        let name = name.trim().to_owned();
        if name.is_empty() || name.len() > 200 {
            return Err(AppError::bad_input("name must be 1 to 200 characters"));
        }
        ctx.data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    diesel::insert_into(public_holidays::table)
                        .values((
                            public_holidays::tenant_id.eq(p.tenant_id),
                            public_holidays::day.eq(date.0),
                            public_holidays::name.eq(&name),
                        ))
                        .on_conflict((public_holidays::tenant_id, public_holidays::day))
                        .do_update()
                        .set(public_holidays::name.eq(&name))
                        .execute(c)
                        .await?;
                    let payload = json!({"date": date.0, "name": name});
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "public_holiday",
                            aggregate_id: p.tenant_id,
                            event: "added",
                            before: None,
                            after: Some(payload.clone()),
                            payload,
                        },
                    )
                    .await?;
                    Ok(PublicHoliday { date, name })
                }
                .scope_boxed()
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        // Mon 2026-12-21 .. Sun 2026-12-27 with Christmas (Fri) a holiday: 4 days.
        assert_eq!(working_days(d("2026-12-21"), d("2026-12-27"), &[d("2026-12-25")]), 4);
        assert_eq!(working_days(d("2026-11-21"), d("2026-11-22"), &[]), 0);
    }
}
