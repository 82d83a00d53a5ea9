#!/usr/bin/env bash
# The gateway benchmark (issue 5): release builds of the three subgraphs and the gateway on scratch
# databases with the demo data, load from oha (crates.io). Prints requests/s and p50/p95/p99 of
#   (a) an HR query straight to HR vs the same query through the gateway (the gateway's overhead),
#   (b) a nested three-subgraph query through the gateway (concurrency 50, 30 s),
#   (c) the gateway's peak memory (VmHWM) and RSS, (d) the plan-cache hit rate from /metrics.
# Knobs: BENCH_DURATION (15s), BENCH_NESTED_DURATION (30s), BENCH_CONCURRENCY (32),
# BENCH_NESTED_CONCURRENCY (50), BENCH_PORT (4200: gateway; 4201-4203: hr, production, render).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/studiograph/target}"
PG="${PG_SUPERUSER_URL:-postgres://postgres@127.0.0.1:5432}"
export PGOPTIONS="-c client_min_messages=warning" # no NOTICE from DROP DATABASE IF EXISTS
DURATION="${BENCH_DURATION:-15s}"
NESTED_DURATION="${BENCH_NESTED_DURATION:-30s}"
CONCURRENCY="${BENCH_CONCURRENCY:-32}"
NESTED_CONCURRENCY="${BENCH_NESTED_CONCURRENCY:-50}"
PORT="${BENCH_PORT:-4200}"
TOOLS="$HOME/.cache/studiograph/tools"
SUBGRAPHS=(hr production render)
BIN="$CARGO_TARGET_DIR/release"

