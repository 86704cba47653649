"""Full-text search for opportunities on PostgreSQL: a stored tsvector with a GIN index.

SQLite (``make run``) has no tsvector; the app falls back to LIKE there, so this migration does
nothing on SQLite.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        ALTER TABLE opportunities ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
            setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
            setweight(to_tsvector('english', coalesce(description, '')), 'C') ||
            setweight(to_tsvector('english', coalesce(buyer_name, '')), 'D')
        ) STORED
    """)
    op.execute("CREATE INDEX ix_opportunities_search_vector ON opportunities "
               "USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_opportunities_search_vector")
    op.execute("ALTER TABLE opportunities DROP COLUMN IF EXISTS search_vector")
