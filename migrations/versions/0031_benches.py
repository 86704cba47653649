"""The figures social value reports read (social_value_figures: per commitment, what its
delivery records come to, kept in step with them by lots.awards.figures; built here from the
records already held), so that a place page and the operator's dashboard read a row per
commitment rather than every period of every contract. Left empty here: a commitment with no
row is worked out from its records when read (so figures held before this migration are right at
once), and `flask social-value rebuild-figures` stores them all.

Revision ID: 0031_benches
Revises: 0030_wishes
Create Date: 2026-12-05 12:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031_benches"
down_revision = "0030_wishes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "social_value_figures",
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.String(length=60), nullable=True),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("quarters", sa.JSON(), nullable=False),
        sa.Column("landing", sa.JSON(), nullable=False),
        sa.Column("councils", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["social_value_commitments.id"],
            name=op.f("fk_social_value_figures_commitment_id_social_value_commitments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("commitment_id", name=op.f("pk_social_value_figures")),
    )


def downgrade():
    op.drop_table("social_value_figures")
