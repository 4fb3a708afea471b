"""citizen voice: revisit outcomes apart from the citizen's own rating, SMS log

Revision ID: 0016_citizen_voice
Revises: 0015_clerk_desk
Create Date: 2026-12-02 19:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_citizen_voice"
down_revision = "0015_clerk_desk"
branch_labels = None
depends_on = None


SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied")


def upgrade():
    with op.batch_alter_table("case_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revisit_resolved", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "citizen_rating",
                sa.Enum(
                    *SATISFACTION,
                    name="case_citizen_rating",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("citizen_rating_note", sa.Text(), nullable=True))

    op.create_table(
        "sms_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "accepted",
                "answered",
                name="sms_message_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="sms_message_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_item.id"], name=op.f("fk_sms_message_case_id_case_item"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["case_event.id"],
            name=op.f("fk_sms_message_event_id_case_event"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_message")),
    )
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_message_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_sms_message_event_id", ["event_id"], unique=True)
        batch_op.create_index("ix_sms_message_due", ["status", "next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_message_due")
        batch_op.drop_index("ix_sms_message_event_id")
        batch_op.drop_index(batch_op.f("ix_sms_message_case_id"))
    op.drop_table("sms_message")

    with op.batch_alter_table("case_item", schema=None) as batch_op:
        batch_op.drop_column("citizen_rating_note")
        batch_op.drop_constraint(op.f("ck_case_item_case_citizen_rating"), type_="check")
        batch_op.drop_column("citizen_rating")
        batch_op.drop_column("revisit_resolved")
