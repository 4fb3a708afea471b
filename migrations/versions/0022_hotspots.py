"""hot spot alerts

Revision ID: 0022_hotspots
Revises: 0021_suggestions
Create Date: 2026-12-03 03:04:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_hotspots'
down_revision = '0021_suggestions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
