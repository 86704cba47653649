"""Social value measures as data, proxy values, and suppliers' returns: the measures table
(seeded from the project's open list, app/reference/data/measures_open.csv) with the operator's
proxy values; contracts' reporting frequency and schedule of returns, each with a line per
commitment; commitments point at their measure (so a used measure is never deleted), and on
PostgreSQL a trigger refuses to delete a measure a call-off names.

Revision ID: 0020_social_value_returns
Revises: 0019_spend
Create Date: 2026-12-05 09:00:00

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from app.measures.open_list import open_list_rows

# revision identifiers, used by Alembic.
revision = '0020_social_value_returns'
down_revision = '0019_spend'
branch_labels = None
depends_on = None

UNITS = ('people', 'FTE', 'hours', '£', '%', 'tonnes CO2e', 'count')
VALUE_TYPES = ('count', 'money', 'decimal', 'percentage')
AGGREGATIONS = ('sum', 'latest', 'average', 'maximum')
DIRECTIONS = ('more', 'less')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _frequency():
    return sa.Enum('monthly', 'quarterly', name='reporting_frequency', native_enum=False, length=20)


TRIGGER = """
CREATE FUNCTION social_value_measure_in_use() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM opportunities
               WHERE social_value_measures::jsonb ? OLD.id) THEN
        RAISE EXCEPTION 'social value measure % is used by a call-off: retire it instead', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER social_value_measure_in_use BEFORE DELETE ON social_value_measures
    FOR EACH ROW EXECUTE FUNCTION social_value_measure_in_use();
