#!/bin/sh
# One-shot (docker-compose.yml `agent-token`): signs in through the gateway as the demo render
# wrangler and creates an API token with the `render:agent` scope for the demo render agents,
# stored once in /run/studiograph/agent/token (a volume only the agents mount).
set -eu
out=/run/studiograph/agent/token
if [ -s "$out" ]; then
  echo "agent-token: token exists, keeping it"
  exit 0
fi
: "${GATEWAY_URL:?}" "${AGENT_TOKEN_EMAIL:?}" "${AGENT_TOKEN_PASSWORD:?}"
login=$(jq -n --arg email "$AGENT_TOKEN_EMAIL" --arg password "$AGENT_TOKEN_PASSWORD" \
  '{email: $email, password: $password}')
access=$(curl -fsS --retry 10 --retry-connrefused --retry-delay 2 \
  -H 'content-type: application/json' -d "$login" "$GATEWAY_URL/auth/token" | jq -er .accessToken)
mutation=$(jq -n '{
  query: "mutation CreateAgentToken($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
  variables: {input: {name: "docker-compose render agents", scopes: ["render:agent"]}}
}')
token=$(curl -fsS -H 'content-type: application/json' -H "authorization: Bearer $access" \
  -d "$mutation" "$GATEWAY_URL/graphql" | jq -er .data.createApiToken.token)
umask 077
printf '%s' "$token" > "$out.tmp"
chown 10001:10001 "$out.tmp"
mv "$out.tmp" "$out"
echo "agent-token: created the render agents' API token"