die() { echo "bench-gateway: $*" >&2; exit 1; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- the load generator: oha from crates.io, installed once under ~/.cache/studiograph/tools ---
OHA="$(command -v oha || true)"
if [ -z "$OHA" ]; then
  OHA="$TOOLS/bin/oha"
  if [ ! -x "$OHA" ]; then
    echo "bench-gateway: installing oha (cargo install oha --locked, a few minutes, once)"
    cargo install oha --locked --quiet --root "$TOOLS"
  fi
fi
command -v jq >/dev/null || die "jq is required"

# --- services, release binaries, free ports ---
bash scripts/services.sh >/dev/null
echo "bench-gateway: building release binaries (gateway, hr, production, render)"
cargo build --release --quiet -p gateway -p hr -p production -p render --bins
for p in "$PORT" $((PORT + 1)) $((PORT + 2)) $((PORT + 3)); do
  listening "$p" && die "port $p is in use (set BENCH_PORT)"
done

# --- cleanup, whatever happens from here on ---
PIDS=()
WORK="$(mktemp -d)"
export DEV_KEY_DIR="$WORK/keys"
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for sub in "${SUBGRAPHS[@]}"; do
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS studiograph_${sub}_gwbench WITH (FORCE)" || true
  done
  rm -rf "$WORK"
  # The gateway's Redis keys (rate-limit buckets) of this run.
  redis-cli --scan --pattern "studiograph-bench:$$:*" 2>/dev/null | xargs -r redis-cli del >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- scratch databases, migrated and seeded; the roles are created by the migrations ---
export RUST_LOG=warn DB_MAX_CONNECTIONS="${DB_MAX_CONNECTIONS:-16}"
for i in 0 1 2; do
  sub=${SUBGRAPHS[$i]} prefix=${SUBGRAPHS[$i]^^} db="studiograph_${SUBGRAPHS[$i]}_gwbench"
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  export "${prefix}_DATABASE_URL=postgres://studiograph_${sub}_app@127.0.0.1:5432/$db"
  export "${prefix}_MIGRATION_DATABASE_URL=$PG/$db" "${prefix}_LISTEN_ADDR=127.0.0.1:$((PORT + 1 + i))"
  export "GATEWAY_SUBGRAPH_${prefix}_URL=http://127.0.0.1:$((PORT + 1 + i))/graphql"
done
export RENDER_SCHEDULER_DATABASE_URL="postgres://studiograph_render_scheduler@127.0.0.1:5432/studiograph_render_gwbench"
for sub in "${SUBGRAPHS[@]}"; do "$BIN/$sub" migrate >/dev/null && "$BIN/$sub" seed >/dev/null; done

# --- the subgraphs, then the gateway (all trust the same development key in $DEV_KEY_DIR) ---
wait_ok() {
  local url=$1
  for _ in $(seq 1 100); do curl -sf "$url" >/dev/null && return 0; sleep 0.2; done
  die "$url did not answer"
}
for i in 0 1 2; do
  "$BIN/${SUBGRAPHS[$i]}" serve &
  PIDS+=($!)
  wait_ok "http://127.0.0.1:$((PORT + 1 + i))/healthz"
done
export GATEWAY_LISTEN_ADDR="127.0.0.1:$PORT" GATEWAY_SUPERGRAPH_PATH="$ROOT/schema/supergraph.graphql"
# Rate limits stay on (their Redis round trip is part of every request) but far above the load.
export GATEWAY_RATE_LIMIT_PER_PRINCIPAL=1000000000 GATEWAY_RATE_LIMIT_PER_TENANT=1000000000
export GATEWAY_REDIS_PREFIX="studiograph-bench:$$:"
"$BIN/gateway" serve &
GW_PID=$!
PIDS+=("$GW_PID")
GW="http://127.0.0.1:$PORT"
HR="http://127.0.0.1:$((PORT + 1))"
wait_ok "$GW/readyz"

GW_TOKEN="$("$BIN/gateway" dev-token admin@northwind.test)"
WRANGLER_TOKEN="$("$BIN/gateway" dev-token wrangler@northwind.test)"
HR_TOKEN="$("$BIN/hr" dev-token admin@northwind.test)"

# gql URL TOKEN BODY: one request; prints the response body, fails on a non-200 status.
gql() {
  local out status
  out="$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer $2" -d "$3" "$1/graphql")"
  status="${out##*$'\n'}"
  [ "$status" = 200 ] || die "HTTP $status from $1/graphql: ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}

# sample LABEL URL TOKEN BODY: one request, first 200 characters shown; "errors" is fatal.
sample() {
  local body
  body="$(gql "$2" "$3" "$4")"
  echo "sample response ($1): ${body:0:200}"
  if jq -e 'has("errors")' <<<"$body" >/dev/null; then
    echo "$body" | jq . >&2
    die "the $1 response carries errors"
  fi
}

# --- render jobs for the nested query: two per shot among the first 50 tasks, as the wrangler ---
SHOTS="$(gql "$GW" "$GW_TOKEN" '{"query":"{ tasks(first: 50) { nodes { shot { id } } } }"}' \
  | jq -r '[.data.tasks.nodes[].shot.id // empty] | unique | .[]')"
[ -n "$SHOTS" ] || die "no shots among the first 50 tasks"
JOBS=0
for shot in $SHOTS; do
  for n in 1 2; do
    body="$(jq -nc --arg shot "$shot" --arg name "gwbench-$n" '{
      query: "mutation($input: SubmitRenderJobInput!) { submitRenderJob(input: $input) { id status } }",
      variables: {input: {name: $name, shotId: $shot, frameStart: 1001, frameEnd: 1048,
                          command: "render --frames {frame_start}-{frame_end}"}}}')"
    res="$(gql "$GW" "$WRANGLER_TOKEN" "$body")"
    jq -e '.data.submitRenderJob.id and (has("errors") | not)' <<<"$res" >/dev/null || die "submitRenderJob: $res"
    JOBS=$((JOBS + 1))
  done
done
echo "bench-gateway: submitted $JOBS render jobs on $(wc -w <<<"$SHOTS") shots through the gateway"

# --- measurement helpers ---
CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of a process

# load LABEL URL TOKEN BODY CONCURRENCY DURATION: oha, JSON report kept in $WORK/LABEL.json.
load() {
  local label=$1 url=$2 token=$3 body=$4 c=$5 d=$6
  "$OHA" --no-tui --output-format json -w -c "$c" -z "$d" -m POST \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d "$body" \
    "$url/graphql" >"$WORK/$label.json"
  jq -e '(.statusCodeDistribution | keys == ["200"]) and ((.errorDistribution // {}) | length == 0)' \
    "$WORK/$label.json" >/dev/null \
    || die "$label: non-200 answers or connection errors: $(jq -c '{statusCodeDistribution, errorDistribution}' "$WORK/$label.json")"
}
ms() { jq -r "$1 * 1000 * 100 | round / 100" "$WORK/$2.json"; }
report() {
  printf '  %-32s %9s req/s   p50 %7s ms   p95 %7s ms   p99 %7s ms   (%s requests)\n' "$1" \
    "$(jq -r '.summary.requestsPerSec | . * 10 | round / 10' "$WORK/$2.json")" \
    "$(ms '.latencyPercentiles.p50' "$2")" "$(ms '.latencyPercentiles.p95' "$2")" \
    "$(ms '.latencyPercentiles.p99' "$2")" "$(jq -r '.statusCodeDistribution."200"' "$WORK/$2.json")"
}

