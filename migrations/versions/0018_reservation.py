"""Reservation basis, categories and light-touch lots: every reserved lot records its basis in
law (ss 32-33 of the Procurement Act 2023, or a below-threshold reservation), lots and call-offs
are goods, services or works, a lot may be light-touch services, a call-off records the bases of
its reservation when published, and a pass/fail question says whether it is about the bid or the
supplier.

Revision ID: 0018_reservation
Revises: 0017_retention
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_reservation'
down_revision = '0017_retention'
branch_labels = None
depends_on = None

BASES = (
    's32_supported_employment',
    's33_public_service_mutual',
    'below_threshold_vcse',
    'below_threshold_sme',
    'below_threshold_area',
)
CATEGORIES = ('goods', 'services', 'works')
BASIS_MATCHES = (
    "(reserved_for = 'none' AND reservation_basis IS NULL)"
    " OR (reserved_for = 'vcse' AND reservation_basis = 'below_threshold_vcse')"
    " OR (reserved_for = 'supported_employment'"
    " AND reservation_basis = 's32_supported_employment')"
    " OR (reserved_for = 'public_service_mutual'"
    " AND reservation_basis = 's33_public_service_mutual')"
)


def _category():
    return sa.Enum(*CATEGORIES, name='procurement_category', native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reservation_basis', sa.Enum(*BASES, name='reservation_basis', native_enum=False, length=40), nullable=True))
        batch_op.add_column(sa.Column('category', _category(), server_default='services', nullable=False))
        batch_op.add_column(sa.Column('light_touch', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.execute(
        "UPDATE lots SET reservation_basis = CASE reserved_for"
        " WHEN 'vcse' THEN 'below_threshold_vcse'"
        " WHEN 'supported_employment' THEN 's32_supported_employment'"
        " WHEN 'public_service_mutual' THEN 's33_public_service_mutual' END"
        " WHERE reserved_for <> 'none'"
    )
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_lots_reservation_basis_matches'), BASIS_MATCHES)
        batch_op.create_check_constraint(op.f('ck_lots_light_touch_services'), "NOT light_touch OR category = 'services'")

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', _category(), server_default='services', nullable=False))
        batch_op.add_column(sa.Column('reservation_bases', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))

    with op.batch_alter_table('opportunity_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about', sa.Enum('bid', 'supplier', name='question_about', native_enum=False, length=20), server_default='bid', nullable=False))
        batch_op.create_check_constraint(op.f('ck_opportunity_questions_about_supplier_pass_fail'), "kind = 'pass_fail' OR about = 'bid'")


def downgrade():
    with op.batch_alter_table('opportunity_questions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_opportunity_questions_about_supplier_pass_fail'), type_='check')
        batch_op.drop_column('about')

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_column('reservation_bases')
        batch_op.drop_column('category')

    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_lots_light_touch_services'), type_='check')
        batch_op.drop_constraint(op.f('ck_lots_reservation_basis_matches'), type_='check')
        batch_op.drop_column('light_touch')
        batch_op.drop_column('category')
        batch_op.drop_column('reservation_basis')
