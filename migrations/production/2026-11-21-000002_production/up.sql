-- Production tracking: projects, sequences, shots, assets, tasks with dependencies and a
-- per-project workflow, assignments, versions, notes and time logs; plus a local replica of HR's
-- employees (fed by HR events) so assignments are validated without a synchronous call.

CREATE TABLE employee_replica (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    display_name text NOT NULL,
    email        text,
    status       text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ON_LEAVE', 'OFFBOARDED')),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT employee_replica_tenant_id_key UNIQUE (tenant_id, id)
);

CREATE TABLE projects (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status      text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ON_HOLD', 'COMPLETED', 'ARCHIVED')),
    auto_render boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT projects_tenant_code_key UNIQUE (tenant_id, code),
    CONSTRAINT projects_tenant_id_key UNIQUE (tenant_id, id)
);
CREATE INDEX projects_list_idx ON projects (tenant_id, code, id);

CREATE TABLE sequences (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    project_id uuid NOT NULL,
    code       text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    name       text,
    CONSTRAINT sequences_project_code_key UNIQUE (tenant_id, project_id, code),
    CONSTRAINT sequences_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT sequences_project_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);

CREATE TABLE shots (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    project_id  uuid NOT NULL,
    sequence_id uuid,
    code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,64}$'),
    description text,
    frame_start integer NOT NULL,
    frame_end   integer NOT NULL,
    status      text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ON_HOLD', 'OMITTED', 'FINAL')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT shots_frames CHECK (frame_end >= frame_start),
    CONSTRAINT shots_project_code_key UNIQUE (tenant_id, project_id, code),
    CONSTRAINT shots_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT shots_project_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id),
    CONSTRAINT shots_sequence_fkey FOREIGN KEY (tenant_id, sequence_id) REFERENCES sequences (tenant_id, id)
);
CREATE INDEX shots_project_idx ON shots (tenant_id, project_id, code, id);

CREATE TABLE assets (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    project_id uuid NOT NULL,
    code       text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,64}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    type       text NOT NULL CHECK (type IN ('CHARACTER', 'PROP', 'ENVIRONMENT', 'VEHICLE', 'FX', 'OTHER')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assets_project_code_key UNIQUE (tenant_id, project_id, code),
    CONSTRAINT assets_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT assets_project_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE INDEX assets_project_idx ON assets (tenant_id, project_id, code, id);

CREATE TABLE tasks (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL,
    project_id     uuid NOT NULL,
    shot_id        uuid,
    asset_id       uuid,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    type           text NOT NULL CHECK (type IN ('MODELING', 'RIGGING', 'ANIMATION', 'LAYOUT', 'FX', 'LIGHTING', 'COMPOSITING', 'RENDERING', 'OTHER')),
    status         text NOT NULL CHECK (status IN ('WAITING', 'READY', 'IN_PROGRESS', 'PENDING_REVIEW', 'APPROVED', 'RETAKE', 'ON_HOLD')),
    assignee_id    uuid,
    due_date       date,
    estimate_hours double precision CHECK (estimate_hours >= 0 AND estimate_hours <= 10000),
    at_risk        boolean NOT NULL DEFAULT false,
    version_count  integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tasks_one_parent CHECK ((shot_id IS NULL) <> (asset_id IS NULL)),
    CONSTRAINT tasks_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT tasks_project_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id),
    CONSTRAINT tasks_shot_fkey FOREIGN KEY (tenant_id, shot_id) REFERENCES shots (tenant_id, id),
    CONSTRAINT tasks_asset_fkey FOREIGN KEY (tenant_id, asset_id) REFERENCES assets (tenant_id, id),
    CONSTRAINT tasks_assignee_fkey FOREIGN KEY (tenant_id, assignee_id) REFERENCES employee_replica (tenant_id, id)
);
CREATE INDEX tasks_project_idx ON tasks (tenant_id, project_id, created_at, id);
CREATE INDEX tasks_shot_idx ON tasks (tenant_id, shot_id) WHERE shot_id IS NOT NULL;
CREATE INDEX tasks_asset_idx ON tasks (tenant_id, asset_id) WHERE asset_id IS NOT NULL;
CREATE INDEX tasks_assignee_idx ON tasks (tenant_id, assignee_id, status);

