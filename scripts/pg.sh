#!/usr/bin/env bash
# A project-local PostgreSQL cluster for `make run` and `make test`, used when
# DATABASE_URL is not set.
#
#   scripts/pg.sh start        create (first time) and start the cluster; make the `ccc` database
#   scripts/pg.sh stop         stop the cluster
#   scripts/pg.sh url [DB]     print the URL of database DB (default ccc)
#   scripts/pg.sh psql ARGS    run psql against the cluster as the postgres user
#
# The cluster lives in .pg/ in the checkout. As root it must be owned by the
# postgres user, who cannot reach a checkout under /root, so then it lives in
# /tmp/ccc-pg-<hash of the checkout path> and .pg is a link to it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
link="$root/.pg"
if [ "$(id -u)" = 0 ]; then
  base="/tmp/ccc-pg-$(printf '%s' "$root" | sha1sum | cut -c1-12)"
  as_pg=(runuser -u postgres --)
else
  base="$link"
  as_pg=()
fi
data="$base/data"
sock="$base/sock"
log="$base/postgres.log"
portfile="$base/port"

need() { command -v "$1" >/dev/null 2>&1 || { echo "pg.sh: $1 is not on PATH (install PostgreSQL 15 server binaries)" >&2; exit 1; }; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Whether another process listens on the port. SO_REUSEADDR, as PostgreSQL sets
# it, so that sockets of the last run still in TIME_WAIT do not count: a
# restarted cluster keeps its port, and a running service finds it again.
port_in_use() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)
PY
}

running() { [ -f "$data/postmaster.pid" ] && "${as_pg[@]}" pg_ctl -D "$data" status >/dev/null 2>&1; }

port() { cat "$portfile"; }

start() {
  need initdb; need pg_ctl; need psql
  mkdir -p "$base" "$sock"
  if [ "$base" != "$link" ]; then ln -sfn "$base" "$link"; fi
  if [ ! -s "$data/PG_VERSION" ]; then
    echo "pg.sh: creating a PostgreSQL cluster in $base"
    [ ${#as_pg[@]} -gt 0 ] && chown -R postgres:postgres "$base"
    "${as_pg[@]}" initdb -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 \
      || { cat "$base/initdb.log" >&2; exit 1; }
  fi
  [ ${#as_pg[@]} -gt 0 ] && chown -R postgres:postgres "$base"
  if ! running; then
    local p
    p=$(cat "$portfile" 2>/dev/null || true)
    if [ -z "$p" ] || port_in_use "$p"; then p=$(free_port); fi
    echo "$p" >"$portfile"
    "${as_pg[@]}" pg_ctl -D "$data" -l "$log" -w -t 60 \
      -o "-p $p -k $sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { tail -20 "$log" >&2; exit 1; }
    echo "pg.sh: PostgreSQL is running on 127.0.0.1:$p (data in $base)"
  fi
  ensure_db ccc
}

ensure_db() {
  local db=$1
  if ! psql -h 127.0.0.1 -p "$(port)" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$(port)" -U postgres -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null
  fi
}

stop() {
  if running; then
    "${as_pg[@]}" pg_ctl -D "$data" -m fast -w stop >/dev/null
    echo "pg.sh: PostgreSQL stopped"
  else
    echo "pg.sh: PostgreSQL is not running"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) running || { echo "pg.sh: not running; run scripts/pg.sh start" >&2; exit 1; }
       db=${2:-ccc}; ensure_db "$db"; echo "postgres://postgres@127.0.0.1:$(port)/$db" ;;
  psql) shift; psql -h 127.0.0.1 -p "$(port)" -U postgres "$@" ;;
  *) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac
