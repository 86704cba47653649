"""Search listing indexes: closed or all by closing date, a region's open opportunities, and the
national ones (measured with bench/search_bench.py on 100,000 opportunities: a closed listing by
closing date from about 90 ms to under 1 ms; counting a region's open ones from 92 ms to 6 ms).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

NATIONAL = sa.text("location_type = 'national'")


def upgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index('ix_opportunities_submission_deadline',
                              ['submission_deadline', 'id'], unique=False)
        batch_op.create_index('ix_opportunities_region_open',
                              ['region_code', 'status', 'submission_deadline'], unique=False)
        batch_op.create_index('ix_opportunities_national_open', ['status', 'submission_deadline'],
                              unique=False, postgresql_where=NATIONAL, sqlite_where=NATIONAL)


def downgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_national_open')
        batch_op.drop_index('ix_opportunities_region_open')
        batch_op.drop_index('ix_opportunities_submission_deadline')
