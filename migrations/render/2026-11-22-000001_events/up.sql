-- Events plumbing (docs/adr/0004-events.md): the relay's role, the NOTIFY that wakes it, and the
-- consumers' inbox.
--
-- The relay claims every tenant's unpublished outbox rows, so it cannot be the application role
-- (row-level security shows it one tenant at a time). It connects as its own role, which owns
-- nothing, has no BYPASSRLS, and is let through RLS by a policy on the outbox alone: it may read
-- the outbox, set published_at, and delete rows past the retention period; nothing else.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'studiograph_render_relay') THEN
        CREATE ROLE studiograph_render_relay LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created concurrently by another migration run
END
$$;

GRANT USAGE ON SCHEMA public TO studiograph_render_relay;
GRANT SELECT, DELETE ON outbox TO studiograph_render_relay;
GRANT UPDATE (published_at) ON outbox TO studiograph_render_relay;
CREATE POLICY relay_all_tenants ON outbox TO studiograph_render_relay USING (true) WITH CHECK (true);

-- One notification per inserting statement; PostgreSQL folds identical notifications of a
-- transaction into one and delivers them at commit, so the relay wakes once per transaction.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Message ids a consumer queue has handled, written in the handling transaction (which runs as
-- the event's tenant): a redelivered or duplicated message finds its id and is acknowledged without
-- running the handler again. Keyed by queue as well, because two queues of this database (two
-- purposes) may each receive the same event and must each handle it once. Tenant-scoped like every
-- table (the key is unique across tenants all the same, RLS does not hide conflicts).
CREATE TABLE inbox (
    queue       text NOT NULL,
    message_id  uuid NOT NULL,
    tenant_id   uuid NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (queue, message_id)
);
ALTER TABLE inbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inbox
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY relay_all_tenants ON inbox TO studiograph_render_relay USING (true);
CREATE INDEX inbox_received_at_idx ON inbox (received_at);
GRANT SELECT, INSERT ON inbox TO studiograph_render_app;
-- The scheduler (BYPASSRLS) may also consume events.
GRANT SELECT, INSERT ON inbox TO studiograph_render_scheduler;
-- The relay also trims the inbox past the retention period.
GRANT SELECT, DELETE ON inbox TO studiograph_render_relay;
