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
    pass


def downgrade():
    pass
