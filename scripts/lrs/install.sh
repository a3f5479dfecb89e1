#!/usr/bin/env bash
# Install the Ralph LRS into its own venv (never the tool's venv: Ralph pins its own FastAPI/pydantic stack).
# Idempotent: does nothing when the venv already has the pinned version.
# Env: LRS_VENV (default .lrs-venv under the repository root), PYTHON (default python3).
set -euo pipefail

RALPH_VERSION="5.1.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${LRS_VENV:-$root/.lrs-venv}"
case "$venv" in /*) ;; *) venv="$root/$venv" ;; esac
python="${PYTHON:-python3}"

installed_version() {
  "$venv/bin/python" - <<'PY' 2>/dev/null
from importlib.metadata import version
import requests, uvicorn  # noqa: F401  (both must be importable for the launcher and `ralph auth`)
print(version("ralph-malph"))
PY
}

if [ -x "$venv/bin/python" ] && [ "$(installed_version || true)" = "$RALPH_VERSION" ]; then
  exit 0
fi

echo "Installing Ralph LRS $RALPH_VERSION into $venv" >&2
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# `requests` is missing from Ralph's extras although `ralph auth`/the CLI import it.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "ralph-malph[cli,lrs]==$RALPH_VERSION" requests
[ "$(installed_version)" = "$RALPH_VERSION" ] || { echo "Ralph install check failed in $venv" >&2; exit 1; }
