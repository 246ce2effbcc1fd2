#!/usr/bin/env bash
# Shared first step of `npm start` and `npm test`: install what a fresh clone lacks (node_modules, Temporal binaries).
set -euo pipefail
cd "$(dirname "$0")/.."

node -e 'const [maj, min] = process.versions.node.split(".").map(Number); if (maj < 20 || (maj === 20 && min < 3)) { console.error(`Node >= 20.3 is required, found ${process.version}`); process.exit(1); }'

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing node modules from package-lock.json..."
  # `npm install --no-save` rather than `npm ci`: npm 11 writes lock files without other platforms' optional
  # packages and then `npm ci` refuses them; install still honours every locked version
  npm install --no-save --no-audit --no-fund --loglevel=error
fi

node --import tsx scripts/temporal-tools.ts >/dev/null
