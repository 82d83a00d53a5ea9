ALTER TABLE outbox DROP COLUMN actor_user_id;
