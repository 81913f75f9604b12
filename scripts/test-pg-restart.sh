#!/usr/bin/env bash
# Checks that scripts/pg.sh brings a stopped cluster back on the port it had,
# even while sockets of its last run sit in TIME_WAIT: a running service keeps
# its DATABASE_URL and recovers by itself once the database is back.
#
# Runs a throwaway copy of pg.sh in a temporary checkout, so the cluster the
# tests use is never touched.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d /tmp/ccc-pg-restart.XXXXXX)
chmod 755 "$scratch"
mkdir -p "$scratch/scripts"
cp "$root/scripts/pg.sh" "$scratch/scripts/pg.sh"
pg="$scratch/scripts/pg.sh"
cleanup() { "$pg" stop >/dev/null 2>&1 || true; rm -rf "$scratch" "$(readlink -f "$scratch/.pg" 2>/dev/null || true)"; }
trap cleanup EXIT

"$pg" start >/dev/null
first=$("$pg" url)
# Open and close connections so the server side leaves sockets in TIME_WAIT
# when it stops.
for _ in 1 2 3; do "$pg" psql -d ccc -tAc 'SELECT 1' >/dev/null; done
"$pg" psql -d ccc -tAc 'SELECT pg_sleep(5)' >/dev/null 2>&1 &
sleep 0.5
"$pg" stop >/dev/null
wait || true
port=${first##*:}; port=${port%%/*}
if ! ss -tan 2>/dev/null | grep -q ":$port .*TIME-WAIT\|TIME-WAIT.*:$port "; then
  echo "test-pg-restart: note: no TIME_WAIT socket on $port this time" >&2
fi
"$pg" start >/dev/null
second=$("$pg" url)
if [ "$first" != "$second" ]; then
  echo "test-pg-restart: FAILED: the cluster came back on $second, not $first" >&2
  exit 1
fi
echo "test-pg-restart: the cluster came back on the same port ($port)"
