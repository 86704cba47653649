"""The community wish list: wishes posted in a place, pledges against them in bids, and the
winning pledges on contracts.

Revision ID: 0030_wishes
Revises: 0029_notices2
Create Date: 2026-12-05 12:30:00

"""
import sqlalchemy as sa
from alembic import op

from app.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0030_wishes"
down_revision = "0029_notices2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'wishes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('posted_by_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('measure_id', sa.String(length=20), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('local_authority_code', sa.String(length=10), nullable=False),
        sa.Column('area', sa.String(length=200), nullable=False),
        sa.Column('contact_name', sa.String(length=200), nullable=False),
        sa.Column('contact_email', sa.String(length=320), nullable=False),
        sa.Column('contact_phone', sa.String(length=30), nullable=True),
        sa.Column('status', sa.Enum('pending', 'open', 'rejected', 'withdrawn', 'pledged', 'delivered', name='wish_status', native_enum=False, length=20), nullable=False),
        sa.Column('posted_at', UTCDateTime(), nullable=False),
        sa.Column('moderated_by_id', sa.Integer(), nullable=True),
        sa.Column('moderated_at', UTCDateTime(), nullable=True),
        sa.Column('rejection_reason', sa.Text(), nullable=True),
        sa.Column('withdrawn_at', UTCDateTime(), nullable=True),
        sa.Column('pledged', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('delivered', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_wishes_quantity_positive')),
        sa.CheckConstraint('pledged >= 0 AND delivered >= 0', name=op.f('ck_wishes_sums_not_negative')),
        sa.CheckConstraint('delivered <= pledged', name=op.f('ck_wishes_delivered_within_pledged')),
        sa.CheckConstraint("status <> 'rejected' OR rejection_reason IS NOT NULL", name=op.f('ck_wishes_rejection_has_reason')),
        sa.ForeignKeyConstraint(['measure_id'], ['social_value_measures.id'], name=op.f('fk_wishes_measure_id_social_value_measures')),
        sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_wishes_moderated_by_id_users')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_wishes_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_wishes_place_id_places')),
        sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_wishes_posted_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wishes')),
    )
    with op.batch_alter_table('wishes', schema=None) as batch_op:
        batch_op.create_index('ix_wishes_place_id_status', ['place_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishes_organisation_id'), ['organisation_id'], unique=False)
    op.create_table(
        'wish_pledges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('wish_id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('commitment_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('pledged_at', UTCDateTime(), nullable=False),
        sa.Column('delivered_at', UTCDateTime(), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('delivery_note', sa.Text(), nullable=True),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_wish_pledges_quantity_positive')),
        sa.CheckConstraint('(delivered_at IS NULL) = (confirmed_by_id IS NULL)', name=op.f('ck_wish_pledges_delivery_confirmed_by')),
        sa.ForeignKeyConstraint(['commitment_id'], ['social_value_commitments.id'], name=op.f('fk_wish_pledges_commitment_id_social_value_commitments')),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_wish_pledges_confirmed_by_id_users')),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_wish_pledges_contract_id_contracts')),
        sa.ForeignKeyConstraint(['wish_id'], ['wishes.id'], name=op.f('fk_wish_pledges_wish_id_wishes')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wish_pledges')),
        sa.UniqueConstraint('wish_id', 'contract_id', name=op.f('uq_wish_pledges_wish_id_contract_id')),
    )
    with op.batch_alter_table('wish_pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wish_pledges_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wish_pledges_wish_id'), ['wish_id'], unique=False)
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wish_pledges', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_column('wish_pledges')
    with op.batch_alter_table('wish_pledges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wish_pledges_wish_id'))
        batch_op.drop_index(batch_op.f('ix_wish_pledges_contract_id'))
    op.drop_table('wish_pledges')
    with op.batch_alter_table('wishes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wishes_organisation_id'))
        batch_op.drop_index('ix_wishes_place_id_status')
    op.drop_table('wishes')
