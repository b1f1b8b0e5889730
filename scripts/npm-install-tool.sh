#!/usr/bin/env bash
# Installs one npm package into the git-ignored .tools folder, trying three times: the registry sometimes drops a
# download midway (EIDLETIMEOUT), and one dropped download should not fail a test run.
#   scripts/npm-install-tool.sh PACKAGE@VERSION
set -euo pipefail
cd "$(dirname "$0")/.."
for attempt in 1 2 3; do
  if npm install --prefix .tools --no-audit --no-fund --loglevel=error "$1"; then
    exit 0
  fi
  echo "npm install $1 failed (attempt $attempt of 3)" >&2
  sleep $((attempt * 10))
done
exit 1
