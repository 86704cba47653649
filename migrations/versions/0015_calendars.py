"""calendars: time limits follow the DPS's own days; the SME balance-sheet alternative

- applications.standard_time_limit_days: the DPS's own days when the application was received. The
  time limit is 1 to 15 working days, never below the standard, and longer only with a reason
  (it was 10 or 15, so a DPS deciding in 5 days could not take an application).
- organisations.balance_sheet_band: the Act's SME test is fewer than 250 staff and turnover up to
  £44m or a balance sheet total up to £38m.

Revision ID: 0015_calendars
Revises: 0014_debarment
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_calendars'
down_revision = '0014_debarment'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('balance_sheet_band', sa.Enum('under_1m', '1m_10m', '10m_38m', 'over_38m', name='balance_sheet_band', native_enum=False, length=40), nullable=True))
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standard_time_limit_days', sa.Integer(), nullable=True))
    # Until now every limit was 10, or 15 when extended with a reason: the standard was 10.
    op.execute(
        "UPDATE applications SET standard_time_limit_days = 10 WHERE time_limit_days IS NOT NULL"
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_time_limit'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_extension_has_reason'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_applications_time_limit'),
            'time_limit_days IS NULL OR (time_limit_days >= 1 AND time_limit_days <= 15)',
        )
        batch_op.create_check_constraint(
            op.f('ck_applications_standard_time_limit_pair'),
            '(time_limit_days IS NULL) = (standard_time_limit_days IS NULL)',
        )
        batch_op.create_check_constraint(
            op.f('ck_applications_extension_never_shortens'),
            'time_limit_days IS NULL OR time_limit_days >= standard_time_limit_days',
        )
        batch_op.create_check_constraint(
            op.f('ck_applications_extension_has_reason'),
            'time_limit_days IS NULL OR time_limit_days = standard_time_limit_days'
            ' OR extension_reason IS NOT NULL',
        )


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_extension_has_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_extension_never_shortens'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_standard_time_limit_pair'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_time_limit'), type_='check')
    # Limits other than 10 and 15 cannot go back: they become 10 (or 15 if extended).
    op.execute(
        "UPDATE applications SET time_limit_days = CASE WHEN extension_reason IS NULL"
        " THEN 10 ELSE 15 END WHERE time_limit_days IS NOT NULL"
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_applications_extension_has_reason'),
            'time_limit_days <> 15 OR extension_reason IS NOT NULL',
        )
        batch_op.create_check_constraint(
            op.f('ck_applications_time_limit'), 'time_limit_days IN (10, 15) OR time_limit_days IS NULL'
        )
        batch_op.drop_column('standard_time_limit_days')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('balance_sheet_band')
