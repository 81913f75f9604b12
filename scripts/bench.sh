#!/usr/bin/env bash
# `make bench`: the release build on a fresh database holding the demo
# directory and the full postcode table, loaded over loopback by wrk with 64
# connections. Prints requests per second, p50 and p99 for each
# endpoint, and its ratio to /health (the ceiling of the HTTP stack here).
#   scripts/bench.sh SERVER_URL     (a PostgreSQL URL; its server hosts the bench database)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
server_url=${1:?usage: scripts/bench.sh SERVER_URL}
duration=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-64}
db=ccc_bench
base=${server_url%/*}
work=$(mktemp -d)

psql "$server_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
psql "$server_url" -qc "CREATE DATABASE $db" >/dev/null

postcodes=${BENCH_POSTCODES:-$root/../shared/data/codepoint-open/postcodes.csv.gz}
if [ -f "$postcodes" ]; then
  DATABASE_URL="$base/$db" RUST_LOG=info "$root/target/release/ccc" import-postcodes "$postcodes" 2>&1 | sed 's/^.*INFO  ccc\] //' | cut -c1-110
else
  echo "warning: $postcodes not found; searching by district centroids only" >&2
fi
DATABASE_URL="$base/$db" RUST_LOG=info "$root/target/release/ccc" seed-demo 2>&1 | sed 's/^.*INFO  ccc\] //'

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin_password=$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')
DATABASE_URL="$base/$db" PORT=$port RUST_LOG=warn DB_POOL_SIZE=32 \
  JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') \
  BOOTSTRAP_ADMIN_EMAIL=bench-admin@ccc.localhost BOOTSTRAP_ADMIN_PASSWORD=$admin_password \
  "$root/target/release/ccc" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$url/ready" >/dev/null 2>&1 && break; sleep 0.2; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
token=$(curl -fs -H 'content-type: application/json' \
  -d "{\"email\":\"bench-admin@ccc.localhost\",\"password\":\"$admin_password\"}" "$url/api/v1/auth/login" | json '["access_token"]')
# A demo centre (with its venues) for the detail, and the client's centre.
centre=$(curl -fs "$url/api/v1/centres?postcode=CA1&limit=1" | json '["items"][0]["id"]')
# A coordinator of that centre, with thousands of referrals to list.
referrals=${BENCH_REFERRALS:-5000}
curl -fs -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"email\":\"bench-coordinator@ccc.localhost\",\"name\":\"Bench Coordinator\",\"role\":\"coordinator\",\"centre_ids\":[\"$centre\"]}" \
  "$url/api/v1/users" >/dev/null
invite=$(psql "$base/$db" -qAt -c "SELECT payload->>'token' FROM notifications_outbox WHERE recipient = 'bench-coordinator@ccc.localhost'")
curl -fs -H 'content-type: application/json' -d "{\"token\":\"$invite\",\"password\":\"$admin_password\"}" \
  "$url/api/v1/auth/accept-invitation" >/dev/null
coordinator=$(curl -fs -H 'content-type: application/json' \
  -d "{\"email\":\"bench-coordinator@ccc.localhost\",\"password\":\"$admin_password\"}" "$url/api/v1/auth/login" | json '["access_token"]')
psql "$base/$db" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO referrals (id, centre_id, service, status, source, created_by_user, referrer_name,
                       referrer_email, communication_level, submitted_at, created_at)
SELECT gen_random_uuid(), '$centre', 'supported', 'submitted', 'professional',
       (SELECT id FROM users WHERE email = 'bench-coordinator@ccc.localhost'),
       'Bench Referrer', 'referrer@bench.example', 'none',
       now() - n * interval '1 minute', now() - n * interval '1 minute'
FROM generate_series(1, $referrals) AS n;
INSERT INTO referral_children (id, referral_id, name, name_key, date_of_birth, position)
SELECT gen_random_uuid(), id, 'Child', 'child', date '2018-01-01', 0 FROM referrals;
ANALYZE referrals; ANALYZE referral_children;
SQL
echo "seeded $referrals referrals at the centre"

client=$(curl -fs -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"name\":\"Bench\",\"scopes\":[\"centres:read\"],\"centre_id\":\"$centre\"}" "$url/api/v1/integration-clients")
client_id=$(echo "$client" | json '["client"]["id"]')
client_secret=$(echo "$client" | json '["client_secret"]')

cat >"$work/token.lua" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&client_id=$client_id&client_secret=$client_secret"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA

# run NAME PATH [wrk args...]: prints "NAME rps p50 p99".
run() {
  local name=$1 path=$2; shift 2
  local out
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$url$path")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$name $rps $p50 $p99 ${non2xx:-0}"
}

# Nearest-centre search by full postcode, cycling through the demo venues'
# postcodes (real ones across Great Britain) so that no two requests in a row
# look up the same point.
{
  echo "local postcodes = {"
  grep -v '^#' "$root/data/demo-venues.csv" | tail -n +2 | cut -d, -f5 | sed 's/ /%20/; s/.*/"&",/'
  echo "}"
  echo "local i = 0"
  echo "request = function()"
  echo "  i = i % #postcodes + 1"
  echo "  return wrk.format('GET', '/api/v1/centres?service=supervised&postcode=' .. postcodes[i])"
  echo "end"
} >"$work/search.lua"

