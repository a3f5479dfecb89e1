#!/usr/bin/env bash
# Seconds from `git clone` of this repository into a temporary folder to `make run` answering /health there
# (venv, install, migrate, content, Ralph, supervisor), then the seconds one Ctrl+C takes to stop everything.
# Usage: bash bench/clone_to_health.sh [PORT] [LRS_PORT]     (defaults 5093 and 8193; the clone is removed)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
port="${1:-5093}"
lrs_port="${2:-8193}"
work="$(mktemp -d)"
log="$work/make-run.log"
start=$(date +%s.%N)
git clone -q "$repo" "$work/clone"
cd "$work/clone"
env -u TOOL_BASE_URL -u DATABASE_URL -u LRS_URL -u INSTANCE_PATH PORT="$port" LRS_PORT="$lrs_port" \
  setsid make run > "$log" 2>&1 &
group=$!
cleanup() { kill -KILL -- "-$group" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$port/health"; do
  kill -0 "$group" 2>/dev/null || { tail -30 "$log"; exit 1; }
  sleep 0.5
done
echo "clone to /health: $(echo "$(date +%s.%N) - $start" | bc) s"
until curl -sf "http://127.0.0.1:$port/health" | grep -q '"lrs":"ok"'; do sleep 0.5; done
echo "clone to /health with the LRS up: $(echo "$(date +%s.%N) - $start" | bc) s"
stop=$(date +%s.%N)
kill -INT -- "-$group"
while kill -0 "$group" 2>/dev/null || pgrep -f "$work/clone/" > /dev/null; do sleep 0.2; done
echo "Ctrl+C to everything stopped: $(echo "$(date +%s.%N) - $stop" | bc) s"
