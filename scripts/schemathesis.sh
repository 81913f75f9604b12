#!/usr/bin/env bash
# Runs schemathesis, with all its checks (every check is on unless
# tools/schemathesis.toml turns one off for an operation, with its reason), against the live service on a fresh
# database: the spec quality gate that exercises every documented operation.
#   scripts/schemathesis.sh SERVER_URL      (a PostgreSQL URL; its server hosts the run's database)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
server_url=${1:?usage: scripts/schemathesis.sh SERVER_URL}
examples=${SCHEMATHESIS_MAX_EXAMPLES:-50}
db=ccc_schemathesis
base=${server_url%/*}
psql "$server_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
psql "$server_url" -qc "CREATE DATABASE $db" >/dev/null

# The demo directory gives search something to find.
DATABASE_URL="$base/$db" RUST_LOG=warn "$root/target/debug/ccc" seed-demo >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$root/target/schemathesis-server.log"
admin_email=schemathesis-admin@ccc.localhost
admin_password=$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')
DATABASE_URL="$base/$db" PORT=$port WORKERS=2 RUST_LOG=warn \
  JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') \
  BOOTSTRAP_ADMIN_EMAIL=$admin_email BOOTSTRAP_ADMIN_PASSWORD=$admin_password \
  "$root/target/debug/ccc" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done

# The referral and family operations are exercised as a coordinator and a
# referrer, then every operation as the network admin.
token=$(curl -fs -H 'content-type: application/json' \
  -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" \
  "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
auth=(-H "Authorization: Bearer $token")
# The cases are made first: the admin's run fuzzes the login, and its failures
# from this one address would hold later logins back.
eval "$(python3 "$root/scripts/schemathesis-cases.py" "http://127.0.0.1:$port" "$base/$db" "$token")"
# A partner's intake through the Python client generated from the spec.
PYTHONPATH="$root/target/clients/python" "$root/.tools/venv/bin/python" \
  "$root/scripts/client-scenario.py" "http://127.0.0.1:$port"
# The network admin meets 403 on every family route, so the referral logic is
# fuzzed as a centre's coordinator and as the referrer, over a referral
# that has reached the centre (scripts/schemathesis-cases.py).
for role in COORDINATOR REFERRER; do
  role_token_var="CCC_${role}_TOKEN"
  echo "== schemathesis as the ${role,,} =="
  "$root/.tools/venv/bin/schemathesis" --config-file "$root/tools/schemathesis-cases.toml" \
    run "http://127.0.0.1:$port/api-docs/openapi.json" \
    --url "http://127.0.0.1:$port" \
    --include-path-regex '^/api/v1/(referrals|families)' \
    --max-examples "$examples" \
    --seed 1 \
    --no-color \
    -H "Authorization: Bearer ${!role_token_var}"
done

# Then every operation as the network admin, who may call them all. Last,
# because its stateful phase follows links (GET /users, then disable one of
# them) and may disable the accounts the runs above use.
echo "== schemathesis as the network admin =="
"$root/.tools/venv/bin/schemathesis" --config-file "$root/tools/schemathesis.toml" \
  run "http://127.0.0.1:$port/api-docs/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --max-examples "$examples" \
  --seed 1 \
  --no-color \
  "${auth[@]}"
