#!/usr/bin/env bash
# `make bench`: every benchmark, printing figures (not part of the tests' pass/fail).
# LAUNCH_MEMORY_LAUNCHES (default 3000) sets how many launches bench/launch.py makes before it reads the workers'
# RSS again; the issue's figure is LAUNCH_MEMORY_LAUNCHES=10000 make bench (a few minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in launch launch_profile launch_heap assessment xapi credentials; do
  args=()
  [ "$bench" = launch ] && args=(--memory-launches "${LAUNCH_MEMORY_LAUNCHES:-3000}")
  # The same launch in-process: server-thread CPU per launch of ours, the floor and the bare tool, by request,
  # and our cProfile (where the difference goes), in the same run as the table above.
  if [ "$bench" = launch_profile ]; then
    PROFILE_LINES=30 .venv/bin/python bench/launch.py --profile 300 || echo "bench/launch.py --profile failed" >&2
    continue
  fi
  # Issue 16 states the outbox target on PostgreSQL; bench/xapi.py defaults to SQLite.
  [ "$bench" = xapi ] && args=(--db postgresql)
  [ -f "bench/$bench.py" ] && .venv/bin/python "bench/$bench.py" "${args[@]}" || echo "bench/$bench.py failed" >&2
done
