#!/usr/bin/env bash
# `make test`: start what the suite needs (PostgreSQL, and the other services as later parts add them),
# then run pytest once; every database test runs on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  TEST_DATABASE_URL=$(bash scripts/postgres-for-tests.sh)
  export TEST_DATABASE_URL
fi
export REQUIRE_POSTGRES=1 REQUIRE_BROWSER=1
for setup in scripts/test-setup.d/*.sh; do
  [ -e "$setup" ] && bash "$setup"
done
.venv/bin/ruff check lti_tool tests bench
# Every shipped unit must meet the authoring rules (docs/authoring.md): warnings fail too.
.venv/bin/mastery content check --strict
.venv/bin/mypy  # lti_tool/, configured in pyproject.toml
# Parallel workers (pytest-xdist): most of a test's time is spent waiting on servers, PostgreSQL, Ralph or
# Chromium, so three workers keep two cores busy. PYTEST_WORKERS=0 runs in one process.
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-3}" --dist worksteal "$@"
