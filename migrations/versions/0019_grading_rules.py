"""grading rules and grade suggestions

Revision ID: 0019_grading_rules
Revises: 0018_clock_anchors
Create Date: 2026-12-03 03:01:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_grading_rules"
down_revision = "0018_clock_anchors"
branch_labels = None
depends_on = None


def _grade(name: str) -> sa.Enum:
    return sa.Enum("red", "yellow", "green", name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table(
        "grading_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        sa.Column("grade", _grade("grading_rule_grade"), nullable=False),
        sa.Column("min_people", sa.Integer(), nullable=True),
        sa.Column("min_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=True),
        sa.Column("min_repeats", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grading_rule")),
    )
    op.create_table(
        "grading_rule_category",
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["grading_rule.id"],
            name=op.f("fk_grading_rule_category_rule_id_grading_rule"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
            name=op.f("fk_grading_rule_category_category_id_category"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rule_id", "category_id", name=op.f("pk_grading_rule_category")),
    )
    op.create_table(
        "grade_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("suggested_grade", _grade("grade_suggestion_suggested"), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("rule_ids", sa.JSON(), nullable=True),
        sa.Column("final_grade", _grade("grade_suggestion_final"), nullable=False),
        sa.Column("differed", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("clerk_reason", sa.String(length=255), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_item.id"],
            name=op.f("fk_grade_suggestion_case_id_case_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_grade_suggestion_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_suggestion")),
    )
    with op.batch_alter_table("grade_suggestion", schema=None) as batch_op:
        batch_op.create_index("ix_grade_suggestion_case_id", ["case_id"], unique=True)
        batch_op.create_index("ix_grade_suggestion_created_at", ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("grade_suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_grade_suggestion_created_at")
        batch_op.drop_index("ix_grade_suggestion_case_id")
    op.drop_table("grade_suggestion")
    op.drop_table("grading_rule_category")
    op.drop_table("grading_rule")
