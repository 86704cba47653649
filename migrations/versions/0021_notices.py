"""Notices: each notice the law requires, with its OCDS release frozen once published. A
trigger (PostgreSQL and SQLite) refuses to change or delete a published notice: a correction is
a new version naming the one it replaces.

Revision ID: 0021_notices
Revises: 0020_social_value_returns
Create Date: 2026-12-05 08:46:12.536432

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021_notices"
down_revision = "0020_social_value_returns"
branch_labels = None
depends_on = None

FINAL = "a published notice never changes: publish a new version that replaces it"

POSTGRESQL_TRIGGER = f"""
CREATE FUNCTION notice_published_is_final() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.published_at IS NOT NULL THEN
            RAISE EXCEPTION 'notice %: {FINAL}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    -- Only the reminder's mark may change on a published row (it is set once, before).
    IF OLD.published_at IS NOT NULL
       AND (to_jsonb(NEW) - 'reminded_at') IS DISTINCT FROM (to_jsonb(OLD) - 'reminded_at') THEN
        RAISE EXCEPTION 'notice %: {FINAL}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notice_published_is_final BEFORE UPDATE OR DELETE ON notices
    FOR EACH ROW EXECUTE FUNCTION notice_published_is_final();
"""

COLUMNS = ('notice_type', 'event', 'regime', 'ocid', 'version', 'replaces_id', 'release_id',
           'release', 'created_at', 'published_at', 'due_on', 'dps_id', 'opportunity_id',
           'contract_id', 'buyer_id', 'title', 'summary')

SQLITE_TRIGGERS = [
    "CREATE TRIGGER notice_published_is_final BEFORE UPDATE ON notices "
    "WHEN OLD.published_at IS NOT NULL AND ("
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS)
    + f") BEGIN SELECT RAISE(ABORT, '{FINAL}'); END",
    "CREATE TRIGGER notice_published_not_deleted BEFORE DELETE ON notices "
    f"WHEN OLD.published_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{FINAL}'); END",
]


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_type', sa.String(length=30), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('regime', sa.String(length=30), nullable=False),
    sa.Column('ocid', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('release_id', sa.String(length=200), nullable=True),
    sa.Column('release', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dps_id', sa.Integer(), nullable=True),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('buyer_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.CheckConstraint('(version = 1) = (replaces_id IS NULL)', name=op.f('ck_notices_replaces_earlier')),
    sa.CheckConstraint('published_at IS NOT NULL OR due_on IS NOT NULL', name=op.f('ck_notices_due_or_out')),
    sa.CheckConstraint('published_at IS NULL OR (release IS NOT NULL AND release_id IS NOT NULL)', name=op.f('ck_notices_published_has_release')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_notices_version_positive')),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisations.id'], name=op.f('fk_notices_buyer_id_organisations')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_notices_contract_id_contracts')),
    sa.ForeignKeyConstraint(['dps_id'], ['dps.id'], name=op.f('fk_notices_dps_id_dps')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_notices_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['replaces_id'], ['notices.id'], name=op.f('fk_notices_replaces_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('ocid', 'notice_type', 'version', name='uq_notices_version'),
    sa.UniqueConstraint('release_id', name=op.f('uq_notices_release_id'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_dps_id'), ['dps_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_ocid'), ['ocid'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index('ix_notices_published', ['published_at', 'id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(POSTGRESQL_TRIGGER)
    elif dialect == 'sqlite':
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS notice_published_is_final ON notices')
        op.execute('DROP FUNCTION IF EXISTS notice_published_is_final()')
    elif dialect == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS notice_published_is_final')
        op.execute('DROP TRIGGER IF EXISTS notice_published_not_deleted')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_published')
        batch_op.drop_index(batch_op.f('ix_notices_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_notices_ocid'))
        batch_op.drop_index(batch_op.f('ix_notices_dps_id'))
        batch_op.drop_index(batch_op.f('ix_notices_buyer_id'))

    op.drop_table('notices')