CREATE TABLE task_dependencies (
    tenant_id     uuid NOT NULL,
    task_id       uuid NOT NULL,
    depends_on_id uuid NOT NULL,
    PRIMARY KEY (task_id, depends_on_id),
    CONSTRAINT task_dependencies_not_self CHECK (task_id <> depends_on_id),
    CONSTRAINT task_dependencies_task_fkey FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id),
    CONSTRAINT task_dependencies_upstream_fkey FOREIGN KEY (tenant_id, depends_on_id) REFERENCES tasks (tenant_id, id)
);
CREATE INDEX task_dependencies_upstream_idx ON task_dependencies (tenant_id, depends_on_id);

-- The workflow as data: which roles (or the assignee) may move a task of a project from one
-- status to another.
CREATE TABLE workflow_transitions (
    tenant_id        uuid NOT NULL,
    project_id       uuid NOT NULL,
    from_status      text NOT NULL,
    to_status        text NOT NULL,
    label            text NOT NULL,
    roles            text[] NOT NULL,
    assignee_allowed boolean NOT NULL DEFAULT false,
    PRIMARY KEY (project_id, from_status, to_status),
    CONSTRAINT workflow_transitions_project_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);

CREATE TABLE task_assignments (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL,
    task_id              uuid NOT NULL,
    employee_id          uuid,
    previous_employee_id uuid,
    assigned_by          uuid,
    note                 text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT task_assignments_task_fkey FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id)
);
CREATE INDEX task_assignments_task_idx ON task_assignments (tenant_id, task_id, created_at);

CREATE TABLE versions (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    task_id         uuid NOT NULL,
    number          integer NOT NULL CHECK (number > 0),
    path            text NOT NULL CHECK (length(path) BETWEEN 1 AND 1024),
    comment         text,
    status          text NOT NULL DEFAULT 'PENDING_REVIEW' CHECK (status IN ('PENDING_REVIEW', 'APPROVED', 'RETAKE')),
    created_by      uuid,
    created_by_user uuid,
    frame_start     integer,
    frame_end       integer,
    reviewed_by     uuid,
    reviewed_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT versions_task_number_key UNIQUE (task_id, number),
    CONSTRAINT versions_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT versions_frames CHECK (frame_start IS NULL OR frame_end IS NULL OR frame_end >= frame_start),
    CONSTRAINT versions_task_fkey FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id)
);
CREATE INDEX versions_task_idx ON versions (tenant_id, task_id, number);

CREATE TABLE notes (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    task_id         uuid NOT NULL,
    version_id      uuid,
    author_user     uuid,
    author_employee uuid,
    kind            text NOT NULL DEFAULT 'COMMENT' CHECK (kind IN ('COMMENT', 'REVIEW', 'SYSTEM')),
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notes_task_fkey FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id),
    CONSTRAINT notes_version_fkey FOREIGN KEY (tenant_id, version_id) REFERENCES versions (tenant_id, id)
);
CREATE INDEX notes_task_idx ON notes (tenant_id, task_id, created_at);

CREATE TABLE time_logs (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    task_id     uuid NOT NULL,
    employee_id uuid NOT NULL,
    work_date   date NOT NULL,
    minutes     integer NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    note        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT time_logs_task_fkey FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id),
    CONSTRAINT time_logs_employee_fkey FOREIGN KEY (tenant_id, employee_id) REFERENCES employee_replica (tenant_id, id)
);
CREATE INDEX time_logs_day_idx ON time_logs (tenant_id, employee_id, work_date);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['employee_replica','projects','sequences','shots','assets','tasks','task_dependencies',
                             'workflow_transitions','task_assignments','versions','notes','time_logs'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO studiograph_production_app', t);
    END LOOP;
END
$$;
