"""category and department suggestions: model, hints, suggestions

Revision ID: 0021_suggestions
Revises: 0020_repeat_search
Create Date: 2026-12-03 03:03:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_suggestions'
down_revision = '0020_repeat_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "suggest_model",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("cases_used", sa.Integer(), server_default="0", nullable=False),
        sa.Column("hint_documents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("categories", sa.Integer(), server_default="0", nullable=False),
        sa.Column("held_out", sa.Integer(), server_default="0", nullable=False),
        sa.Column("top1", sa.Float(), nullable=True),
        sa.Column("top3", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_suggest_model")),
    )
    op.create_table(
        "category_hint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_category_hint_category_id_category"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_hint")),
        sa.UniqueConstraint("category_id", name=op.f("uq_category_hint_category_id")),
    )
    op.create_table(
        "routing_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("suggested_at", sa.DateTime(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("chosen_category_id", sa.Integer(), nullable=True),
        sa.Column("chosen_department_id", sa.Integer(), nullable=True),
        sa.Column("chosen_at", sa.DateTime(), nullable=True),
        sa.Column("top1_right", sa.Boolean(), nullable=True),
        sa.Column("top3_right", sa.Boolean(), nullable=True),
        sa.Column("department_right", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_item.id"], name=op.f("fk_routing_suggestion_case_id_case_item"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_routing_suggestion_department_id_department"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["chosen_category_id"],
            ["category.id"],
            name=op.f("fk_routing_suggestion_chosen_category_id_category"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["chosen_department_id"],
            ["department.id"],
            name=op.f("fk_routing_suggestion_chosen_department_id_department"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_suggestion")),
        sa.UniqueConstraint("case_id", name=op.f("uq_routing_suggestion_case_id")),
    )
    with op.batch_alter_table("routing_suggestion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_suggestion_chosen_at"), ["chosen_at"], unique=False)


def downgrade():
    with op.batch_alter_table("routing_suggestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_suggestion_chosen_at"))
    op.drop_table("routing_suggestion")
    op.drop_table("category_hint")
    op.drop_table("suggest_model")
