# Studiograph: `make dev` runs the platform with demo data; `make test` runs every test.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/studiograph/target
PG_SUPERUSER_URL ?= postgres://postgres@127.0.0.1:5432
HR_DATABASE_URL ?= postgres://studiograph_hr_app@127.0.0.1:5432/studiograph_hr
HR_MIGRATION_DATABASE_URL ?= $(PG_SUPERUSER_URL)/studiograph_hr
NEXTEST := $(shell cargo nextest --version >/dev/null 2>&1 && echo yes)

.PHONY: dev test lint fmt build services databases migrate seed schema bench-entities clean-test-dbs

## dev: services, databases, migrations, demo data, then the HR subgraph on :4001
dev: services build databases migrate seed
	@echo "Demo users (password studiograph-dev): admin@northwind.test hr@northwind.test sup@northwind.test"
	@echo "  artist@northwind.test wrangler@northwind.test lead@vendorx.test"
	@echo "HR subgraph: http://127.0.0.1:4001/graphql (internal JWT required; token: make dev-token EMAIL=artist@northwind.test)"
	HR_DATABASE_URL=$(HR_DATABASE_URL) $(CARGO_TARGET_DIR)/debug/hr serve

## test: formatting, lints, and every Rust test against the real services
test: lint
	@if [ "$(NEXTEST)" = yes ]; then cargo nextest run --workspace --all-features --no-fail-fast; \
	else cargo test --workspace --all-features --no-fail-fast; fi

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
	@psql "$(PG_SUPERUSER_URL)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='studiograph_hr'" | grep -q 1 \
	  || psql "$(PG_SUPERUSER_URL)/postgres" -c "CREATE DATABASE studiograph_hr"

migrate: build
	HR_MIGRATION_DATABASE_URL=$(HR_MIGRATION_DATABASE_URL) HR_DATABASE_URL=$(HR_DATABASE_URL) $(CARGO_TARGET_DIR)/debug/hr migrate

seed: build
	HR_DATABASE_URL=$(HR_DATABASE_URL) $(CARGO_TARGET_DIR)/debug/hr seed

dev-token: build
	@HR_DATABASE_URL=$(HR_DATABASE_URL) $(CARGO_TARGET_DIR)/debug/hr dev-token $(EMAIL)

## schema: rewrite schema/hr.graphql from the code (the drift test fails when it is stale)
schema:
	UPDATE_SCHEMA=1 cargo test -p hr --test schema_drift

## bench-entities: requests/s of _entities for 100 employees at concurrency 32 (release build)
bench-entities:
	bash scripts/bench-entities.sh

## clean-test-dbs: drop databases left by interrupted test runs
clean-test-dbs:
	psql "$(PG_SUPERUSER_URL)/postgres" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'studiograph_%_test_%'" \
	  | while read -r db; do [ -n "$$db" ] && psql "$(PG_SUPERUSER_URL)/postgres" -c "DROP DATABASE \"$$db\" WITH (FORCE)"; done
