#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster on 127.0.0.1 and make a `certmint` superuser for the tests.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -q && break
  sleep 1
done
pg_isready -h 127.0.0.1
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'certmint') THEN
    CREATE ROLE certmint LOGIN SUPERUSER PASSWORD 'certmint';
  END IF;
END $$;
SQL
