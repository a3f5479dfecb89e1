#!/usr/bin/env bash
# Make a local PostgreSQL 15 ready for the test suite and print its URL on stdout.
# Installs Debian's postgresql if missing, starts the cluster, creates a role that may create databases
# (each test session makes and drops its own database). Idempotent; needs root (CI and dev machines are root).
set -euo pipefail
ROLE=${PG_TEST_ROLE:-mastery_test}
PASSWORD=${PG_TEST_PASSWORD:-mastery_test_pw}
PORT=${PG_TEST_PORT:-5432}

log() { echo "[postgres] $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing postgresql from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$VERSION/main"; then
  log "creating cluster $VERSION/main"
  pg_createcluster "$VERSION" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  log "starting cluster $VERSION/main"
  pg_ctlcluster "$VERSION" main start >&2
fi
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q -p "$PORT" && break
  sleep 0.5
done
runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  ELSE
    ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END \$\$;
-- DROP DATABASE … WITH (FORCE) ends the other sessions on the test database; an autovacuum worker there is not
-- the role's own process, and without this the drop fails ("must be a member of pg_signal_backend").
GRANT pg_signal_backend TO $ROLE;
SQL
if ! runuser -u postgres -- psql -p "$PORT" -qtAc "SELECT 1 FROM pg_database WHERE datname='$ROLE'" | grep -q 1; then
  runuser -u postgres -- createdb -p "$PORT" -O "$ROLE" "$ROLE" >&2
fi
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$ROLE"
