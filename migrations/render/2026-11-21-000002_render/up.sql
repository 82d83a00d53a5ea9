-- The render farm: pools shared across tenants (quota and rate card), workers, jobs split into
-- frame-chunk tasks, attempts, and per-job worker blocklists. Tenants see only their own jobs
-- (RLS); the scheduler, which must see every tenant sharing a pool, connects as its own role with
-- BYPASSRLS and is used only for claim / report / release / heartbeat / timeout sweeps.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'studiograph_render_scheduler') THEN
        CREATE ROLE studiograph_render_scheduler LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
GRANT USAGE ON SCHEMA public TO studiograph_render_scheduler;

CREATE TABLE employee_replica (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    display_name text NOT NULL,
    status       text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ON_LEAVE', 'OFFBOARDED')),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Pools are farm-wide (not tenant rows): everyone may read them.
CREATE TABLE pools (
    id                       uuid PRIMARY KEY,
    name                     text NOT NULL CONSTRAINT pools_name_key UNIQUE CHECK (name ~ '^[a-z0-9_-]{1,32}$'),
    rate_minor_per_core_hour bigint NOT NULL CHECK (rate_minor_per_core_hour >= 0),
    currency                 text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at               timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pool_quotas (
    tenant_id uuid NOT NULL,
    pool_id   uuid NOT NULL REFERENCES pools (id),
    max_cores integer NOT NULL CHECK (max_cores >= 0),
    PRIMARY KEY (tenant_id, pool_id)
);

-- Workers belong to the tenant that runs the farm (whose agents register them).
CREATE TABLE workers (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL,
    pool_id           uuid NOT NULL REFERENCES pools (id),
    hostname          text NOT NULL CHECK (length(hostname) BETWEEN 1 AND 255),
    cores             integer NOT NULL CHECK (cores BETWEEN 1 AND 4096),
    status            text NOT NULL DEFAULT 'IDLE' CHECK (status IN ('IDLE', 'BUSY', 'OFFLINE', 'DISABLED')),
    last_heartbeat_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workers_pool_hostname_key UNIQUE (pool_id, hostname)
);

CREATE TABLE jobs (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    shot_id           uuid,
    task_id           uuid,
    submitted_by      uuid,
    submitted_by_user uuid,
    pool_id           uuid NOT NULL REFERENCES pools (id),
    command           text NOT NULL CHECK (length(command) BETWEEN 1 AND 8192),
    frame_start       integer NOT NULL,
    frame_end         integer NOT NULL,
    chunk_size        integer NOT NULL CHECK (chunk_size BETWEEN 1 AND 100000),
    priority          integer NOT NULL DEFAULT 50 CHECK (priority BETWEEN 0 AND 100),
    max_attempts      integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 20),
    status            text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'PAUSED')),
    tasks_total       integer NOT NULL,
    tasks_done        integer NOT NULL DEFAULT 0,
    core_seconds      double precision NOT NULL DEFAULT 0,
    cost_minor        bigint NOT NULL DEFAULT 0,
    currency          text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_frames CHECK (frame_end >= frame_start),
    CONSTRAINT jobs_tenant_id_key UNIQUE (tenant_id, id)
);
CREATE INDEX jobs_list_idx ON jobs (tenant_id, created_at DESC, id);
CREATE INDEX jobs_shot_idx ON jobs (tenant_id, shot_id);
CREATE INDEX jobs_submitter_idx ON jobs (tenant_id, submitted_by);
CREATE INDEX jobs_active_idx ON jobs (pool_id, priority DESC, created_at) WHERE status IN ('QUEUED', 'RUNNING');

CREATE TABLE render_tasks (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    job_id      uuid NOT NULL,
    frame_start integer NOT NULL,
    frame_end   integer NOT NULL,
    status      text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    attempts    integer NOT NULL DEFAULT 0,
    worker_id   uuid REFERENCES workers (id),
    started_at  timestamptz,
    finished_at timestamptz,
    CONSTRAINT render_tasks_job_fkey FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id),
    CONSTRAINT render_tasks_running_has_worker CHECK (status <> 'RUNNING' OR worker_id IS NOT NULL)
);
CREATE INDEX render_tasks_job_idx ON render_tasks (job_id, frame_start);
CREATE INDEX render_tasks_queued_idx ON render_tasks (job_id, frame_start) WHERE status = 'QUEUED';
CREATE INDEX render_tasks_running_idx ON render_tasks (worker_id) WHERE status = 'RUNNING';

CREATE TABLE attempts (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    task_id      uuid NOT NULL REFERENCES render_tasks (id),
    job_id       uuid NOT NULL,
    worker_id    uuid NOT NULL REFERENCES workers (id),
    number       integer NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    outcome      text CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'LOST', 'RELEASED', 'CANCELLED')),
    log_tail     text,
    core_seconds double precision NOT NULL DEFAULT 0
);
CREATE INDEX attempts_task_idx ON attempts (task_id, number);

CREATE TABLE worker_blocklist (
    job_id    uuid NOT NULL,
    worker_id uuid NOT NULL REFERENCES workers (id),
    tenant_id uuid NOT NULL,
    failures  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, worker_id)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['employee_replica','pool_quotas','workers','jobs','render_tasks','attempts','worker_blocklist'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO studiograph_render_app', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO studiograph_render_scheduler', t);
    END LOOP;
END
$$;
ALTER TABLE pools ENABLE ROW LEVEL SECURITY;
ALTER TABLE pools FORCE ROW LEVEL SECURITY;
CREATE POLICY pools_readable ON pools FOR SELECT USING (true);
GRANT SELECT ON pools TO studiograph_render_app;
GRANT SELECT, INSERT, UPDATE ON pools TO studiograph_render_scheduler;
-- The scheduler writes outbox events and audit rows for every tenant.
GRANT SELECT, INSERT ON outbox, audit_log TO studiograph_render_scheduler;
GRANT USAGE ON SEQUENCE outbox_seq_seq, audit_log_id_seq TO studiograph_render_scheduler;
