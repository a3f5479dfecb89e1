#!/usr/bin/env bash
# The Ralph LRS in its own venv (scripts/lrs/install.sh is idempotent); tests start it themselves.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/lrs/install.sh >&2
