"""indexes for repeat candidate search

Revision ID: 0020_repeat_search
Revises: 0019_grading_rules
Create Date: 2026-12-03 03:02:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_repeat_search'
down_revision = '0019_grading_rules'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