results=()
results+=("$(run health /health)")
results+=("$(run search-by-postcode /api/v1/centres -s "$work/search.lua")")
results+=("$(run search-by-district "/api/v1/centres?service=supervised&postcode=CA1")")
results+=("$(run centre-detail /api/v1/centres/$centre)")
results+=("$(run coordinator-referrals "/api/v1/referrals?limit=25" -H "Authorization: Bearer $coordinator")")
results+=("$(run me-authenticated /api/v1/me -H "Authorization: Bearer $token")")
results+=("$(run audit-list /api/v1/audit?limit=25 -H "Authorization: Bearer $token")")
results+=("$(run client-token-audited /api/v1/auth/token -s "$work/token.lua")")

ceiling=$(awk '{print $2}' <<<"${results[0]}")
printf '\n%-22s %12s %10s %10s %8s %8s\n' endpoint "req/s" p50 p99 ratio non-2xx
for r in "${results[@]}"; do
  read -r name rps p50 p99 non <<<"$r"
  printf '%-22s %12s %10s %10s %8s %8s\n' "$name" "$rps" "$p50" "$p99" \
    "$(python3 -c "print(f'{$rps/$ceiling:.2f}')")" "$non"
done

# The database cost of one audit row, measured on its own: 10,000 inserts.
echo
psql "$base/$db" -qAt -c "EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO audit_events (id, actor_kind, action, resource_type, outcome) \
  SELECT gen_random_uuid(), 'system', 'bench', 'bench', 'success' FROM generate_series(1, 10000)" \
  | python3 -c "import json,sys; t=json.load(sys.stdin)[0]['Execution Time']; print(f'audit insert: {t*1000/10000:.1f} us per row ({t:.1f} ms for 10,000 rows)')"

# A deep page at a centre with many referrals: the database time of the
# keyset condition the lists use, a row comparison that seeks the
# (centre_id, created_at, id) index, against the OR form it replaced, which
# reads every newer row. Both at the same cursor, 90% of the way down.
deep=${BENCH_DEEP_ROWS:-1000000}
deep_centre=$(curl -fs "$url/api/v1/centres?postcode=EH1&limit=1" | json '["items"][0]["id"]')
psql "$base/$db" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO referrals (id, centre_id, service, status, source, created_by_user, referrer_name,
                       referrer_email, communication_level, submitted_at, created_at)
SELECT gen_random_uuid(), '$deep_centre', 'supported', 'submitted', 'professional',
       (SELECT id FROM users WHERE email = 'bench-coordinator@ccc.localhost'),
       'Bench Referrer', 'referrer@bench.example', 'none',
       now() - n * interval '1 second', now() - n * interval '1 second'
FROM generate_series(1, $deep) AS n;
ANALYZE referrals;
SQL
IFS='|' read -r cursor_at cursor_id < <(psql "$base/$db" -qAt -F'|' -c "SELECT created_at, id FROM referrals \
  WHERE centre_id = '$deep_centre' ORDER BY created_at DESC, id DESC OFFSET $((deep * 9 / 10)) LIMIT 1")
plan_ms() {
  psql "$base/$db" -qAt -c "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM referrals WHERE centre_id = '$deep_centre' \
    AND $1 ORDER BY created_at DESC, id DESC LIMIT 26" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['Execution Time'])"
}
row_ms=$(plan_ms "(created_at, id) < ('$cursor_at', '$cursor_id')")
or_ms=$(plan_ms "(created_at < '$cursor_at' OR (created_at = '$cursor_at' AND id < '$cursor_id'))")
echo "deep page at $deep referrals (90% down): row comparison ${row_ms} ms, OR form ${or_ms} ms \
($(python3 -c "print(f'{$or_ms/$row_ms:.0f}')")x)"
