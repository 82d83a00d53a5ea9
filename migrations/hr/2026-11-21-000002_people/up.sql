-- People: tenants, users and API tokens, departments, employees with employment history,
-- leave, public holidays, timesheets. Every tenant table has FORCE ROW LEVEL SECURITY.

CREATE TABLE tenants (
    id         uuid PRIMARY KEY,
    slug       text NOT NULL CONSTRAINT tenants_slug_key UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('STUDIO', 'VENDOR')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE departments (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT departments_tenant_name_key UNIQUE (tenant_id, name),
    CONSTRAINT departments_tenant_id_key UNIQUE (tenant_id, id)
);

CREATE TABLE employees (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    employee_number text NOT NULL CHECK (length(employee_number) BETWEEN 1 AND 40),
    first_name      text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name       text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    email           text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    title           text,
    department_id   uuid,
    manager_id      uuid,
    status          text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ON_LEAVE', 'OFFBOARDED')),
    hire_date       date NOT NULL,
    end_date        date,
    offboard_reason text,
    salary_minor    bigint CHECK (salary_minor >= 0),
    salary_currency text CHECK (salary_currency ~ '^[A-Z]{3}$'),
    phone           text,
    personal_email  text,
    birth_date      date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT employees_tenant_number_key UNIQUE (tenant_id, employee_number),
    CONSTRAINT employees_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT employees_department_fkey FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id),
    CONSTRAINT employees_manager_fkey FOREIGN KEY (tenant_id, manager_id) REFERENCES employees (tenant_id, id),
    CONSTRAINT employees_not_own_manager CHECK (manager_id IS NULL OR manager_id <> id),
    CONSTRAINT employees_salary_currency CHECK ((salary_minor IS NULL) = (salary_currency IS NULL))
);
CREATE UNIQUE INDEX employees_tenant_email_key ON employees (tenant_id, lower(email));
CREATE INDEX employees_sort_idx ON employees (tenant_id, last_name, first_name, id);
CREATE INDEX employees_manager_idx ON employees (tenant_id, manager_id);

CREATE TABLE employment_history (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    employee_id     uuid NOT NULL,
    effective_date  date NOT NULL,
    title           text,
    department_id   uuid,
    manager_id      uuid,
    salary_minor    bigint,
    salary_currency text,
    reason          text,
    changed_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT employment_history_employee_fkey FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX employment_history_employee_idx ON employment_history (tenant_id, employee_id, effective_date);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    email         text NOT NULL,
    password_hash text,
    roles         text[] NOT NULL CHECK (roles <@ ARRAY['ADMIN','HR_MANAGER','SUPERVISOR','ARTIST','RENDER_WRANGLER','VENDOR']),
    employee_id   uuid,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_employee_fkey FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id)
);
-- Login names are global (one sign-in form for every tenant).
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_employee_key ON users (employee_id) WHERE employee_id IS NOT NULL;

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    user_id      uuid NOT NULL REFERENCES users (id),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_sha256 bytea NOT NULL CONSTRAINT api_tokens_hash_key UNIQUE,
    scopes       text[] NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_user_idx ON api_tokens (tenant_id, user_id);

CREATE TABLE public_holidays (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    PRIMARY KEY (tenant_id, day)
);

CREATE TABLE leave_allocations (
    tenant_id   uuid NOT NULL,
    employee_id uuid NOT NULL,
    year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    leave_type  text NOT NULL CHECK (leave_type IN ('VACATION', 'SICK', 'UNPAID', 'OTHER')),
    days        integer NOT NULL CHECK (days BETWEEN 0 AND 366),
    PRIMARY KEY (tenant_id, employee_id, year, leave_type),
    CONSTRAINT leave_allocations_employee_fkey FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id)
);

