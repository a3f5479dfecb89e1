#!/usr/bin/env bash
# axe-core for the accessibility checks of the browser tests, pinned by package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../../tests/browser"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  echo "[setup] npm ci in tests/browser" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
