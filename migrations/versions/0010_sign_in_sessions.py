"""Signed-in sessions held on the server, so that signing out ends a session everywhere its cookie
was copied; their addresses as keyed hashes, so failed sign-ins from strangers cannot lock the owner
out.

Revision ID: 0010_sign_in_sessions
Revises: 0009
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa
import app.types


# revision identifiers, used by Alembic.
revision = '0010_sign_in_sessions'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=True),
    sa.Column('started_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_ins_token_hash'))
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_ins_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_ins_user_id'))
    op.drop_table('sign_ins')
