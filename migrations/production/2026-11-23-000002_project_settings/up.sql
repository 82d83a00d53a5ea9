-- Project settings the render farm acts on (issue 6): who supervises a project, and what becomes
-- of an offboarded person's unfinished render jobs. Carried in production.project.* events.
ALTER TABLE projects
    ADD COLUMN supervisor_id uuid,
    ADD COLUMN offboard_render_jobs text NOT NULL DEFAULT 'REASSIGN_TO_SUPERVISOR'
        CONSTRAINT projects_offboard_render_jobs CHECK (offboard_render_jobs IN ('REASSIGN_TO_SUPERVISOR', 'CANCEL')),
    ADD CONSTRAINT projects_supervisor_fkey FOREIGN KEY (tenant_id, supervisor_id) REFERENCES employee_replica (tenant_id, id);

-- updateTimeLog: when a time log last changed.
ALTER TABLE time_logs ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
