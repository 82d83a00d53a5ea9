# Studiograph: `make dev` runs the platform with demo data; `make test` runs every test.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/studiograph/target
PG_SUPERUSER_URL ?= postgres://postgres@127.0.0.1:5432
HR_DATABASE_URL ?= postgres://studiograph_hr_app@127.0.0.1:5432/studiograph_hr
HR_MIGRATION_DATABASE_URL ?= $(PG_SUPERUSER_URL)/studiograph_hr
PRODUCTION_DATABASE_URL ?= postgres://studiograph_production_app@127.0.0.1:5432/studiograph_production
PRODUCTION_MIGRATION_DATABASE_URL ?= $(PG_SUPERUSER_URL)/studiograph_production
RENDER_DATABASE_URL ?= postgres://studiograph_render_app@127.0.0.1:5432/studiograph_render
RENDER_SCHEDULER_DATABASE_URL ?= postgres://studiograph_render_scheduler@127.0.0.1:5432/studiograph_render
RENDER_MIGRATION_DATABASE_URL ?= $(PG_SUPERUSER_URL)/studiograph_render
export HR_DATABASE_URL HR_MIGRATION_DATABASE_URL PRODUCTION_DATABASE_URL PRODUCTION_MIGRATION_DATABASE_URL
export RENDER_DATABASE_URL RENDER_SCHEDULER_DATABASE_URL RENDER_MIGRATION_DATABASE_URL
# The outbox relays of `make dev` connect as their own roles (created by the migrations; trust auth
# locally), never as the superuser that migrates. Passed to `serve` only (not exported: tests
# make their own databases and roles).
HR_RELAY_DATABASE_URL ?= postgres://studiograph_hr_relay@127.0.0.1:5432/studiograph_hr
PRODUCTION_RELAY_DATABASE_URL ?= postgres://studiograph_production_relay@127.0.0.1:5432/studiograph_production
RENDER_RELAY_DATABASE_URL ?= postgres://studiograph_render_relay@127.0.0.1:5432/studiograph_render
BIN := $(CARGO_TARGET_DIR)/debug
DATABASES := studiograph_hr studiograph_production studiograph_render
NEXTEST := $(shell cargo nextest --version >/dev/null 2>&1 && echo yes)

.PHONY: dev spa frontend-test test lint fmt build services databases migrate seed schema bench-entities bench-tasks bench-claims bench-gateway bench-events clean-test-dbs dev-token schema-check deploy-check

## dev: services, databases, migrations, demo data, the SPA, then the subgraphs (HR :4001, production :4002,
## render :4003), the gateway (:4000, serving the SPA at /) in front of them, and one render agent
dev: services build databases migrate seed spa
	@echo "Demo users (password studiograph-dev): admin@northwind.test hr@northwind.test sup@northwind.test"
	@echo "  artist@northwind.test wrangler@northwind.test lead@vendorx.test"
	@echo "SPA:        http://127.0.0.1:4000/"
	@echo "Gateway:    http://127.0.0.1:4000/graphql   (POST /auth/token {\"email\",\"password\"} for a bearer token)"
	@echo "Subgraphs:  HR :4001, production :4002, render :4003 (internal JWTs only: make dev-token EMAIL=... SUBGRAPH=...)"
	@trap 'kill 0' INT TERM EXIT; \
	  HR_RELAY_DATABASE_URL='$(HR_RELAY_DATABASE_URL)' $(BIN)/hr serve & \
	  PRODUCTION_RELAY_DATABASE_URL='$(PRODUCTION_RELAY_DATABASE_URL)' $(BIN)/production serve & \
	  RENDER_RELAY_DATABASE_URL='$(RENDER_RELAY_DATABASE_URL)' $(BIN)/render serve & \
	  sleep 2; GATEWAY_STATIC_DIR=frontend/dist GATEWAY_PERSISTED_MANIFEST=$(SPA_MANIFEST) \
	    GATEWAY_COOKIE_PERSISTED_ONLY=true $(BIN)/gateway serve & \
	  bash scripts/dev-agent.sh $(BIN) & wait

## test: formatting, lints, every Rust test against the real services, then supergraph composition
test: lint
	@if [ "$(NEXTEST)" = yes ]; then cargo nextest run --workspace --all-features --no-fail-fast; \
	else cargo test --workspace --all-features --no-fail-fast; fi
	$(MAKE) schema-check
	$(MAKE) deploy-check
	$(MAKE) python-test
	$(MAKE) frontend-test

