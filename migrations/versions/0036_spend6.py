"""Spend sums by kind of supplier for each source (issue 18): spend_class_sums gains ``source``
('all' for every source's lines together, else 'dps_contract' or 'upload'), so that a report of
one source (the DPS's contracts, or the buyer's own spend files) reads them too, rather than
counting from the supplier sums (about 2 s at 1,000,000 lines). A supplier's credits are set
against its payments within what a report covers, so the rows of every source together are
kept beside each source's, not added up from them. The index leads with the buyer, dimension
and source. The rows held are dropped with the marks of what they were built with: a report
counts from the supplier sums until each buyer's are built again, for every source (by its next
import or match, by the recoverer within a minute, or by `flask spend rebuild-kinds`).

Revision ID: 0036_spend6
Revises: 0035_sv4
"""

import sqlalchemy as sa
from alembic import op

revision = "0036_spend6"
down_revision = "0035_sv4"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("DELETE FROM spend_class_sums_built"))
    op.execute(sa.text("DELETE FROM spend_class_sums"))
    with op.batch_alter_table("spend_class_sums", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=20), nullable=False, server_default="all")
        )
        batch_op.drop_index("ix_spend_class_sums_buyer_dimension")
        batch_op.create_index(
            "ix_spend_class_sums_buyer_dimension_source",
            ["buyer_id", "dimension", "source", "period"],
            unique=False,
        )


def downgrade():
    op.execute(sa.text("DELETE FROM spend_class_sums_built"))
    op.execute(sa.text("DELETE FROM spend_class_sums"))
    with op.batch_alter_table("spend_class_sums", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_class_sums_buyer_dimension_source")
        batch_op.drop_column("source")
        batch_op.create_index(
            "ix_spend_class_sums_buyer_dimension", ["buyer_id", "dimension", "period"], unique=False
        )
