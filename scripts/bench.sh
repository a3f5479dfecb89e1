#!/usr/bin/env bash
# `make bench`: every benchmark, printing figures (not part of the tests' pass/fail).
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in launch assessment xapi credentials; do
  [ -f "bench/$bench.py" ] && .venv/bin/python "bench/$bench.py" || echo "bench/$bench.py failed" >&2
done
