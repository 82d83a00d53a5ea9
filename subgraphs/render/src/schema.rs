//! Diesel table definitions for `studiograph_render`.
#![allow(missing_docs)]

diesel::table! {
    employee_replica (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        display_name -> Text,
        status -> Text,
        updated_at -> Timestamptz,
        source_seq -> Int8,
    }
}

diesel::table! {
    project_replica (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        code -> Nullable<Text>,
        auto_render -> Bool,
        supervisor_id -> Nullable<Uuid>,
        offboard_render_jobs -> Text,
        source_seq -> Int8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    shot_replica (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        project_id -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    pools (id) {
        id -> Uuid,
        name -> Text,
        rate_minor_per_core_hour -> Int8,
        currency -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    pool_quotas (tenant_id, pool_id) {
        tenant_id -> Uuid,
        pool_id -> Uuid,
        max_cores -> Int4,
    }
}

diesel::table! {
    workers (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        pool_id -> Uuid,
        hostname -> Text,
        cores -> Int4,
        status -> Text,
        last_heartbeat_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        name -> Text,
        shot_id -> Nullable<Uuid>,
        task_id -> Nullable<Uuid>,
        submitted_by -> Nullable<Uuid>,
        submitted_by_user -> Nullable<Uuid>,
        pool_id -> Uuid,
        command -> Text,
        frame_start -> Int4,
        frame_end -> Int4,
        chunk_size -> Int4,
        priority -> Int4,
        max_attempts -> Int4,
        status -> Text,
        tasks_total -> Int4,
        tasks_done -> Int4,
        core_seconds -> Float8,
        cost_minor -> Int8,
        currency -> Text,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
        version_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    render_tasks (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        job_id -> Uuid,
        frame_start -> Int4,
        frame_end -> Int4,
        status -> Text,
        attempts -> Int4,
        worker_id -> Nullable<Uuid>,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    attempts (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        task_id -> Uuid,
        job_id -> Uuid,
        worker_id -> Uuid,
        number -> Int4,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        outcome -> Nullable<Text>,
        log_tail -> Nullable<Text>,
        core_seconds -> Float8,
    }
}

diesel::table! {
    worker_blocklist (job_id, worker_id) {
        job_id -> Uuid,
        worker_id -> Uuid,
        tenant_id -> Uuid,
        failures -> Int4,
    }
}

diesel::joinable!(render_tasks -> jobs (job_id));
diesel::joinable!(jobs -> pools (pool_id));
diesel::allow_tables_to_appear_in_same_query!(
    employee_replica,
    project_replica,
    shot_replica,
    pools,
    pool_quotas,
    workers,
    jobs,
    render_tasks,
    attempts,
    worker_blocklist
);
