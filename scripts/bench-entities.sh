#!/usr/bin/env bash
# Requests/s of `_entities` for 100 employees at concurrency 32 against the HR subgraph.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
bench_start hr HR "${BENCH_PORT:-4101}"
# 100 representations: the seed's 50 northwind employees plus 50 unknown ids (resolved to null).
IDS="$(psql "$PG/$BENCH_DB" -tAc "SELECT string_agg(format('{\"__typename\":\"Employee\",\"id\":\"%s\"}', id), ',') FROM (SELECT id FROM employees WHERE tenant_id = (SELECT id FROM tenants WHERE slug='northwind') UNION ALL SELECT gen_random_uuid() FROM generate_series(1,50) LIMIT 100) e")"
bench_run "_entities x100" "{\"query\":\"query(\$representations:[_Any!]!){_entities(representations:\$representations){... on Employee{id displayName email title}}}\",\"variables\":{\"representations\":[$IDS]}}"
