#!/usr/bin/env bash
# The project's test command (see README). Builds the solution and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build ModernBert.sln -c Release
dotnet test --solution ModernBert.sln -c Release --no-build
