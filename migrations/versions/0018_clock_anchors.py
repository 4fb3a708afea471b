"""deadline stages name the event their clock starts from; red-case progress updates

Revision ID: 0018_clock_anchors
Revises: 0017_audit_duties
Create Date: 2026-12-03 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_clock_anchors'
down_revision = '0017_audit_duties'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
