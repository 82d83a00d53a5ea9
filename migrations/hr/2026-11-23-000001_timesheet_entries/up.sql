-- production.timelog.created/updated -> timesheet hours (issue 6). One entry per time log
-- (source 'production.timelog', source_ref = the time log id): an update replaces the entry's
-- minutes, and source_seq (the producer's outbox seq) lets an older event arriving late change
-- nothing.
ALTER TABLE timesheet_entries
    ADD COLUMN source_seq bigint NOT NULL DEFAULT 0,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Hours that arrived for an approved or locked month: payroll's figures stay as approved, the
-- change is kept here for HR to see (and to apply by hand), and the consumer does not fail (a
-- failing handler would retry and then dead-letter the event for nothing). One row per source
-- record, the latest wins.
CREATE TABLE timesheet_held_changes (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    employee_id uuid NOT NULL,
    work_date   date NOT NULL,
    minutes     integer NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    source      text NOT NULL,
    source_ref  text NOT NULL,
    source_seq  bigint NOT NULL DEFAULT 0,
    note        text,
    reason      text NOT NULL CHECK (reason IN ('PERIOD_APPROVED', 'PERIOD_LOCKED')),
    received_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT timesheet_held_changes_source_key UNIQUE (tenant_id, source, source_ref),
    CONSTRAINT timesheet_held_changes_employee_fkey FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id)
);
CREATE INDEX timesheet_held_changes_day_idx ON timesheet_held_changes (tenant_id, employee_id, work_date);

ALTER TABLE timesheet_held_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE timesheet_held_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON timesheet_held_changes
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON timesheet_held_changes TO studiograph_hr_app;
