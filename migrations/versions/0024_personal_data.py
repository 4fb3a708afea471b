"""personal-data retention: the period, anonymised cases and requests

Revision ID: 0024_personal_data
Revises: 0023_attachment_store
Create Date: 2026-12-03 07:05:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024_personal_data"
down_revision = "0023_attachment_store"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retention_months", sa.Integer(), server_default="36", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_privacy_setting_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_setting")),
    )
    with op.batch_alter_table("case_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_case_item_anonymised_closed", ["anonymised_at", "closed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("case_item", schema=None) as batch_op:
        batch_op.drop_index("ix_case_item_anonymised_closed")
        batch_op.drop_column("anonymised_at")
    op.drop_table("privacy_setting")
