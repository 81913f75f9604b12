#!/usr/bin/env bash
# Drops the databases the integration tests made (ccc_test_*) on the server of
# the URL given, so that repeated runs do not fill the cluster.
set -euo pipefail
url=${1:?usage: scripts/test-dbs.sh SERVER_URL}
for db in $(psql "$url" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'ccc\_test\_%'"); do
  psql "$url" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done
