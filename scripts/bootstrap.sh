#!/usr/bin/env bash
# Shared first step of `npm start` and `npm test`: install what a fresh clone lacks (node_modules, Temporal binaries).
set -euo pipefail
cd "$(dirname "$0")/.."

node -e 'const [maj, min] = process.versions.node.split(".").map(Number); if (maj < 20 || (maj === 20 && min < 3)) { console.error(`Node >= 20.3 is required, found ${process.version}`); process.exit(1); }'

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing node modules (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
fi

node --import tsx scripts/temporal-tools.ts >/dev/null
