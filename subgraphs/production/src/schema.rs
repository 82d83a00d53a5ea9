//! Diesel table definitions for `studiograph_production`.
#![allow(missing_docs)]

diesel::table! {
    employee_replica (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        display_name -> Text,
        email -> Nullable<Text>,
        status -> Text,
        updated_at -> Timestamptz,
        source_seq -> Nullable<Int8>,
    }
}

diesel::table! {
    projects (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        code -> Text,
        name -> Text,
        status -> Text,
        auto_render -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        supervisor_id -> Nullable<Uuid>,
        offboard_render_jobs -> Text,
    }
}

diesel::table! {
    sequences (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        project_id -> Uuid,
        code -> Text,
        name -> Nullable<Text>,
    }
}

diesel::table! {
    shots (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        project_id -> Uuid,
        sequence_id -> Nullable<Uuid>,
        code -> Text,
        description -> Nullable<Text>,
        frame_start -> Int4,
        frame_end -> Int4,
        status -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    assets (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        project_id -> Uuid,
        code -> Text,
        name -> Text,
        #[sql_name = "type"]
        asset_type -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    tasks (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        project_id -> Uuid,
        shot_id -> Nullable<Uuid>,
        asset_id -> Nullable<Uuid>,
        name -> Text,
        #[sql_name = "type"]
        task_type -> Text,
        status -> Text,
        assignee_id -> Nullable<Uuid>,
        due_date -> Nullable<Date>,
        estimate_hours -> Nullable<Float8>,
        at_risk -> Bool,
        version_count -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    task_dependencies (task_id, depends_on_id) {
        tenant_id -> Uuid,
        task_id -> Uuid,
        depends_on_id -> Uuid,
    }
}

diesel::table! {
    workflow_transitions (project_id, from_status, to_status) {
        tenant_id -> Uuid,
        project_id -> Uuid,
        from_status -> Text,
        to_status -> Text,
        label -> Text,
        roles -> Array<Text>,
        assignee_allowed -> Bool,
    }
}

diesel::table! {
    task_assignments (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        task_id -> Uuid,
        employee_id -> Nullable<Uuid>,
        previous_employee_id -> Nullable<Uuid>,
        assigned_by -> Nullable<Uuid>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    versions (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        task_id -> Uuid,
        number -> Int4,
        path -> Text,
        comment -> Nullable<Text>,
        status -> Text,
        created_by -> Nullable<Uuid>,
        created_by_user -> Nullable<Uuid>,
        frame_start -> Nullable<Int4>,
        frame_end -> Nullable<Int4>,
        reviewed_by -> Nullable<Uuid>,
        reviewed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    notes (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        task_id -> Uuid,
        version_id -> Nullable<Uuid>,
        author_user -> Nullable<Uuid>,
        author_employee -> Nullable<Uuid>,
        kind -> Text,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    time_logs (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        task_id -> Uuid,
        employee_id -> Uuid,
        work_date -> Date,
        minutes -> Int4,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    task_shares (task_id, vendor_tenant_id) {
        tenant_id -> Uuid,
        task_id -> Uuid,
        vendor_tenant_id -> Uuid,
        shared_by -> Nullable<Uuid>,
        shared_at -> Timestamptz,
    }
}

diesel::table! {
    tenant_replica (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        slug -> Text,
        name -> Text,
        kind -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    employee_replica,
    task_shares,
    tenant_replica,
    projects,
    sequences,
    shots,
    assets,
    tasks,
    task_dependencies,
    workflow_transitions,
    task_assignments,
    versions,
    notes,
    time_logs
);
