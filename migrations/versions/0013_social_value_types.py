"""Social value value types and aggregation frozen on each commitment; contract conditions
(payment terms, the Real Living Wage and its rate) on call-offs and contracts.

Revision ID: 0013_social_value_types
Revises: 0012_frozen_terms
Create Date: 2026-12-05 10:00:00

Existing call-offs get 30-day payment terms and no Real Living Wage condition; existing
contracts and commitments keep empty conditions and value types (the data file's apply).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_social_value_types'
down_revision = '0012_frozen_terms'
branch_labels = None
depends_on = None


def _living_wage_columns(batch_op):
    batch_op.add_column(sa.Column('living_wage_rate_pence', sa.Integer(), nullable=True))
    batch_op.add_column(sa.Column('living_wage_rate_year', sa.String(length=10), nullable=True))
    batch_op.add_column(sa.Column('living_wage_london', sa.Boolean(), nullable=True))


def upgrade():
    with op.batch_alter_table('social_value_commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('aggregation', sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_social_value_commitments_value_type_known'),
            "value_type IS NULL OR value_type IN ('count', 'money', 'decimal', 'percentage')")
        batch_op.create_check_constraint(
            op.f('ck_social_value_commitments_aggregation_known'),
            "aggregation IS NULL OR aggregation IN ('sum', 'latest', 'average', 'maximum')")

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_terms_days', sa.Integer(),
                                      server_default=sa.text('30'), nullable=False))
        batch_op.add_column(sa.Column('real_living_wage', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        _living_wage_columns(batch_op)
        batch_op.create_check_constraint(
            op.f('ck_opportunities_payment_terms_at_most_30_days'),
            'payment_terms_days BETWEEN 1 AND 30')
        batch_op.create_check_constraint(
            op.f('ck_opportunities_living_wage_rate_frozen'),
            'published_at IS NULL OR NOT real_living_wage OR living_wage_rate_pence IS NOT NULL')

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_terms_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('real_living_wage', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        _living_wage_columns(batch_op)


def downgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        for name in ('living_wage_london', 'living_wage_rate_year', 'living_wage_rate_pence',
                     'real_living_wage', 'payment_terms_days'):
            batch_op.drop_column(name)

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_opportunities_living_wage_rate_frozen'), type_='check')
        batch_op.drop_constraint(op.f('ck_opportunities_payment_terms_at_most_30_days'),
                                 type_='check')
        for name in ('living_wage_london', 'living_wage_rate_year', 'living_wage_rate_pence',
                     'real_living_wage', 'payment_terms_days'):
            batch_op.drop_column(name)

    with op.batch_alter_table('social_value_commitments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_social_value_commitments_aggregation_known'),
                                 type_='check')
        batch_op.drop_constraint(op.f('ck_social_value_commitments_value_type_known'),
                                 type_='check')
        batch_op.drop_column('aggregation')
        batch_op.drop_column('value_type')
