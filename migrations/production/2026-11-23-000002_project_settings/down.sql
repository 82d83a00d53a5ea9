ALTER TABLE time_logs DROP COLUMN updated_at;
ALTER TABLE projects
    DROP CONSTRAINT projects_supervisor_fkey,
    DROP COLUMN offboard_render_jobs,
    DROP COLUMN supervisor_id;
