-- Task sharing with vendor tenants (docs/adr/0006-vendor-sharing.md).
--
-- A studio shares chosen tasks with a vendor tenant; the vendor then reads exactly those tasks
-- and the context needed to work on them (the task's project, its shot or asset, its versions and
-- its non-system notes), and nothing else. Sharing is read-only: the new policies are FOR SELECT,
-- so every INSERT / UPDATE / DELETE (and SELECT ... FOR UPDATE) still passes only the
-- tenant_isolation policy of the row's own tenant.
--
-- How a policy finds the shares: STABLE helper functions return the ids the current tenant was
-- given as one array, and each policy compares `id = ANY ((SELECT helper()))`. The sub-select
-- makes the array an InitPlan, computed once per statement, not once per row; and an `id = ANY
-- (array)` arm is indexable (primary key), so the planner can still answer the studio's own
-- queries with its tenant-leading indexes (BitmapOr of the two arms) instead of a filter scan.
-- The helpers are SECURITY INVOKER: they read task_shares (whose policies do not look at any
-- other table) and tasks (whose vendor policy only reads task_shares), so there is no recursion
-- and nothing runs with more rights than the caller.

-- Which tenants are vendors. Production has no tenant registry (HR owns `tenants`); this is a
-- small replica: each tenant writes its own row (the demo seed today; an HR tenant event later),
-- and every tenant may read the rows of VENDOR tenants, so a studio can check whom it shares with.
CREATE TABLE tenant_replica (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    slug       text NOT NULL,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('STUDIO', 'VENDOR')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_replica_own_row CHECK (tenant_id = id)
);
ALTER TABLE tenant_replica ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_replica FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_replica
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY vendor_directory ON tenant_replica FOR SELECT TO studiograph_production_app
    USING (kind = 'VENDOR');
GRANT SELECT, INSERT, UPDATE ON tenant_replica TO studiograph_production_app;

CREATE TABLE task_shares (
    tenant_id        uuid NOT NULL,            -- the studio that owns the task
    task_id          uuid NOT NULL,
    vendor_tenant_id uuid NOT NULL,
    shared_by        uuid,                     -- the studio user who shared it
    shared_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, vendor_tenant_id),
    CONSTRAINT task_shares_not_self CHECK (vendor_tenant_id <> tenant_id),
    CONSTRAINT task_shares_task_fkey FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id) ON DELETE CASCADE
);
-- What the vendor policies look up: the shares made to one tenant.
CREATE INDEX task_shares_vendor_idx ON task_shares (vendor_tenant_id, task_id);

ALTER TABLE task_shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_shares FORCE ROW LEVEL SECURITY;
-- The studio sees, makes and withdraws its own shares.
CREATE POLICY tenant_isolation ON task_shares
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The vendor sees the shares made to it (read-only).
CREATE POLICY vendor_shares ON task_shares FOR SELECT TO studiograph_production_app
    USING (vendor_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON task_shares TO studiograph_production_app;

-- The tasks shared with the current tenant.
CREATE FUNCTION shared_task_ids() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(s.task_id), '{}')
    FROM task_shares s
    WHERE s.vendor_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
$$;

-- Their projects, shots and assets (the context a vendor needs).
CREATE FUNCTION shared_project_ids() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT t.project_id), '{}')
    FROM task_shares s JOIN tasks t ON t.tenant_id = s.tenant_id AND t.id = s.task_id
    WHERE s.vendor_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
$$;
CREATE FUNCTION shared_shot_ids() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT t.shot_id) FILTER (WHERE t.shot_id IS NOT NULL), '{}')
    FROM task_shares s JOIN tasks t ON t.tenant_id = s.tenant_id AND t.id = s.task_id
    WHERE s.vendor_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
$$;
CREATE FUNCTION shared_asset_ids() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT t.asset_id) FILTER (WHERE t.asset_id IS NOT NULL), '{}')
    FROM task_shares s JOIN tasks t ON t.tenant_id = s.tenant_id AND t.id = s.task_id
    WHERE s.vendor_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
$$;
REVOKE ALL ON FUNCTION shared_task_ids(), shared_project_ids(), shared_shot_ids(), shared_asset_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shared_task_ids(), shared_project_ids(), shared_shot_ids(), shared_asset_ids()
    TO studiograph_production_app;

-- Permissive, SELECT-only, for the application role: OR-ed with tenant_isolation for reads.
CREATE POLICY vendor_shared ON tasks FOR SELECT TO studiograph_production_app
    USING (id = ANY ((SELECT shared_task_ids())::uuid[]));
CREATE POLICY vendor_shared ON projects FOR SELECT TO studiograph_production_app
    USING (id = ANY ((SELECT shared_project_ids())::uuid[]));
CREATE POLICY vendor_shared ON shots FOR SELECT TO studiograph_production_app
    USING (id = ANY ((SELECT shared_shot_ids())::uuid[]));
CREATE POLICY vendor_shared ON assets FOR SELECT TO studiograph_production_app
    USING (id = ANY ((SELECT shared_asset_ids())::uuid[]));
CREATE POLICY vendor_shared ON versions FOR SELECT TO studiograph_production_app
    USING (task_id = ANY ((SELECT shared_task_ids())::uuid[]));
-- Comments and reviews, not SYSTEM notes (those speak of the studio's people: offboarding, leave).
CREATE POLICY vendor_shared ON notes FOR SELECT TO studiograph_production_app
    USING (kind <> 'SYSTEM' AND task_id = ANY ((SELECT shared_task_ids())::uuid[]));

-- The vendor arm looks notes up by task alone (notes_task_idx leads with the tenant; versions
-- have versions_task_number_key).
CREATE INDEX notes_task_id_idx ON notes (task_id);