"""


def upgrade():
    measures = op.create_table('social_value_measures',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('unit_label', sa.String(length=40), nullable=True),
    sa.Column('value_type', sa.String(length=20), nullable=False),
    sa.Column('aggregation', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('ppn002_missions', sa.String(length=100), nullable=False),
    sa.Column('ppn0620_outcomes', sa.String(length=100), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('asks_postcode_sectors', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('status', sa.Enum('active', 'retired', name='measure_status', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('licence', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(_in('unit', UNITS), name=op.f('ck_social_value_measures_unit_known')),
    sa.CheckConstraint(_in('value_type', VALUE_TYPES), name=op.f('ck_social_value_measures_value_type_known')),
    sa.CheckConstraint(_in('aggregation', AGGREGATIONS), name=op.f('ck_social_value_measures_aggregation_known')),
    sa.CheckConstraint(_in('direction', DIRECTIONS), name=op.f('ck_social_value_measures_direction_known')),
    sa.CheckConstraint("value_type <> 'percentage' OR aggregation <> 'sum'", name=op.f('ck_social_value_measures_percentage_not_summed')),
    sa.CheckConstraint("(status = 'retired') = (retired_at IS NOT NULL)", name=op.f('ck_social_value_measures_retired_has_time')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_value_measures'))
    )
    now = datetime.now(timezone.utc)
    rows = [{**r, 'created_at': now} for r in open_list_rows()]
    op.bulk_insert(measures, rows)
    # Contracts entered before this point may name measures the list no longer has: keep them
    # as retired measures, so every commitment points at one.
    known = {r['id'] for r in rows}
    conn = op.get_bind()
    used = {m for (m,) in conn.execute(sa.text('SELECT DISTINCT measure_id FROM social_value_commitments'))}
    missing = sorted(used - known)
    if missing:
        op.bulk_insert(measures, [
            {'id': m, 'name': m, 'definition': '', 'unit': 'count', 'unit_label': None,
             'value_type': 'decimal', 'aggregation': 'sum', 'direction': 'more',
             'ppn002_missions': '', 'ppn0620_outcomes': '', 'evidence': '',
             'asks_postcode_sectors': False, 'status': 'retired',
             'source': 'Named by a contract entered before measures were kept as data',
             'licence': '', 'created_at': now, 'retired_at': now}
            for m in missing
        ])

    op.create_table('social_value_proxies',
    sa.Column('measure_id', sa.String(length=20), nullable=False),
    sa.Column('pence_per_unit', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('licence', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pence_per_unit > 0', name=op.f('ck_social_value_proxies_positive')),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name=op.f('ck_social_value_proxies_year_plausible')),
    sa.ForeignKeyConstraint(['measure_id'], ['social_value_measures.id'], name=op.f('fk_social_value_proxies_measure_id_social_value_measures')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_social_value_proxies_set_by_id_users')),
    sa.PrimaryKeyConstraint('measure_id', name=op.f('pk_social_value_proxies'))
    )

    with op.batch_alter_table('social_value_commitments', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_social_value_commitments_measure_id_social_value_measures'), 'social_value_measures', ['measure_id'], ['id'])

    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporting_frequency', _frequency(), server_default='quarterly', nullable=False))
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporting_frequency', _frequency(), nullable=True))

    op.create_table('social_value_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('awaiting', 'submitted', 'queried', 'accepted', name='return_status', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence_ids', sa.JSON(), nullable=False),
    sa.Column('submissions', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('query_reason', sa.Text(), nullable=True),
    sa.Column('queried_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('queried_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_flagged_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_social_value_returns_period_in_order')),
    sa.CheckConstraint('due_on > period_end', name=op.f('ck_social_value_returns_due_after_period')),
    sa.CheckConstraint("(status = 'accepted') = (accepted_at IS NOT NULL)", name=op.f('ck_social_value_returns_accepted_has_time')),
    sa.CheckConstraint("status <> 'queried' OR query_reason IS NOT NULL", name=op.f('ck_social_value_returns_queried_has_reason')),
    sa.CheckConstraint("status = 'awaiting' OR submitted_at IS NOT NULL", name=op.f('ck_social_value_returns_submitted_has_time')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_social_value_returns_contract_id_contracts')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_social_value_returns_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['queried_by_id'], ['users.id'], name=op.f('fk_social_value_returns_queried_by_id_users')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_social_value_returns_accepted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_value_returns')),
    sa.UniqueConstraint('contract_id', 'period_start', name=op.f('uq_social_value_returns_contract_id_period_start'))
    )
    with op.batch_alter_table('social_value_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_value_returns_contract_id'), ['contract_id'], unique=False)

    op.create_table('social_value_return_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('postcode_sectors', sa.JSON(), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_social_value_return_lines_value_positive')),
    sa.ForeignKeyConstraint(['return_id'], ['social_value_returns.id'], name=op.f('fk_social_value_return_lines_return_id_social_value_returns')),
    sa.ForeignKeyConstraint(['commitment_id'], ['social_value_commitments.id'], name=op.f('fk_social_value_return_lines_commitment_id_social_value_commitments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_value_return_lines')),
    sa.UniqueConstraint('return_id', 'commitment_id', name=op.f('uq_social_value_return_lines_return_id_commitment_id'))
    )
    with op.batch_alter_table('social_value_return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_value_return_lines_return_id'), ['return_id'], unique=False)

    with op.batch_alter_table('social_value_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_social_value_deliveries_return_id'), ['return_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_social_value_deliveries_return_id_social_value_returns'), 'social_value_returns', ['return_id'], ['id'])

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS social_value_measure_in_use ON social_value_measures')
        op.execute('DROP FUNCTION IF EXISTS social_value_measure_in_use()')
    with op.batch_alter_table('social_value_deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_social_value_deliveries_return_id_social_value_returns'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_social_value_deliveries_return_id'))
        batch_op.drop_column('return_id')
    with op.batch_alter_table('social_value_return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_value_return_lines_return_id'))
    op.drop_table('social_value_return_lines')
    with op.batch_alter_table('social_value_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_value_returns_contract_id'))
    op.drop_table('social_value_returns')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('reporting_frequency')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_column('reporting_frequency')
    with op.batch_alter_table('social_value_commitments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_social_value_commitments_measure_id_social_value_measures'), type_='foreignkey')
    op.drop_table('social_value_proxies')
    op.drop_table('social_value_measures')
