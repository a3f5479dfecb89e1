#!/usr/bin/env bash
# The independent JavaScript credential verifier (npm @digitalbazaar/*), pinned by package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../../tests/js_verifier"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  echo "[setup] npm ci in tests/js_verifier" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
