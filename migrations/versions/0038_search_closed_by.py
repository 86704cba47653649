"""Search with words among closed (or all) opportunities, from the indexes of the part of the
table that is no longer open (issue 21).

Every public opportunity is either in the open set (published and not yet marked closed by the
closing job, which 0026 and 0037 index) or in the rest: marked closed, awarded, cancelled or
without a suitable bid. This indexes the rest the same way: a GIN index of its words, region,
kind of place and lot, and a btree of its ids. A search with words of closed or all
opportunities then reads the newest matches of each part and merges them, instead of walking
the whole table back from the newest id (at 1,000,000 opportunities a closed search for a
common word read past the 100,000 open ones first: 90-180 ms, now 12-20 ms).

Plain CREATE INDEX blocks writes to opportunities while it builds (30.5 s for the GIN index at
1,000,000). On a big live table, build both first with CREATE INDEX CONCURRENTLY under the same
names and predicates: this migration then leaves them as they are (IF NOT EXISTS).

Revision ID: 0038_search_closed_by
Revises: 0037_search_open_by
"""

from alembic import op

revision = "0038_search_closed_by"
down_revision = "0037_search_open_by"
branch_labels = None
depends_on = None

# Written as the search writes it (the public statuses and lots.search.queries._MARKED), so
# that PostgreSQL sees its conditions imply the indexes' predicate.
MARKED = (
    "status IN ('published', 'awarded', 'cancelled', 'no_suitable_bid') "
    "AND (status <> 'published' OR closed_recorded_at IS NOT NULL)"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_opportunities_search_closed_by ON opportunities USING gin "
        f"(search_vector, region_code, location_type, lot_id) WHERE {MARKED}"
    )
    op.execute(
        f"CREATE INDEX IF NOT EXISTS ix_opportunities_closed_id ON opportunities (id) WHERE {MARKED}"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_opportunities_closed_id")
    op.execute("DROP INDEX IF EXISTS ix_opportunities_search_closed_by")
