"""Records retention: the audit log hashes personal data apart (a salted hash, so they can be
erased and the chain still verifies), who asked a clarification and who evaluated can be erased,
and each call-off whose records expired is recorded once.

Revision ID: 0017_retention
Revises: 0016_faults
Create Date: 2026-12-04 09:00:00

"""
from alembic import op
import sqlalchemy as sa
import app.types


# revision identifiers, used by Alembic.
revision = '0017_retention'
down_revision = '0016_faults'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('personal_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', app.types.UTCDateTime(timezone=True),
                                      nullable=True))

    with op.batch_alter_table('opportunity_clarifications', schema=None) as batch_op:
        batch_op.alter_column('asked_by_id', existing_type=sa.Integer(), nullable=True)

    with op.batch_alter_table('evaluator_assignments', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)

    op.create_table('records_expiries',
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('contract_ended', 'cancelled', 'no_suitable_bid',
                                name='expiry_reason', native_enum=False, length=20),
              nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('expired_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'],
                            name=op.f('fk_records_expiries_opportunity_id_opportunities')),
    sa.PrimaryKeyConstraint('opportunity_id', name=op.f('pk_records_expiries'))
    )


def downgrade():
    op.drop_table('records_expiries')
    # Rows whose person was erased cannot go back to NOT NULL: the downgrade refuses (the
    # database says why) rather than invent a person.
    with op.batch_alter_table('evaluator_assignments', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('opportunity_clarifications', schema=None) as batch_op:
        batch_op.alter_column('asked_by_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('personal_hash')
        batch_op.drop_column('personal_salt')
