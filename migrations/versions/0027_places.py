"""Places, the buyers in them and their shared priority measures; where a social value return's benefit fell.

Revision ID: 0027_places
Revises: 0026_search_fast
Create Date: 2026-12-05 09:10:00

"""
import sqlalchemy as sa
from alembic import op

from app.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0027_places"
down_revision = "0026_search_fast"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'places',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('defined_as', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_places_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_places')),
        sa.UniqueConstraint('slug', name=op.f('uq_places_slug')),
    )
    op.create_table(
        'place_authorities',
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('local_authority_code', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_authorities_place_id_places'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('place_id', 'local_authority_code', name=op.f('pk_place_authorities')),
    )
    with op.batch_alter_table('place_authorities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_authorities_local_authority_code'), ['local_authority_code'], unique=False)
    op.create_table(
        'place_buyers',
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_place_buyers_organisation_id_organisations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_buyers_place_id_places'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('place_id', 'organisation_id', name=op.f('pk_place_buyers')),
    )
    with op.batch_alter_table('place_buyers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_buyers_organisation_id'), ['organisation_id'], unique=False)
    op.create_table(
        'place_priorities',
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['measure_id'], ['social_value_measures.id'], name=op.f('fk_place_priorities_measure_id_social_value_measures')),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_priorities_place_id_places'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('place_id', 'measure_id', name=op.f('pk_place_priorities')),
        sa.UniqueConstraint('place_id', 'position', name=op.f('uq_place_priorities_place_id_position')),
    )
    with op.batch_alter_table('social_value_return_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_authority_code', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('social_value_return_lines', schema=None) as batch_op:
        batch_op.drop_column('local_authority_code')
    op.drop_table('place_priorities')
    with op.batch_alter_table('place_buyers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_buyers_organisation_id'))
    op.drop_table('place_buyers')
    with op.batch_alter_table('place_authorities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_authorities_local_authority_code'))
    op.drop_table('place_authorities')
    op.drop_table('places')
