#!/usr/bin/env bash
# make dev: once the gateway answers, signs in as the demo wrangler, creates an API token with the
# render:agent scope through the gateway, and runs one render agent against the gateway with it —
# the way a farm node is set up (see README).
set -euo pipefail
BIN="${1:?usage: dev-agent.sh BIN_DIR}"
GATEWAY="${GATEWAY_URL:-http://127.0.0.1:4000}"
for _ in $(seq 1 100); do curl -sf "$GATEWAY/readyz" >/dev/null && break; sleep 0.2; done
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
ACCESS="$(curl -sf -H 'content-type: application/json' \
  -d '{"email":"wrangler@northwind.test","password":"studiograph-dev"}' "$GATEWAY/auth/token" | json "['accessToken']")"
TOKEN="$(curl -sf -H 'content-type: application/json' -H "authorization: Bearer $ACCESS" \
  -d '{"query":"mutation { createApiToken(input: {name: \"dev-node-1\", scopes: [\"render:agent\"]}) { token } }"}' \
  "$GATEWAY/graphql" | json "['data']['createApiToken']['token']")"
echo "render agent dev-node-1 -> $GATEWAY (API token with scope render:agent)"
exec "$BIN/render-agent" --url "$GATEWAY" --token "$TOKEN" --pool cpu --hostname dev-node-1
