-- HR's employee and leave events in production (issue 6, flows 1-3).
--
-- employee_replica.source_seq: the HR outbox `seq` of the last event applied to the row. HR writes
-- an employee's events under that employee's row lock, so their seqs follow the order of the
-- changes; an event with a lower seq than the stored one is an older state arriving late and is
-- ignored. NULL for rows not (yet) fed by an event (the demo seed).
ALTER TABLE employee_replica ADD COLUMN source_seq bigint;

-- The leave requests of HR as production needs them: who is away when. Only APPROVED rows count
-- (tasks at risk, ASSIGNEE_UNAVAILABLE); the other statuses are kept so that a late, older event
-- (an `approved` after its `cancelled`) cannot resurrect a leave.
CREATE TABLE leave_replica (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    employee_id uuid NOT NULL,
    leave_type  text NOT NULL,
    start_date  date NOT NULL,
    end_date    date NOT NULL,
    status      text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')),
    source_seq  bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT leave_replica_dates CHECK (end_date >= start_date)
);
CREATE INDEX leave_replica_approved_idx ON leave_replica (tenant_id, employee_id, start_date) WHERE status = 'APPROVED';

ALTER TABLE leave_replica ENABLE ROW LEVEL SECURITY;
ALTER TABLE leave_replica FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON leave_replica
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON leave_replica TO studiograph_production_app;
