#!/usr/bin/env bash
# Installs DuckDB's node package into the git-ignored .tools folder. Tests read result Parquet files back with it
# (tests/tools/parquet-to-json.mjs) as a reader independent of the writer. Does nothing when already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
version="1.5.6-r.1"
installed=".tools/node_modules/@duckdb/node-api/package.json"
if [[ -f "$installed" ]] && grep -q "\"version\": \"$version\"" "$installed"; then
  exit 0
fi
./scripts/npm-install-tool.sh "@duckdb/node-api@$version"
