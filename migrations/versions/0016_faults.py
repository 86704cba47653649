"""Recorded jobs: a job written in the same transaction as the change that needs it, so that
`flask jobs recover` can queue it again if Redis was down or its worker died.

Revision ID: 0016_faults
Revises: 0015_calendars
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa
import app.types


# revision identifiers, used by Alembic.
revision = '0016_faults'
down_revision = '0015_calendars'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recorded_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_key', sa.String(length=200), nullable=False),
    sa.Column('function', sa.String(length=200), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('queued_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recorded_jobs')),
    sa.UniqueConstraint('job_key', name=op.f('uq_recorded_jobs_job_key'))
    )
    with op.batch_alter_table('recorded_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_recorded_jobs_unfinished', ['finished_at', 'created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('recorded_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_recorded_jobs_unfinished')
    op.drop_table('recorded_jobs')
