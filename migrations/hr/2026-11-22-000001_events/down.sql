DROP TABLE inbox;
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
DROP POLICY relay_all_tenants ON outbox;
REVOKE ALL ON outbox FROM studiograph_hr_relay;
REVOKE USAGE ON SCHEMA public FROM studiograph_hr_relay;
