#!/bin/sh
# Put the open set's search index as it was before migration 0037 ("before": words only) or after
# it ("after": words, region, kind of place and lot), on a database bench/search_bench.py seeded,
# so that an A/B of two checkouts runs each with its own index:
#     bench/search_index.sh vcse_bench_search before|after
set -e
DB=$1
OPEN="WHERE status = 'published' AND closed_recorded_at IS NULL"
run() { psql -q -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -d "$DB" -c "$1"; }
case "$2" in
after)
  run "CREATE EXTENSION IF NOT EXISTS btree_gin"
  run "CREATE INDEX IF NOT EXISTS ix_opportunities_search_open_by ON opportunities USING gin (search_vector, region_code, location_type, lot_id) $OPEN"
  run "DROP INDEX IF EXISTS ix_opportunities_search_open" ;;
before)
  run "CREATE INDEX IF NOT EXISTS ix_opportunities_search_open ON opportunities USING gin (search_vector) $OPEN"
  run "DROP INDEX IF EXISTS ix_opportunities_search_open_by" ;;
*) echo "usage: $0 DATABASE before|after" >&2; exit 2 ;;
esac
run "ANALYZE opportunities"
