"""attachment storage: file contents kept in the database, in chunks

Revision ID: 0023_attachment_store
Revises: 0022_hotspots
Create Date: 2026-12-03 07:05:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023_attachment_store"
down_revision = "0022_hotspots"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment_chunk",
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("stored_name", "seq", name=op.f("pk_attachment_chunk")),
    )


def downgrade():
    op.drop_table("attachment_chunk")
