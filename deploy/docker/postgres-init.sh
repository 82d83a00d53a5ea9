#!/bin/bash
# PostgreSQL init script of docker-compose.yml (/docker-entrypoint-initdb.d, first start of an
# empty data volume only): per subgraph one database owned by its owner role (which runs
# `<svc> migrate`), the application role (LOGIN, NOBYPASSRLS, owns nothing; the migrations grant
# it table rights), the outbox relay role (LOGIN, NOBYPASSRLS, owns nothing; the events migration
# grants it the outbox through its own RLS policy and finds it here, so its `IF NOT EXISTS` keeps
# it and its password), and for render the scheduler role (BYPASSRLS: pools are shared by
# tenants). Only the owner and the service's own roles may connect to a database.
set -euo pipefail

for var in HR_OWNER_DB_PASSWORD HR_APP_DB_PASSWORD HR_RELAY_DB_PASSWORD \
  PRODUCTION_OWNER_DB_PASSWORD PRODUCTION_APP_DB_PASSWORD PRODUCTION_RELAY_DB_PASSWORD \
  RENDER_OWNER_DB_PASSWORD RENDER_APP_DB_PASSWORD RENDER_RELAY_DB_PASSWORD RENDER_SCHEDULER_DB_PASSWORD; do
  if [ -z "${!var:-}" ]; then echo "postgres-init: $var is not set" >&2; exit 1; fi
done

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v hr_owner="$HR_OWNER_DB_PASSWORD" -v hr_app="$HR_APP_DB_PASSWORD" -v hr_relay="$HR_RELAY_DB_PASSWORD" \
  -v production_owner="$PRODUCTION_OWNER_DB_PASSWORD" -v production_app="$PRODUCTION_APP_DB_PASSWORD" \
  -v production_relay="$PRODUCTION_RELAY_DB_PASSWORD" \
  -v render_owner="$RENDER_OWNER_DB_PASSWORD" -v render_app="$RENDER_APP_DB_PASSWORD" \
  -v render_relay="$RENDER_RELAY_DB_PASSWORD" \
  -v render_scheduler="$RENDER_SCHEDULER_DB_PASSWORD" <<'SQL'
CREATE ROLE studiograph_hr_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'hr_owner';
CREATE ROLE studiograph_hr_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'hr_app';
CREATE ROLE studiograph_hr_relay LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'hr_relay';
CREATE DATABASE studiograph_hr OWNER studiograph_hr_owner;
REVOKE ALL ON DATABASE studiograph_hr FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE studiograph_hr TO studiograph_hr_app;
GRANT CONNECT ON DATABASE studiograph_hr TO studiograph_hr_relay;

CREATE ROLE studiograph_production_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'production_owner';
CREATE ROLE studiograph_production_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'production_app';
CREATE ROLE studiograph_production_relay LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'production_relay';
CREATE DATABASE studiograph_production OWNER studiograph_production_owner;
REVOKE ALL ON DATABASE studiograph_production FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE studiograph_production TO studiograph_production_app;
GRANT CONNECT ON DATABASE studiograph_production TO studiograph_production_relay;

CREATE ROLE studiograph_render_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'render_owner';
CREATE ROLE studiograph_render_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'render_app';
CREATE ROLE studiograph_render_relay LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'render_relay';
CREATE ROLE studiograph_render_scheduler LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'render_scheduler';
CREATE DATABASE studiograph_render OWNER studiograph_render_owner;
REVOKE ALL ON DATABASE studiograph_render FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE studiograph_render TO studiograph_render_app, studiograph_render_scheduler;
GRANT CONNECT ON DATABASE studiograph_render TO studiograph_render_relay;
SQL
echo "postgres-init: databases studiograph_hr, studiograph_production, studiograph_render and their roles (owner, app, relay; render scheduler) created"
