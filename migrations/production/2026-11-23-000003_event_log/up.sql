-- The studio-wide event log behind the `events(after, types)` subscription (docs/adr/0004-events.md,
-- "Subscriptions"): every subgraph's events, appended by the `production.event-log` consumer.
--
-- `seq` is this database's order of commits: the appending transaction takes a transaction-level
-- advisory lock before it draws the next value and holds it until it commits, so a row with a
-- higher seq always commits after every lower one, and a reader that has seen seq N can never
-- later find a new row below N. The same transaction runs pg_notify('event_log', '<tenant>:<seq>'),
-- delivered at commit, which wakes the replicas' subscriptions.
CREATE TABLE event_log (
    seq            bigserial PRIMARY KEY,
    id             uuid NOT NULL UNIQUE,
    tenant_id      uuid NOT NULL,
    event_type     text NOT NULL,
    routing_key    text NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id   uuid NOT NULL,
    payload        jsonb NOT NULL,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_log_tenant_seq_idx ON event_log (tenant_id, seq);
CREATE INDEX event_log_recorded_at_idx ON event_log (recorded_at);

ALTER TABLE event_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_log
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON event_log TO studiograph_production_app;
GRANT USAGE ON SEQUENCE event_log_seq_seq TO studiograph_production_app;

-- The relay deletes rows past EVENTS_RETENTION_DAYS, as it does for the outbox and the inbox.
CREATE POLICY relay_all_tenants ON event_log TO studiograph_production_relay USING (true);
GRANT SELECT, DELETE ON event_log TO studiograph_production_relay;
