#!/usr/bin/env bash
# Makes sure PostgreSQL, RabbitMQ and Redis listen on their standard localhost ports.
# Starts the machine's own services when they are installed; otherwise, where Docker runs,
# `docker compose up -d postgres rabbitmq redis` (see compose_up). Idempotent.
set -euo pipefail

# The compose file is the production-like stack (passwords everywhere); the tests need trust auth
# for `postgres` and a Redis without a password, as on the team's machines.
compose_up() {
  POSTGRES_HOST_AUTH_METHOD=trust REDIS_PASSWORD= docker compose up -d "$@"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do listening "$port" && return 0; sleep 1; done
  echo "services: $name did not come up on :$port" >&2
  return 1
}

start_postgres() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    for v in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$v" main start || true; done
  else
    compose_up postgres
  fi
}

start_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  else
    compose_up redis
  fi
}

start_rabbitmq() {
  if command -v rabbitmq-server >/dev/null 2>&1; then
    rabbitmq-server -detached || true
  else
    compose_up rabbitmq
  fi
}

listening 5432 || { echo "services: starting PostgreSQL"; start_postgres; wait_for PostgreSQL 5432; }
listening 6379 || { echo "services: starting Redis"; start_redis; wait_for Redis 6379; }
listening 5672 || { echo "services: starting RabbitMQ"; start_rabbitmq; wait_for RabbitMQ 5672; }
echo "services: PostgreSQL :5432, Redis :6379, RabbitMQ :5672 are up"
