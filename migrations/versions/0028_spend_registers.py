"""Public registers loaded by the operator to classify suppliers not in the directory (the Charity
Commission's register extract, Companies House's basic company data, the Mutuals Public
Register), the ONS postcode directory (NSPL) when an operator loads it, and the sums of the spend
lines that reports read (kept in step with the lines by spend.summaries; built here from the lines
already held).

Revision ID: 0028_spend_registers
Revises: 0027_places
Create Date: 2026-12-05 09:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028_spend_registers"
down_revision = "0027_places"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spend_register_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register', sa.Enum('charity', 'company', 'mutual', name='spend_register', native_enum=False, length=20), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('postcode', sa.String(length=8), nullable=True),
    sa.Column('legal_form', sa.String(length=120), nullable=True),
    sa.Column('vcse', sa.Boolean(), nullable=True),
    sa.Column('sme', sa.Boolean(), nullable=True),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_register_entries')),
    sa.UniqueConstraint('register', 'number', name=op.f('uq_spend_register_entries_register_number')),
    )
    with op.batch_alter_table('spend_register_entries', schema=None) as batch_op:
        batch_op.create_index('ix_spend_register_entries_name_key', ['name_key'], unique=False)

    op.create_table('spend_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=12), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=True),
    sa.Column('source', sa.Enum('dps_contract', 'upload', name='spend_source', native_enum=False, length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('supplier_key', sa.String(length=300), nullable=True),
    sa.Column('redacted', sa.Boolean(), nullable=False),
    sa.Column('supplier_name', sa.String(length=300), nullable=True),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisations.id'], name=op.f('fk_spend_summaries_buyer_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_summaries')),
    )
    with op.batch_alter_table('spend_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_spend_summaries_buyer_dimension', ['buyer_id', 'dimension', 'period'], unique=False)
    _build_summaries()

    op.create_table('reference_postcodes',
    sa.Column('pcds', sa.String(length=8), nullable=False),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('area_code', sa.String(length=12), nullable=True),
    sa.Column('decile', sa.SmallInteger(), nullable=True),
    sa.Column('index_name', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('pcds', name=op.f('pk_reference_postcodes')),
    )


def _build_summaries():
    """The sums of the lines already held, as spend.summaries makes them."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        month = "CAST(date_trunc('month', paid_on) AS DATE)"
        year = "CAST(date_trunc('year', paid_on - interval '3 months') + interval '3 months' AS DATE)"
        lot = "CAST(contracts.lot_id AS VARCHAR)"
    else:
        month = "date(paid_on, 'start of month')"
        year = "date(paid_on, '-3 months', 'start of year', '+3 months')"
        lot = "CAST(contracts.lot_id AS VARCHAR)"
    supplier = "spend_lines.source, organisation_id, supplier_key, redacted"
    for dimension, period, value, join in (
        ("year", year, "NULL", ""),
        ("month", month, "NULL", ""),
        ("category", year, "category", ""),
        ("department", year, "department", ""),
        ("lot", year, lot, "LEFT OUTER JOIN contracts ON contracts.id = spend_lines.contract_id"),
    ):
        op.execute(
            "INSERT INTO spend_summaries (buyer_id, dimension, period, value, source, "
            "organisation_id, supplier_key, redacted, supplier_name, amount_pence, lines) "
            f"SELECT spend_lines.buyer_id, '{dimension}', {period}, {value}, {supplier}, "
            "min(supplier_name), sum(amount_pence), count(*) "
            f"FROM spend_lines {join} "
            f"GROUP BY spend_lines.buyer_id, {period}, "
            f"{'' if value == 'NULL' else value + ', '}{supplier}"
        )


def downgrade():
    op.drop_table('spend_summaries')
    op.drop_table('reference_postcodes')
    with op.batch_alter_table('spend_register_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_spend_register_entries_name_key')
    op.drop_table('spend_register_entries')
