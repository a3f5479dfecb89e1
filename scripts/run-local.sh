#!/usr/bin/env bash
# `make run`: the web server, the grade worker, the xAPI worker and the local Ralph LRS under one supervisor
# (config/supervisord.conf), after printing what an LMS admin pastes. Ctrl+C stops them all.
#
# The address is remembered in the instance folder (instance/run.env), so every admin command prints the
# address this serves: TOOL_BASE_URL if set, else http://127.0.0.1:$PORT if PORT is set, else what the last
# `make run` used, else http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
instance="${INSTANCE_PATH:-instance}"
mkdir -p "$instance"
remembered="$instance/run.env"

read_remembered() {  # KEY: its value in run.env, or nothing
  [ -f "$remembered" ] || return 0
  sed -n "s/^$1=//p" "$remembered" | tail -n 1
}

if [ -z "${PORT:-}" ]; then
  PORT="$(read_remembered PORT)"
fi
PORT="${PORT:-5000}"
if [ -z "${TOOL_BASE_URL:-}" ]; then
  TOOL_BASE_URL="$(read_remembered TOOL_BASE_URL)"
  # A remembered address on another port than the one asked for is stale.
  case "$TOOL_BASE_URL" in http://127.0.0.1:*|http://localhost:*) TOOL_BASE_URL="" ;; esac
fi
TOOL_BASE_URL="${TOOL_BASE_URL:-http://127.0.0.1:$PORT}"
printf 'PORT=%s\nTOOL_BASE_URL=%s\n' "$PORT" "$TOOL_BASE_URL" > "$remembered.tmp"
mv "$remembered.tmp" "$remembered"
export PORT TOOL_BASE_URL

MASTERY_LOCAL_LRS=false
if [ -z "${LRS_URL:-}" ]; then
  MASTERY_LOCAL_LRS=true
  bash scripts/lrs/install.sh
  export LRS_URL="http://127.0.0.1:${LRS_PORT:-8100}/xAPI/"
  echo "Local Ralph LRS on $LRS_URL (statements under ${LRS_HOME:-$instance/lrs}/)"
fi
MASTERY_RUN_DIR="$(cd "$instance" && pwd)"  # supervisord's log and pid file
MASTERY_USER="$(id -un)"
LRS_HOME="${LRS_HOME:-$MASTERY_RUN_DIR/lrs}"
export MASTERY_LOCAL_LRS MASTERY_RUN_DIR MASTERY_USER LRS_HOME

.venv/bin/python -m lti_tool tool-config
.venv/bin/python -m lti_tool platform list
echo
echo "MASTERY Tool on $TOOL_BASE_URL with its grade and xAPI workers (Ctrl+C stops everything)"
exec .venv/bin/supervisord -c config/supervisord.conf
