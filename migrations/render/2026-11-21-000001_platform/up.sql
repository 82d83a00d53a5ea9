-- Roles, and the tables every subgraph database has: outbox, audit log, idempotency keys.
-- The application role owns nothing and has no BYPASSRLS; row-level security does the isolation.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'studiograph_render_app') THEN
        CREATE ROLE studiograph_render_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created concurrently by another migration run
END
$$;

GRANT USAGE ON SCHEMA public TO studiograph_render_app;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE outbox (
    id             uuid PRIMARY KEY,
    seq            bigserial NOT NULL UNIQUE,
    tenant_id      uuid NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id   uuid NOT NULL,
    event_type     text NOT NULL,
    routing_key    text NOT NULL,
    payload        jsonb NOT NULL,
    request_id     text,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_tenant_seq_idx ON outbox (tenant_id, seq);

CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    actor_user_id uuid,
    action        text NOT NULL,
    entity_type   text NOT NULL,
    entity_id     uuid,
    before        jsonb,
    after         jsonb,
    request_id    text,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity_idx ON audit_log (tenant_id, entity_type, entity_id);

CREATE TABLE idempotency_keys (
    tenant_id    uuid NOT NULL,
    operation    text NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    entity_id    uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, operation, key)
);

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The audit log is append-only for the application; the outbox is written by it and (later)
-- marked published by the relay's own role.
GRANT SELECT, INSERT ON outbox, audit_log TO studiograph_render_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO studiograph_render_app;
GRANT USAGE ON SEQUENCE outbox_seq_seq, audit_log_id_seq TO studiograph_render_app;
