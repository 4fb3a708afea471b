"""clerk desk: re-dispatch, recall, caller history and search aids

The phone's last four digits get their own indexed column (a suffix of the phone cannot walk the phone's
index), filled here for the cases already stored; the ID number, street and community get indexes for the
caller history and the list filters.

Revision ID: 0015_clerk_desk
Revises: 0014_supervisor_handler_desk
Create Date: 2026-12-02 19:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_clerk_desk"
down_revision = "0014_supervisor_handler_desk"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_case_item_citizen_id_no", "citizen_id_no"),
    ("ix_case_item_citizen_phone_last4", "citizen_phone_last4"),
    ("ix_case_item_street_id", "street_id"),
    ("ix_case_item_community_id", "community_id"),
)


def upgrade():
    with op.batch_alter_table("case_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("citizen_phone_last4", sa.String(length=4), nullable=True))
    # substr(x, start, length) counts from 1 on SQLite and PostgreSQL alike
    op.execute(
        "UPDATE case_item SET citizen_phone_last4 = substr(citizen_phone, length(citizen_phone) - 3, 4) "
        "WHERE citizen_phone IS NOT NULL AND length(citizen_phone) >= 4"
    )
    with op.batch_alter_table("case_item", schema=None) as batch_op:
        for name, column in INDEXES:
            batch_op.create_index(name, [column], unique=False)


def downgrade():
    with op.batch_alter_table("case_item", schema=None) as batch_op:
        for name, _column in INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column("citizen_phone_last4")
