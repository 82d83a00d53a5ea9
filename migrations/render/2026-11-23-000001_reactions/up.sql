-- What render keeps from the other subgraphs' events (issue 6, docs/adr/0005-render-reactions.md):
-- the employee replica's ordering, project settings, the shot -> project map, and which
-- production version an auto-render job was submitted for.

-- The outbox `seq` of the HR event that last wrote a replica row: an older event arriving late
-- changes nothing (seeded rows start at 0).
ALTER TABLE employee_replica ADD COLUMN source_seq bigint NOT NULL DEFAULT 0;

-- Production's project settings (production.project.created/updated).
CREATE TABLE project_replica (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL,
    code                 text,
    auto_render          boolean NOT NULL DEFAULT false,
    supervisor_id        uuid,
    offboard_render_jobs text NOT NULL DEFAULT 'REASSIGN_TO_SUPERVISOR'
        CHECK (offboard_render_jobs IN ('REASSIGN_TO_SUPERVISOR', 'CANCEL')),
    source_seq           bigint NOT NULL DEFAULT 0,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Which project a shot belongs to (production.shot.created, and every version.published).
CREATE TABLE shot_replica (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    project_id uuid NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The production version an auto-render job renders: one job per version.
ALTER TABLE jobs ADD COLUMN version_id uuid;
CREATE UNIQUE INDEX jobs_version_key ON jobs (tenant_id, version_id) WHERE version_id IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['project_replica','shot_replica'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO studiograph_render_app', t);
        EXECUTE format('GRANT SELECT ON %I TO studiograph_render_scheduler', t);
    END LOOP;
END
$$;
