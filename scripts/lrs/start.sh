#!/usr/bin/env bash
# Start the embedded Ralph LRS on 127.0.0.1 (the tool's default LRS_URL is http://127.0.0.1:8100/xAPI/).
# Installs Ralph into its own venv if needed, (re)writes the Basic-auth credentials, then execs the
# launcher, so this process becomes the server (stop it with SIGTERM/Ctrl-C).
#
# Env (all optional):
#   LRS_PORT      port on 127.0.0.1                     (8100)
#   LRS_USERNAME  Basic-auth user the tool sends          (mastery)
#   LRS_PASSWORD  its password — a dev default only; set your own anywhere but a laptop
#                                                       (mastery-dev-secret)
#   LRS_HOME      auth.json, data/ (statements JSONL), history.json   (<repo>/instance/lrs)
#   LRS_VENV      Ralph's venv                           (<repo>/.lrs-venv)
#   LRS_LOG_LEVEL uvicorn log level                      (info)
#   RALPH_RUNSERVER_BACKEND  Ralph's LRS backend          (fs; docker-compose: mongo)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export LRS_VENV="${LRS_VENV:-$root/.lrs-venv}"
case "$LRS_VENV" in /*) ;; *) LRS_VENV="$root/$LRS_VENV" ;; esac
lrs_home="${LRS_HOME:-$root/instance/lrs}"
export LRS_PORT="${LRS_PORT:-8100}"
export LRS_USERNAME="${LRS_USERNAME:-mastery}"
export LRS_PASSWORD="${LRS_PASSWORD:-mastery-dev-secret}"

"$here/install.sh"
mkdir -p "$lrs_home/data"

# Ralph's settings are read from the environment; its defaults (backend `es`, files under ~/.config)
# are wrong for us, and `ralph auth` needs RUNSERVER_BACKEND set too. `fs` (one JSONL file, made kill-safe by
# launcher.py) for `make run` and the tests; docker-compose sets `mongo` (RALPH_BACKENDS__LRS__MONGO__*).
export RALPH_RUNSERVER_BACKEND="${RALPH_RUNSERVER_BACKEND:-fs}"
export RALPH_AUTH_FILE="$lrs_home/auth.json"
export RALPH_HISTORY_FILE="$lrs_home/history.json"
export RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH="$lrs_home/data"

# The credentials file is derived from LRS_USERNAME/LRS_PASSWORD: rewrite it on every start so a changed
# password takes effect (`ralph auth -w` appends, and would keep the old entry). `ralph auth` runs
# in-process so the password never appears in a process list.
rm -f "$RALPH_AUTH_FILE"
"$LRS_VENV/bin/python" - <<'PY'
import os
import sys

from ralph.__main__ import cli

user = os.environ["LRS_USERNAME"]
sys.argv = ["ralph", "auth", "-u", user, "-p", os.environ["LRS_PASSWORD"], "-s", "all",
            # The authority Ralph stamps on stored statements: the tool's own account (no e-mail: the
            # mbox check refuses reserved domains).
            "-A", user, os.environ.get("TOOL_BASE_URL", "http://127.0.0.1:5000"),
            "-N", "MASTERY Tool", "-w"]
try:
    cli.cli()
except SystemExit as done:
    if done.code:
        raise
PY
chmod 600 "$RALPH_AUTH_FILE"
unset LRS_PASSWORD

exec "$LRS_VENV/bin/python" "$here/launcher.py" --host "${LRS_HOST:-127.0.0.1}" --port "$LRS_PORT"
