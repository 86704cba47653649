"""Search sorted by value (issue 21): a btree index of opportunities by estimated value and id.

A search whose words are in more than 1,000 notices reads its page in the order asked for
(``lots.search.queries._in_order``): by closing date and by publication date an index gave that
order already, by value nothing did, so every match was sorted. At 1,000,000 opportunities a
common word with "closed" or "all" sorted by value took about a second; walking this index it
takes 9 to 170 ms (bench/RESULTS.md).

Revision ID: 0032_search2
Revises: 0031_benches
"""

from alembic import op

revision = "0032_search2"
down_revision = "0031_benches"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_opportunities_value", ["estimated_value_pence", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_value")
