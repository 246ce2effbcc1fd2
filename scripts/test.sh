#!/usr/bin/env bash
# The one test command (README, CI): type-check, lint, then every jest suite against real Postgres and Temporal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
npx tsc --noEmit
npx eslint --max-warnings=0 .
npx jest "$@"
