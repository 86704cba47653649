"""Notices2: a pipeline notice (UK1) names its pipeline item; an organisation may give its
number on the Mutuals Public Register (a registered society: co-operative or community benefit
society), published as a GB-MPR identifier. On SQLite the trigger that keeps a published notice
as it was is made again to cover the new column.

Revision ID: 0029_notices2
Revises: 0028_spend_registers
Create Date: 2026-12-05 12:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0029_notices2"
down_revision = "0028_spend_registers"
branch_labels = None
depends_on = None

FINAL = "a published notice never changes: publish a new version that replaces it"
COLUMNS = (
    "notice_type",
    "event",
    "regime",
    "ocid",
    "version",
    "replaces_id",
    "release_id",
    "release",
    "created_at",
    "published_at",
    "due_on",
    "dps_id",
    "opportunity_id",
    "contract_id",
    "buyer_id",
    "title",
    "summary",
)


def _sqlite_trigger(columns):
    return (
        "CREATE TRIGGER notice_published_is_final BEFORE UPDATE ON notices "
        "WHEN OLD.published_at IS NOT NULL AND ("
        + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        + f") BEGIN SELECT RAISE(ABORT, '{FINAL}'); END"
    )


def upgrade():
    # Plain ADD COLUMN (no batch copy of the table, which would drop its triggers).
    # SQLite cannot add a foreign key to an existing table without copying it (which would drop
    # its triggers), so there the column is a plain integer; PostgreSQL gets the constraint.
    sqlite = op.get_bind().dialect.name == "sqlite"
    references = () if sqlite else (
        sa.ForeignKey("pipeline_items.id", name="fk_notices_pipeline_item_id_pipeline_items"),
    )
    op.add_column(
        "notices", sa.Column("pipeline_item_id", sa.Integer(), *references, nullable=True)
    )
    op.create_index("ix_notices_pipeline_item_id", "notices", ["pipeline_item_id"], unique=False)
    op.add_column("organisations", sa.Column("society_number", sa.String(length=12), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS notice_published_is_final")
        op.execute(_sqlite_trigger(COLUMNS + ("pipeline_item_id",)))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS notice_published_is_final")
    op.drop_index("ix_notices_pipeline_item_id", table_name="notices")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("society_number")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("notices", schema=None) as batch_op:
            batch_op.drop_column("pipeline_item_id")
        op.execute("DROP TRIGGER IF EXISTS notice_published_not_deleted")
        op.execute(_sqlite_trigger(COLUMNS))
        op.execute(
            "CREATE TRIGGER notice_published_not_deleted BEFORE DELETE ON notices "
            f"WHEN OLD.published_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{FINAL}'); END"
        )
    else:
        op.drop_column("notices", "pipeline_item_id")
