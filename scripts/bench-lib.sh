#!/usr/bin/env bash
# Shared by the benchmark scripts: start one subgraph (release build) on a scratch database with
# the demo data, and measure a GraphQL request with wrk. Source it, then call bench_start and
# bench_run. Needs wrk (installed with apt-get when missing and running as root).
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/studiograph/target}"
PG="${PG_SUPERUSER_URL:-postgres://postgres@127.0.0.1:5432}"
DURATION="${BENCH_DURATION:-15s}"

# bench_start SUBGRAPH PREFIX PORT: migrate + seed a scratch database and serve it.
bench_start() {
  local sub=$1 prefix=$2 port=$3
  command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
  command -v wrk >/dev/null || { echo "wrk is required" >&2; exit 1; }
  bash scripts/services.sh >/dev/null
  cargo build --release -p "$sub" --quiet
  BIN="$CARGO_TARGET_DIR/release/$sub"
  BENCH_DB="studiograph_${sub}_bench"
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB"
  export "${prefix}_DATABASE_URL=postgres://studiograph_${sub}_app@127.0.0.1:5432/$BENCH_DB"
  export "${prefix}_MIGRATION_DATABASE_URL=$PG/$BENCH_DB" "${prefix}_LISTEN_ADDR=127.0.0.1:$port"
  export RUST_LOG=warn DB_MAX_CONNECTIONS="${DB_MAX_CONNECTIONS:-16}" DEV_KEY_DIR="$(mktemp -d)"
  "$BIN" migrate && "$BIN" seed
  TOKEN="$("$BIN" dev-token admin@northwind.test)"
  "$BIN" serve & SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"; rm -rf "$DEV_KEY_DIR"' EXIT
  URL="http://127.0.0.1:$port"
  for _ in $(seq 1 50); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done
}

statements() { curl -sf "$URL/metrics" | awk '/^studiograph_db_statements_total/ {print $2}'; }

# bench_run LABEL BODY: one request (sample and SQL statements), then wrk at concurrency 32.
bench_run() {
  local label=$1 body=$2 before after sample lua
  before=$(statements)
  sample="$(curl -sf -H "Content-Type: application/json" -H "Authorization: Bearer $TOKEN" -d "$body" "$URL/graphql")"
  after=$(statements)
  echo "sample response: ${sample:0:160}..."
  echo "SQL statements for one request: $((after - before)) (BEGIN, set_config, SELECT, COMMIT per query)"
  lua="$(mktemp)"
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = [[%s]]\n' "$TOKEN" "$body" > "$lua"
  echo "== $label, concurrency 32, $DURATION (wrk and the server share this machine's cores)"
  wrk -t2 -c32 -d"$DURATION" --latency -s "$lua" "$URL/graphql"
  rm -f "$lua"
}
