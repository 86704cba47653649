"""Search with words and a region among closed (or all) opportunities: the marked part's ids by
region, and its national ones (issue 21).

A closed search for a common word in one region wants the newest thousand matches there. Read
from the marked part's ids (0038) newest first, every marked opportunity of every region was
read on the way: at 1,000,000 opportunities, "youth" in one region read 57,343 rows (117 ms). By
region and id, only the region's own are read (1,001 matches in 15 ms); the national ones, which
count in every region, are read from their own index of ids and merged
(``lots.search.queries._PLACES``). (A lot's matches are fewer, and the GIN index of 0038, which
holds the lot beside the words, already finds them in a few milliseconds.)

PostgreSQL takes the region's index only when it knows that reading a page of the table in no
particular order costs about what reading the next one does: ``config.engine_options`` says so
(``random_page_cost``).

Plain CREATE INDEX blocks writes to opportunities while it builds (2.0 s and 0.4 s at
1,000,000). On a big live table, build them first with CREATE INDEX CONCURRENTLY under the same
names and predicates: this migration then leaves them as they are (IF NOT EXISTS).

Revision ID: 0039_search_closed_places
Revises: 0038_search_closed_by
"""

from alembic import op

revision = "0039_search_closed_places"
down_revision = "0038_search_closed_by"
branch_labels = None
depends_on = None

# As 0038 writes it (lots.search.queries._MARKED with the public statuses).
MARKED = (
    "status IN ('published', 'awarded', 'cancelled', 'no_suitable_bid') "
    "AND (status <> 'published' OR closed_recorded_at IS NOT NULL)"
)
INDEXES = {
    "ix_opportunities_closed_region_id": f"(region_code, id) WHERE {MARKED}",
    "ix_opportunities_closed_national_id": f"(id) WHERE {MARKED} AND location_type = 'national'",
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON opportunities {definition}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
