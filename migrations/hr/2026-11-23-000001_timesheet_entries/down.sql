DROP TABLE timesheet_held_changes;
ALTER TABLE timesheet_entries DROP COLUMN updated_at, DROP COLUMN source_seq;
