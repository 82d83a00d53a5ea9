#!/usr/bin/env bash
# "Tasks of a project with their shots, first 100" at concurrency 32 against the production
# subgraph: requests/s, latency percentiles, and SQL statements per request.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
bench_start production PRODUCTION "${BENCH_PORT:-4102}"
PROJECT="$(psql "$PG/$BENCH_DB" -tAc "SELECT id FROM projects WHERE code = 'SKY'")"
bench_run "tasks(first: 100) with shots" "{\"query\":\"query(\$p:ID!){tasks(filter:{projectId:\$p},first:100){edges{node{id name status type dueDate assignee{id} shot{id code frameStart frameEnd}}}}}\",\"variables\":{\"p\":\"$PROJECT\"}}"
