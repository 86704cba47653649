"""Alert preferences, saved searches and unsubscribes (notifications)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 06:40:00

"""
from alembic import op
import sqlalchemy as sa
import app.types


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('supplier', 'search', name='alert_kind', native_enum=False, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('confirmed_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('frequency', sa.Enum('instant', 'daily', 'weekly', 'never', name='alert_frequency', native_enum=False, length=20), nullable=False),
    sa.Column('admitted_lots', sa.Boolean(), nullable=False),
    sa.Column('lot_ids', sa.JSON(), nullable=False),
    sa.Column('cpv_divisions', sa.JSON(), nullable=False),
    sa.Column('area_codes', sa.JSON(), nullable=False),
    sa.Column('min_value_pence', sa.BigInteger(), nullable=True),
    sa.Column('max_value_pence', sa.BigInteger(), nullable=True),
    sa.Column('keywords', sa.String(length=500), nullable=True),
    sa.Column('vcse_only', sa.Boolean(), nullable=False),
    sa.Column('opportunity_kind', sa.String(length=30), nullable=True),
    sa.Column('search_args', sa.JSON(), nullable=False),
    sa.Column('unsubscribed_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'search' OR email IS NOT NULL", name=op.f('ck_alert_subscriptions_search_email')),
    sa.CheckConstraint("kind <> 'supplier' OR (user_id IS NOT NULL AND organisation_id IS NOT NULL)", name=op.f('ck_alert_subscriptions_supplier_person')),
    sa.CheckConstraint('min_value_pence IS NULL OR max_value_pence IS NULL OR min_value_pence <= max_value_pence', name=op.f('ck_alert_subscriptions_value_range')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_alert_subscriptions_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscriptions')),
    sa.UniqueConstraint('user_id', 'organisation_id', name=op.f('uq_alert_subscriptions_user_id_organisation_id'))
    )
    with op.batch_alter_table('alert_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_subscriptions_email'), ['email'], unique=False)
        batch_op.create_index('ix_alert_subscriptions_kind_frequency', ['kind', 'frequency'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_subscriptions_user_id'), ['user_id'], unique=False)

    op.create_table('alert_fanouts',
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('progress_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_alert_fanouts_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('opportunity_id', name=op.f('pk_alert_fanouts'))
    )
    op.create_table('opportunity_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('instant', 'daily', 'weekly', 'never', name='alert_frequency', native_enum=False, length=20), nullable=False),
    sa.Column('batch', sa.String(length=60), nullable=False),
    sa.Column('emailed_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_alerts_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['alert_subscriptions.id'], name=op.f('fk_opportunity_alerts_subscription_id_alert_subscriptions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_alerts')),
    sa.UniqueConstraint('opportunity_id', 'email', name=op.f('uq_opportunity_alerts_opportunity_id_email'))
    )
    with op.batch_alter_table('opportunity_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_opportunity_alerts_batch_email', ['batch', 'email'], unique=False)


def downgrade():
    with op.batch_alter_table('opportunity_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunity_alerts_batch_email')

    op.drop_table('opportunity_alerts')
    op.drop_table('alert_fanouts')
    with op.batch_alter_table('alert_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_subscriptions_user_id'))
        batch_op.drop_index('ix_alert_subscriptions_kind_frequency')
        batch_op.drop_index(batch_op.f('ix_alert_subscriptions_email'))

    op.drop_table('alert_subscriptions')
