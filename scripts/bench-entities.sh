#!/usr/bin/env bash
# Benchmark: requests/s of `_entities` for 100 employees at concurrency 32 against a release
# build of the HR subgraph, on its own database (studiograph_hr_bench). Prints wrk's figures.
# Needs wrk (apt-get install wrk); installs it when missing and running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/studiograph/target}"
PG="${PG_SUPERUSER_URL:-postgres://postgres@127.0.0.1:5432}"
DB=studiograph_hr_bench
PORT="${BENCH_PORT:-4101}"
DURATION="${BENCH_DURATION:-15s}"

command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
command -v wrk >/dev/null || { echo "wrk is required" >&2; exit 1; }
bash scripts/services.sh >/dev/null
cargo build --release -p hr --quiet
BIN="$CARGO_TARGET_DIR/release/hr"

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export HR_DATABASE_URL="postgres://studiograph_hr_app@127.0.0.1:5432/$DB"
export HR_MIGRATION_DATABASE_URL="$PG/$DB"
export HR_LISTEN_ADDR="127.0.0.1:$PORT" RUST_LOG=warn DB_MAX_CONNECTIONS=16
export DEV_KEY_DIR="$(mktemp -d)"
"$BIN" migrate && "$BIN" seed
TOKEN="$("$BIN" dev-token admin@northwind.test)"
"$BIN" serve & PID=$!
trap 'kill $PID 2>/dev/null; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; rm -rf "$DEV_KEY_DIR"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# 100 representations: the seed's 50 northwind employees plus 50 unknown ids (resolved to null).
IDS="$(psql "$PG/$DB" -tAc "SELECT string_agg(format('{\"__typename\":\"Employee\",\"id\":\"%s\"}', id), ',') FROM (SELECT id FROM employees WHERE tenant_id = (SELECT id FROM tenants WHERE slug='northwind') UNION ALL SELECT gen_random_uuid() FROM generate_series(1,50) LIMIT 100) e")"
BODY="{\"query\":\"query(\$representations:[_Any!]!){_entities(representations:\$representations){... on Employee{id displayName email title}}}\",\"variables\":{\"representations\":[$IDS]}}"
LUA="$(mktemp)"
cat > "$LUA" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.body = [[$BODY]]
LUA
SAMPLE="$(curl -sf -H "Content-Type: application/json" -H "Authorization: Bearer $TOKEN" -d "$BODY" "http://127.0.0.1:$PORT/graphql")"
echo "sample response: ${SAMPLE:0:200}..."
echo "== _entities x100, concurrency 32, $DURATION (wrk and the server share this machine's cores)"
wrk -t2 -c32 -d"$DURATION" --latency -s "$LUA" "http://127.0.0.1:$PORT/graphql"
rm -f "$LUA"
