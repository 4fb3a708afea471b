"""category and department suggestions: model, hints, suggestions

Revision ID: 0021_suggestions
Revises: 0020_repeat_search
Create Date: 2026-12-03 03:03:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_suggestions'
down_revision = '0020_repeat_search'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
