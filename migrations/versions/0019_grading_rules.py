"""grading rules and grade suggestions

Revision ID: 0019_grading_rules
Revises: 0018_clock_anchors
Create Date: 2026-12-03 03:01:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_grading_rules'
down_revision = '0018_clock_anchors'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