CREATE TABLE leave_requests (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    employee_id      uuid NOT NULL,
    leave_type       text NOT NULL CHECK (leave_type IN ('VACATION', 'SICK', 'UNPAID', 'OTHER')),
    start_date       date NOT NULL,
    end_date         date NOT NULL,
    days             integer NOT NULL CHECK (days > 0),
    status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')),
    reason           text,
    requested_by     uuid NOT NULL,
    decided_by       uuid,
    decided_at       timestamptz,
    decision_comment text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT leave_requests_dates CHECK (end_date >= start_date),
    CONSTRAINT leave_requests_employee_fkey FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id),
    CONSTRAINT leave_requests_no_overlap EXCLUDE USING gist (
        tenant_id WITH =, employee_id WITH =, daterange(start_date, end_date, '[]') WITH &&
    ) WHERE (status IN ('PENDING', 'APPROVED'))
);
CREATE INDEX leave_requests_list_idx ON leave_requests (tenant_id, start_date DESC, id);

CREATE TABLE timesheet_periods (
    tenant_id   uuid NOT NULL,
    employee_id uuid NOT NULL,
    month       date NOT NULL CHECK (extract(day FROM month) = 1),
    status      text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'APPROVED', 'LOCKED')),
    approved_by uuid,
    approved_at timestamptz,
    locked_by   uuid,
    locked_at   timestamptz,
    PRIMARY KEY (tenant_id, employee_id, month),
    CONSTRAINT timesheet_periods_employee_fkey FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id)
);

CREATE TABLE timesheet_entries (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    employee_id uuid NOT NULL,
    work_date   date NOT NULL,
    minutes     integer NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    source      text NOT NULL,
    source_ref  text NOT NULL,
    note        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT timesheet_entries_source_key UNIQUE (tenant_id, source, source_ref),
    CONSTRAINT timesheet_entries_employee_fkey FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX timesheet_entries_day_idx ON timesheet_entries (tenant_id, employee_id, work_date);

-- Hours may not land in an approved or locked month.
CREATE FUNCTION timesheet_entries_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM timesheet_periods p
        WHERE p.tenant_id = NEW.tenant_id AND p.employee_id = NEW.employee_id
          AND p.month = date_trunc('month', NEW.work_date)::date AND p.status <> 'OPEN'
    ) THEN
        RAISE EXCEPTION 'timesheet period % is closed', date_trunc('month', NEW.work_date)::date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'timesheet_period_closed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER timesheet_entries_period_open BEFORE INSERT OR UPDATE ON timesheet_entries
    FOR EACH ROW EXECUTE FUNCTION timesheet_entries_period_open();

-- Row-level security: one policy per tenant table, reading the transaction's app.tenant_id.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['departments','employees','employment_history','users','api_tokens',
                             'public_holidays','leave_allocations','leave_requests',
                             'timesheet_periods','timesheet_entries'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO studiograph_hr_app', t);
    END LOOP;
END
$$;
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON tenants TO studiograph_hr_app;

-- Authentication lookups must work before a tenant is known. These two functions run as the
-- owner (security definer), return only what sign-in needs, and are the application role's only
-- way across tenants.
CREATE FUNCTION auth_find_user(p_email text)
RETURNS TABLE (user_id uuid, tenant_id uuid, employee_id uuid, password_hash text, roles text[], active boolean, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.tenant_id, u.employee_id, u.password_hash, u.roles, u.active, u.email
    FROM users u WHERE lower(u.email) = lower(p_email)
$$;

CREATE FUNCTION auth_use_api_token(p_hash bytea)
RETURNS TABLE (token_id uuid, user_id uuid, tenant_id uuid, employee_id uuid, roles text[], scopes text[], email text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE api_tokens t SET last_used_at = now()
    FROM users u
    WHERE t.token_sha256 = p_hash AND u.id = t.user_id AND u.active
      AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
    RETURNING t.id, u.id, u.tenant_id, u.employee_id, u.roles, t.scopes, u.email
$$;
REVOKE ALL ON FUNCTION auth_find_user(text), auth_use_api_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_find_user(text), auth_use_api_token(bytea) TO studiograph_hr_app;
