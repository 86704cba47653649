"""Search with words and a region or a lot, on the open set, from one index (issue 21).

The open set's GIN index of words (0026) becomes a GIN index of the words, the region, the kind
of place and the lot (``btree_gin`` lets a GIN index hold plain columns). An open search with
words and a region or a lot then finds its matches in the index alone, instead of reading every
open match of its words from the table to check the region on each: at 1,000,000 opportunities
a common word with a region went from 93-125 ms to 10 ms, and with a lot from 11 to 2-4 ms
(``bench/RESULTS.md``). Words alone use it as they used the old index.

``btree_gin`` ships with PostgreSQL (contrib) and is a trusted extension: a database's owner may
create it without being a superuser.

Revision ID: 0037_search_open_by
Revises: 0036_spend6
"""

from alembic import op

revision = "0037_search_open_by"
down_revision = "0036_spend6"
branch_labels = None
depends_on = None

OPEN_SET = "status = 'published' AND closed_recorded_at IS NULL"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(
        "CREATE INDEX ix_opportunities_search_open_by ON opportunities USING gin "
        f"(search_vector, region_code, location_type, lot_id) WHERE {OPEN_SET}"
    )
    op.execute("DROP INDEX IF EXISTS ix_opportunities_search_open")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX ix_opportunities_search_open ON opportunities USING gin (search_vector) "
        f"WHERE {OPEN_SET}"
    )
    op.execute("DROP INDEX IF EXISTS ix_opportunities_search_open_by")
