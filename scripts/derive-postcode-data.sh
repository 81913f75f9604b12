#!/usr/bin/env bash
# Derives the small tables committed from OS Code-Point Open:
#   migrations/2026-11-23-000003_postcode_districts/up.sql  one centroid per district
#   data/demo-venues.csv   real postcodes for the demo directory: the four lowest-numbered
#                          districts of each area (usually its post town), each at the
#                          best-positioned postcode nearest the district's centroid
# Run after a change to the import or the source file:
#   scripts/derive-postcode-data.sh [PATH]   (default ../shared/data/codepoint-open/postcodes.csv.gz)
# Contains OS data © Crown copyright and database right 2025.
# Contains Royal Mail data © Royal Mail copyright and database right 2025.
set -euo pipefail
cd "$(dirname "$0")/.."
source="${1:-../shared/data/codepoint-open/postcodes.csv.gz}"
attribution="Contains OS data © Crown copyright and database right 2025. Contains Royal Mail data © Royal Mail copyright and database right 2025."

scripts/pg.sh start >/dev/null
scripts/pg.sh psql -d postgres -qc "DROP DATABASE IF EXISTS ccc_derive WITH (FORCE)" -c "CREATE DATABASE ccc_derive"
url="$(scripts/pg.sh url ccc_derive)"
cargo build --quiet --bin ccc
DATABASE_URL="$url" target/debug/ccc import-postcodes "$source"

migration=migrations/2026-11-23-000003_postcode_districts
mkdir -p "$migration"
{
  echo "-- One centroid per Great Britain postcode district, derived from OS Code-Point"
  echo "-- Open by scripts/derive-postcode-data.sh (mean of each district's positioned"
  echo "-- postcodes, converted to WGS84 on import). \`ccc import-postcodes\` rebuilds"
  echo "-- this table from the full file."
  echo "-- $attribution"
  echo "INSERT INTO postcode_districts (outward, easting, northing, latitude, longitude, postcodes) VALUES"
  scripts/pg.sh psql -d ccc_derive -At -c "
    SELECT string_agg(format('(%L, %s, %s, %s, %s, %s)', outward, easting, northing,
                             round(latitude::numeric, 6), round(longitude::numeric, 6), postcodes),
                      E',\n' ORDER BY outward)
    FROM postcode_districts"
  echo "ON CONFLICT (outward) DO NOTHING;"
} > "$migration/up.sql"
echo "DELETE FROM postcode_districts;" > "$migration/down.sql"

scripts/pg.sh psql -d ccc_derive -q -c "CREATE TABLE areas (area text PRIMARY KEY, town text NOT NULL)" \
  -c "\\copy areas FROM 'data/postcode-areas.csv' WITH (FORMAT csv, HEADER true)"
{
  echo "# $attribution"
  scripts/pg.sh psql -d ccc_derive -q -c "\\copy (
    WITH ranked AS (
      SELECT d.*, a.area, a.town,
             row_number() OVER (PARTITION BY a.area
                                ORDER BY substring(d.outward FROM '[0-9]+')::int, d.outward) AS rank
      FROM postcode_districts d
      JOIN areas a ON a.area = substring(d.outward FROM '^[A-Z]+')
    )
    SELECT r.area, r.town, r.rank, r.outward, p.postcode,
           round(p.latitude::numeric, 6) AS latitude, round(p.longitude::numeric, 6) AS longitude
    FROM ranked r
    CROSS JOIN LATERAL (
      SELECT postcode, latitude, longitude FROM postcodes
      WHERE outward = r.outward AND positional_quality = 10
      ORDER BY (easting - r.easting)::bigint ^ 2 + (northing - r.northing)::bigint ^ 2, postcode
      LIMIT 1
    ) p
    WHERE r.rank <= 4
    ORDER BY r.area, r.rank
  ) TO STDOUT WITH (FORMAT csv, HEADER true)"
} > data/demo-venues.csv
scripts/pg.sh psql -d postgres -qc "DROP DATABASE ccc_derive WITH (FORCE)"
echo "wrote $migration/up.sql ($(grep -c "^('" "$migration/up.sql") districts) and data/demo-venues.csv ($(($(wc -l < data/demo-venues.csv) - 2)) venues)"
