#!/usr/bin/env bash
# The one test command (README, CI): type-check, lint, then every jest suite against real Postgres and Temporal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# the browser suites drive Debian's chromium (installed here when missing, as root); npm start does not need it
node --import tsx scripts/browser.ts >/dev/null
npx tsc --noEmit
npx tsc --noEmit -p dashboard
npx eslint --max-warnings=0 .
npx jest "$@"
