"""Open opportunities newest first and by value: two indexes of the open set (issue 21).

A search with words of open opportunities finds its newest 1,001 matches (``lots.search.
queries``, ``found``). For a word in most open notices, no index gave the open set in id order:
PostgreSQL read every open opportunity (from the index of their deadlines), kept the matches,
ranked each and sorted them all by id. At 100,000 opportunities, a word in 9,404 of the 10,909
open ones took 24 ms; walking an index of the open set's ids back from the newest, it stops at
the 1,001st match, after 1,163 rows: 2 ms. For a rarer word PostgreSQL still reads the matches
from the open set's index of words. The index holds the ids negated (the search orders by
``-id``): an index of plain ids, PostgreSQL also chose for the searches that look among the
newest ids only (``id > floor``), taking the open set for spread over the whole table, and at
1,000,000 read ten times the rows it expected (two words, 16 to 35 ms).

With more than 1,000 matches, sorted by value, the page is read from an index in that order:
the whole table's passed every closed opportunity among the open ones (at 1,000,000, page 7 of
one word by lowest value, 63 ms; from the open set's own, 9 ms).

Plain CREATE INDEX blocks writes to opportunities while it builds. On a big live table, build them
first with CREATE INDEX CONCURRENTLY under the same names and predicates: this migration then
leaves them as they are (IF NOT EXISTS).

Revision ID: 0041_search_open_newest
Revises: 0040_search_closed_newest
"""

from alembic import op

revision = "0041_search_open_newest"
down_revision = "0040_search_closed_newest"
branch_labels = None
depends_on = None

# As 0026 writes it (lots.opportunities.models.OPEN_SET).
OPEN_SET = "status = 'published' AND closed_recorded_at IS NULL"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_opportunities_open_newest ON opportunities ((-id)) "
        f"WHERE {OPEN_SET}"
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_opportunities_open_value ON opportunities "
        f"(estimated_value_pence, id) WHERE {OPEN_SET}"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_opportunities_open_value")
    op.execute("DROP INDEX IF EXISTS ix_opportunities_open_newest")
