"""hot spot alerts

Revision ID: 0022_hotspots
Revises: 0021_suggestions
Create Date: 2026-12-03 03:04:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_hotspots'
down_revision = '0021_suggestions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "hotspot_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("window_end", sa.DateTime(), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "acknowledged",
                "closed",
                name="hotspot_alert_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_hotspot_alert_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_hotspot_alert_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["user_account.id"],
            name=op.f("fk_hotspot_alert_acknowledged_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_alert")),
    )
    with op.batch_alter_table("hotspot_alert", schema=None) as batch_op:
        batch_op.create_index(
            "uq_hotspot_alert_cluster", ["category_id", "department_id", "window_start"], unique=True
        )
        batch_op.create_index("ix_hotspot_alert_status_window", ["status", "window_end"], unique=False)


def downgrade():
    with op.batch_alter_table("hotspot_alert", schema=None) as batch_op:
        batch_op.drop_index("ix_hotspot_alert_status_window")
        batch_op.drop_index("uq_hotspot_alert_cluster")
    op.drop_table("hotspot_alert")