HR_QUERY='{"query":"{ employees(first: 20) { nodes { id displayName email department { name } } } }"}'
NESTED_QUERY='{"query":"{ tasks(first: 50) { nodes { id name status assignee { displayName department { name } } shot { code renderJobs { name status submittedBy { displayName } } renderCost { amount currency } } } } }"}'

echo
echo "== samples"
sample "HR direct" "$HR" "$HR_TOKEN" "$HR_QUERY"
sample "HR via gateway" "$GW" "$GW_TOKEN" "$HR_QUERY"
sample "nested via gateway" "$GW" "$GW_TOKEN" "$NESTED_QUERY"
nested="$(gql "$GW" "$GW_TOKEN" "$NESTED_QUERY")"
echo "nested response: $(jq '.data.tasks.nodes | length' <<<"$nested") tasks," \
  "$(jq '[.data.tasks.nodes[] | select(.assignee)] | length' <<<"$nested") with an assignee," \
  "$(jq '[.data.tasks.nodes[].shot.renderJobs // [] | length] | add' <<<"$nested") render jobs listed under their shots"

echo
echo "== (a) gateway overhead: employees(first: 20) with departments, concurrency $CONCURRENCY, $DURATION each"
echo "   (oha, the gateway, the subgraphs and PostgreSQL share this machine's $(nproc) cores;"
echo "   load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg), other work skews the figures)"
load hr-direct "$HR" "$HR_TOKEN" "$HR_QUERY" "$CONCURRENCY" "$DURATION"
report "straight to HR (internal JWT)" hr-direct
cpu_before=$(cpu_ticks "$GW_PID")
load hr-gateway "$GW" "$GW_TOKEN" "$HR_QUERY" "$CONCURRENCY" "$DURATION"
cpu_after=$(cpu_ticks "$GW_PID")
report "through the gateway" hr-gateway
gw_requests=$(jq -r '.statusCodeDistribution."200"' "$WORK/hr-gateway.json")
echo "  overhead per request at p50: $(jq -rn --argjson g "$(jq .latencyPercentiles.p50 "$WORK/hr-gateway.json")" \
  --argjson d "$(jq .latencyPercentiles.p50 "$WORK/hr-direct.json")" '($g - $d) * 1000 * 100 | round / 100') ms;" \
  "throughput $(jq -rn --argjson g "$(jq .summary.requestsPerSec "$WORK/hr-gateway.json")" \
  --argjson d "$(jq .summary.requestsPerSec "$WORK/hr-direct.json")" '$g / $d * 1000 | round / 10')% of direct"
echo "  gateway CPU per request: $(jq -rn --argjson t $((cpu_after - cpu_before)) --argjson hz "$CLK_TCK" \
  --argjson n "$gw_requests" '$t / $hz / $n * 1000 * 1000 | round / 1000') ms (user+system time / requests)"

echo
echo "== (b) nested three-subgraph query through the gateway: tasks(first: 50) with assignee (HR),"
echo "   shot (production), its render jobs, their submitters and the shot's render cost (render, HR);"
echo "   concurrency $NESTED_CONCURRENCY, $NESTED_DURATION"
load nested "$GW" "$GW_TOKEN" "$NESTED_QUERY" "$NESTED_CONCURRENCY" "$NESTED_DURATION"
report "nested via the gateway" nested

echo
echo "== (c) gateway memory after the runs"
awk '/^VmHWM|^VmRSS/ {printf "  %s %s %s\n", $1, $2, $3}' "/proc/$GW_PID/status"

echo
echo "== (d) plan cache"
curl -sf "$GW/metrics" | awk '
  /^gateway_plan_cache_total\{result="hit"\}/ {hit = $2}
  /^gateway_plan_cache_total\{result="miss"\}/ {miss = $2}
  END {
    if (hit + miss == 0) { print "  gateway_plan_cache_total not found in /metrics"; exit 1 }
    printf "  hits %d, misses %d: hit rate %.4f%%\n", hit, miss, 100 * hit / (hit + miss)
  }'
