"""indexes for repeat candidate search

Revision ID: 0020_repeat_search
Revises: 0019_grading_rules
Create Date: 2026-12-03 03:02:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_repeat_search"
down_revision = "0019_grading_rules"
branch_labels = None
depends_on = None


# app.intake.repeats: the newest earlier cases of one place (and category) in the repeat window, by index
INDEXES = (
    ("ix_case_item_community_received", ["community_id", "received_at"]),
    ("ix_case_item_street_received", ["street_id", "received_at"]),
    ("ix_case_item_community_category_received", ["community_id", "category_id", "received_at"]),
    ("ix_case_item_street_category_received", ["street_id", "category_id", "received_at"]),
)


def upgrade():
    for name, columns in INDEXES:
        op.create_index(name, "case_item", columns)


def downgrade():
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="case_item")
