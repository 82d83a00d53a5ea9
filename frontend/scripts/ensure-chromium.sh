#!/usr/bin/env bash
# The e2e tests drive Debian's Chromium through playwright-core (no browser downloads).
# Installs it when /usr/bin/chromium (or $CHROMIUM_PATH) is missing; idempotent.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "ensure-chromium: installing Debian's chromium (for the Playwright e2e tests)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
test -x "$chromium"
