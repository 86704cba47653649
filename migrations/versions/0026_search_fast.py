"""Search that stays fast when every query is new (issue 21): partial indexes of the open set.

An open opportunity is published and not yet marked closed by the closing job (which marks only
those past their deadline; a deadline never moves once passed), so indexes restricted to
``status = 'published' AND closed_recorded_at IS NULL`` hold every open opportunity and few
others. Search adds that condition to its "open" filter, so that:

- the words of an open search are looked up in a GIN index of the open set only (PostgreSQL):
  a tenth of the entries, so a common word's bitmap is a tenth of the size;
- the open listing by closing date comes from a small btree index of the open set.

(A btree of the open set by id was tried for "the newest matches": PostgreSQL then walked it
back through every open opportunity for a rare word, so it is not made.)

Measured with bench/search_bench.py (bench/RESULTS.md).

Revision ID: 0026_search_fast
Revises: 0025_bid_help
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_search_fast"
down_revision = "0025_bid_help"
branch_labels = None
depends_on = None

OPEN_SET = sa.text("status = 'published' AND closed_recorded_at IS NULL")


def upgrade():
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_opportunities_open_deadline",
            ["submission_deadline", "id"],
            unique=False,
            postgresql_where=OPEN_SET,
            sqlite_where=OPEN_SET,
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_opportunities_search_open ON opportunities USING gin "
            "(search_vector) WHERE status = 'published' AND closed_recorded_at IS NULL"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_opportunities_search_open")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_open_deadline")