## python-test: the Python client's tests (clients/python/tests, pytest) against a private stack that
## scripts/test_stack.py starts from the debug binaries (own databases, ports, RabbitMQ and Redis names)
PY_VENV ?= $(HOME)/.cache/studiograph/venv
.PHONY: python-test
python-test:
	cargo build --bins -p hr -p production -p render -p gateway
	@test -x $(PY_VENV)/bin/python || python3 -m venv $(PY_VENV)
	$(PY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pytest==8.3.4 -e clients/python
	cd clients/python && $(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider

## spa: build the SPA into frontend/dist and its persisted-operations manifest (npm ci, then vite build)
SPA_MANIFEST := frontend/build/persisted-operations.json
spa:
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build

## frontend-test: the SPA's lint, typecheck, build, unit tests (Vitest), then its end-to-end tests
## (playwright-core + Debian's chromium) against a private stack from scripts/test_stack.py, then
## prints its figures (bundle sizes, the task board's first load; frontend/scripts/measure.mjs)
frontend-test:
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	cd frontend && npm run lint && npm run typecheck && npm run build && npm test
	bash frontend/scripts/ensure-chromium.sh
	cargo build --bins -p hr -p production -p render -p gateway
	cd frontend && npm run test:e2e
	cd frontend && npm run measure

## deploy-check: validate docker-compose.yml, deploy/Dockerfile and k8s/ statically (docs/operations.md)
deploy-check:
	bash deploy/check.sh

## schema-check: compose the subgraph SDLs (@theguild/federation-composition); fail on errors or drift
schema-check:
	cd schema && npm ci --no-audit --no-fund --loglevel=error && node compose.mjs --check

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings

fmt:
	cargo fmt --all

build:
	cargo build --workspace --bins

services:
	bash scripts/services.sh

databases:
	@for db in $(DATABASES); do \
	  psql "$(PG_SUPERUSER_URL)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$$db'" | grep -q 1 \
	    || psql "$(PG_SUPERUSER_URL)/postgres" -c "CREATE DATABASE $$db"; \
	done

migrate: build
	$(BIN)/hr migrate
	$(BIN)/production migrate
	$(BIN)/render migrate

seed: build
	$(BIN)/hr seed
	$(BIN)/production seed
	$(BIN)/render seed

SUBGRAPH ?= hr
dev-token: build
	@$(BIN)/$(SUBGRAPH) dev-token $(EMAIL)

## schema: rewrite schema/<subgraph>.graphql from the code (the drift tests fail when stale)
schema:
	UPDATE_SCHEMA=1 cargo test -p hr --test schema_drift
	UPDATE_SCHEMA=1 cargo test -p production --test schema_drift
	UPDATE_SCHEMA=1 cargo test -p render --test schema_drift
	cd schema && npm ci --no-audit --no-fund --loglevel=error && node compose.mjs

## bench-entities: requests/s of _entities for 100 employees at concurrency 32 (release build)
bench-entities:
	bash scripts/bench-entities.sh

## bench-claims: claims/s with 16 concurrent claimers on one PostgreSQL, and scheduling latency
bench-claims:
	cargo run --release -p render --example claim_bench

## bench-tasks: requests/s, p99 and SQL statements of "tasks of a project with their shots, first 100"
bench-tasks:
	bash scripts/bench-tasks.sh

## bench-gateway: HR straight vs through the gateway, a nested three-subgraph query at concurrency 50,
## the gateway's peak memory and plan-cache hit rate (release builds, scratch databases, oha)
bench-gateway:
	bash scripts/bench-gateway.sh

## bench-events: commit-to-effect latency p50/p99 of HR mutations through the relay and a consumer,
## relay throughput with one and two replicas, and a consumer's throughput (release build)
bench-events:
	cargo nextest run --release -p events --test bench_events --run-ignored only --no-capture --test-threads 1

## clean-test-dbs: drop databases, RabbitMQ queues and exchanges left by interrupted test runs
clean-test-dbs:
	python3 scripts/clean-test-broker.py
	psql "$(PG_SUPERUSER_URL)/postgres" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'studiograph_%_test_%'" \
	  | while read -r db; do [ -n "$$db" ] && psql "$(PG_SUPERUSER_URL)/postgres" -c "DROP DATABASE \"$$db\" WITH (FORCE)"; done
