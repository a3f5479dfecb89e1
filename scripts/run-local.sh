#!/usr/bin/env bash
# `make run`: the tool under gunicorn on the embedded defaults, after printing what an LMS admin pastes.
set -euo pipefail
cd "$(dirname "$0")/.."
FLASK=".venv/bin/flask --app lti_tool"
export TOOL_BASE_URL="${TOOL_BASE_URL:-http://127.0.0.1:${PORT:-5000}}"
if [ -x scripts/lrs/start.sh ] && [ -z "${LRS_URL:-}" ]; then
  bash scripts/lrs/install.sh
  mkdir -p instance/lrs
  bash scripts/lrs/start.sh > instance/lrs/ralph.log 2>&1 &
  LRS_PID=$!
  trap 'kill $LRS_PID 2>/dev/null || true' EXIT
  echo "Local Ralph LRS starting on http://127.0.0.1:${LRS_PORT:-8100}/xAPI/ (log: instance/lrs/ralph.log)"
fi
$FLASK tool-config
$FLASK platform list
echo
echo "MASTERY Tool on ${TOOL_BASE_URL:-http://127.0.0.1:$PORT} (Ctrl+C to stop)"
.venv/bin/gunicorn -c config/gunicorn.conf.py 'lti_tool:create_app()'
