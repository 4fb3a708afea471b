"""deadline stages name the event their clock starts from; red-case progress updates

``deadline_policy.starts_from`` names the case event a policy's clock counts from (NULL: the stage's own
start, as before). The seeded default rows of the 局长信箱, 书记在线 and 红色件 sets that the public pages
promise are set to count from receipt here (identified by their seeded names); the new hourly progress-update
policy of the 红色件 set is added by ``flask seed-policies`` (idempotent, adds the missing defaults).

Revision ID: 0018_clock_anchors
Revises: 0017_audit_duties
Create Date: 2026-12-03 03:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_clock_anchors"
down_revision = "0017_audit_duties"
branch_labels = None
depends_on = None

STAGES = (
    "register",
    "dispatch",
    "sign",
    "contact",
    "first_reply",
    "resolve",
    "revisit",
    "instruction",
    "supervision",
    "order_ack",
    "check_in",
    "feedback",
)
NEW_STAGES = STAGES + ("progress_update",)
# the seeded names (app.deadlines.policies.DEFAULT_POLICIES) counted from receipt; a mailbox's copy is
# named "<name>（<mailbox>）"
FROM_RECEIPT = (
    ("局长信箱", "局长信箱 10 分钟签收"),
    ("局长信箱", "局长信箱 30 分钟联系"),
    ("局长信箱", "局长信箱 4 个工作日答复"),
    ("书记在线", "书记在线 10 分钟响应"),
    ("书记在线", "书记在线 30 分钟联系"),
    ("书记在线", "书记在线 24 小时处理意见"),
    ("红色件", "红色件 10 分钟签收"),
    ("红色件", "红色件 30 分钟联系"),
    ("红色件", "红色件 1 小时反馈进展"),
)


def _stage_check(stages) -> str:
    return "stage IN (" + ", ".join(f"'{s}'" for s in stages) + ")"


def _stages(stages) -> None:
    with op.batch_alter_table("case_deadline", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_case_deadline_case_deadline_stage"), type_="check")
        batch_op.create_check_constraint("case_deadline_stage", _stage_check(stages))
    with op.batch_alter_table("deadline_policy", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_deadline_policy_deadline_stage"), type_="check")
        batch_op.create_check_constraint("deadline_stage", _stage_check(stages))


def mark_from_receipt():
    """The seeded rows of the sets the public pages promise count from receipt (NULL ones only)."""
    update = sa.text(
        "UPDATE deadline_policy SET starts_from = 'received' WHERE starts_from IS NULL "
        "AND policy_set = :policy_set AND (name = :name OR name LIKE :copies)"
    )
    for policy_set, name in FROM_RECEIPT:
        op.execute(update.bindparams(policy_set=policy_set, name=name, copies=f"{name}（%"))


def upgrade():
    with op.batch_alter_table("deadline_policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_from", sa.String(length=20), nullable=True))
    _stages(NEW_STAGES)
    mark_from_receipt()


def downgrade():
    op.execute(sa.text("DELETE FROM case_deadline WHERE stage = 'progress_update'"))
    op.execute(sa.text("DELETE FROM deadline_policy WHERE stage = 'progress_update'"))
    _stages(STAGES)
    with op.batch_alter_table("deadline_policy", schema=None) as batch_op:
        batch_op.drop_column("starts_from")
