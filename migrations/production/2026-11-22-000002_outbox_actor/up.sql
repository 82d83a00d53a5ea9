-- The user whose request wrote the event (NULL for the system, e.g. the render scheduler), so a
-- consumer's audit row can say who caused its change.
ALTER TABLE outbox ADD COLUMN actor_user_id uuid;
