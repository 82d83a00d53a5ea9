DROP INDEX jobs_version_key;
ALTER TABLE jobs DROP COLUMN version_id;
DROP TABLE shot_replica;
DROP TABLE project_replica;
ALTER TABLE employee_replica DROP COLUMN source_seq;
