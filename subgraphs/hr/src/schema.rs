//! Diesel table definitions for `studiograph_hr` (kept in step with migrations/hr by the
//! integration tests, which exercise every table).
#![allow(missing_docs)]

diesel::table! {
    tenants (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        kind -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    departments (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    employees (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        employee_number -> Text,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        title -> Nullable<Text>,
        department_id -> Nullable<Uuid>,
        manager_id -> Nullable<Uuid>,
        status -> Text,
        hire_date -> Date,
        end_date -> Nullable<Date>,
        offboard_reason -> Nullable<Text>,
        salary_minor -> Nullable<Int8>,
        salary_currency -> Nullable<Text>,
        phone -> Nullable<Text>,
        personal_email -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    employment_history (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        employee_id -> Uuid,
        effective_date -> Date,
        title -> Nullable<Text>,
        department_id -> Nullable<Uuid>,
        manager_id -> Nullable<Uuid>,
        salary_minor -> Nullable<Int8>,
        salary_currency -> Nullable<Text>,
        reason -> Nullable<Text>,
        changed_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        email -> Text,
        password_hash -> Nullable<Text>,
        roles -> Array<Text>,
        employee_id -> Nullable<Uuid>,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        token_sha256 -> Bytea,
        scopes -> Array<Text>,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    public_holidays (tenant_id, day) {
        tenant_id -> Uuid,
        day -> Date,
        name -> Text,
    }
}

diesel::table! {
    leave_allocations (tenant_id, employee_id, year, leave_type) {
        tenant_id -> Uuid,
        employee_id -> Uuid,
        year -> Int4,
        leave_type -> Text,
        days -> Int4,
    }
}

diesel::table! {
    leave_requests (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        employee_id -> Uuid,
        leave_type -> Text,
        start_date -> Date,
        end_date -> Date,
        days -> Int4,
        status -> Text,
        reason -> Nullable<Text>,
        requested_by -> Uuid,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        decision_comment -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    timesheet_periods (tenant_id, employee_id, month) {
        tenant_id -> Uuid,
        employee_id -> Uuid,
        month -> Date,
        status -> Text,
        approved_by -> Nullable<Uuid>,
        approved_at -> Nullable<Timestamptz>,
        locked_by -> Nullable<Uuid>,
        locked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    timesheet_entries (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        employee_id -> Uuid,
        work_date -> Date,
        minutes -> Int4,
        source -> Text,
        source_ref -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        source_seq -> Int8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    timesheet_held_changes (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        employee_id -> Uuid,
        work_date -> Date,
        minutes -> Int4,
        source -> Text,
        source_ref -> Text,
        source_seq -> Int8,
        note -> Nullable<Text>,
        reason -> Text,
        received_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    departments,
    employees,
    employment_history,
    users,
    api_tokens,
    public_holidays,
    leave_allocations,
    leave_requests,
    timesheet_periods,
    timesheet_entries,
    timesheet_held_changes
);
