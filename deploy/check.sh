#!/usr/bin/env bash
# Static validation of the deployment (make deploy-check; part of make test): docker-compose.yml,
# .env.example, deploy/Dockerfile and its scripts, and k8s/ (base, dev, prod) rendered and checked
# against the Kubernetes schemas. Needs no Docker engine and no cluster. Installs its pinned tools
# (deploy/requirements.txt) into a virtualenv under ~/.cache/studiograph, keyed by the file's hash.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${STUDIOGRAPH_CACHE:-$HOME/.cache/studiograph}"
hash=$(sha256sum deploy/requirements.txt | cut -c1-12)
venv="$cache/deploy-venv-$hash"
if [ ! -f "$venv/.complete" ]; then
  echo "deploy-check: installing deploy/requirements.txt into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir -r deploy/requirements.txt
  touch "$venv/.complete"
fi

if ! command -v kubectl >/dev/null 2>&1; then
  echo "deploy-check: kubectl not installed: k8s/ is rendered by deploy/studiograph_deploy/kustomize_lite.py only (no cross-check with kustomize)"
fi
PYTHONDONTWRITEBYTECODE=1 exec "$venv/bin/python" -m pytest -q -p no:cacheprovider deploy/tests "$@"
