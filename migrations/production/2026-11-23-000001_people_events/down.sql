DROP TABLE IF EXISTS leave_replica;
ALTER TABLE employee_replica DROP COLUMN IF EXISTS source_seq;
