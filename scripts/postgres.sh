#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests; print the export line.
#   eval "$(scripts/postgres.sh start)"   ...   scripts/postgres.sh stop
set -euo pipefail
PGPORT=${KPIRULES_PG_PORT:-55432}
PGROOT=${KPIRULES_PG_DIR:-/tmp/kpirules-pg}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_pg() {
  # from / so that the postgres user can always enter the working directory
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
case "${1:-start}" in
  start)
    if [ -f "$PGROOT/data/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$PGROOT"; mkdir -p "$PGROOT"
    [ "$(id -u)" = 0 ] && chown postgres "$PGROOT"
    as_pg "$PGBIN/initdb" -D "$PGROOT/data" -A trust -U postgres >/dev/null
    as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/log" -w \
      -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1" start >/dev/null
    echo "export KPIRULES_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
    ;;
  stop)
    as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
