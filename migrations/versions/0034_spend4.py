"""Spend sums by kind of supplier (spend_class_sums): each buyer's supplier sums netted, then
added up by the kind of supplier (VCSE, SME, local, deprivation), so that a spend report reads a
few hundred rows a buyer rather than one a supplier (issue 18: 1,000,000 lines); which
classification each buyer's were built with (spend_class_sums_built); and the stamp drawn afresh
whenever a fact behind a classification changes (spend_kinds_stamp); and indexes of the
supplier sums by name and by organisation, so that a match or a contract's months refresh a few
suppliers' sums without reading the buyer's all. Left empty here: a report
counts from the supplier sums until a buyer's are built (by its next import or match, by the
recoverer within a minute, or by `flask spend rebuild-kinds`).

Revision ID: 0034_spend4
Revises: 0033_sv_figures
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0034_spend4"
down_revision = "0033_sv_figures"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("spend_summaries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_spend_summaries_buyer_supplier_key", ["buyer_id", "supplier_key"], unique=False
        )
        batch_op.create_index(
            "ix_spend_summaries_buyer_organisation", ["buyer_id", "organisation_id"], unique=False
        )
    op.create_table(
        "spend_class_sums",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=12), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=True),
        sa.Column("cls", sa.Integer(), nullable=False),
        sa.Column("spend", sa.BigInteger(), nullable=False),
        sa.Column("counted", sa.BigInteger(), nullable=False),
        sa.Column("suppliers", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["organisations.id"],
            name=op.f("fk_spend_class_sums_buyer_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_class_sums")),
    )
    with op.batch_alter_table("spend_class_sums", schema=None) as batch_op:
        batch_op.create_index(
            "ix_spend_class_sums_buyer_dimension", ["buyer_id", "dimension", "period"], unique=False
        )
    op.create_table(
        "spend_class_sums_built",
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["organisations.id"],
            name=op.f("fk_spend_class_sums_built_buyer_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("buyer_id", name=op.f("pk_spend_class_sums_built")),
    )
    stamp = op.create_table(
        "spend_kinds_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_kinds_stamp")),
    )
    op.bulk_insert(stamp, [{"id": 1, "stamp": secrets.randbits(62) + 1}])


def downgrade():
    with op.batch_alter_table("spend_summaries", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_summaries_buyer_organisation")
        batch_op.drop_index("ix_spend_summaries_buyer_supplier_key")
    op.drop_table("spend_kinds_stamp")
    op.drop_table("spend_class_sums_built")
    with op.batch_alter_table("spend_class_sums", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_class_sums_buyer_dimension")
    op.drop_table("spend_class_sums")
