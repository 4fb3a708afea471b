"""Which deadline policy governs a case's stage, the ladder format, and the default policy sets."""

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.org import refcache
from models.audit import AuditEntity
from models.deadline import ClockAnchor
from models.deadline import DeadlinePolicy
from models.deadline import LadderStep
from models.deadline import Stage
from models.deadline import Unit
from models.enums import Grade
from models.enums import MailboxKind
from models.enums import RequestType
from models.jobstate import RecomputeRequest
from models.org import Mailbox

# Tie rule, stated once: more matching criteria wins; with as many, the criterion earlier in this list
# wins (an exact category beats its parent category); then the higher ``priority``; then the newer policy.
CRITERIA_ORDER = ("grade", "mailbox", "category", "request_type")


def _category_match(policy: DeadlinePolicy, case) -> int | None:
    """2 for the case's own category, 1 for its parent, 0 for a policy without one, None for no match."""
    if policy.category_id is None:
        return 0
    category_id = case.category_id
    if category_id is None and case.category is not None:  # a new case given the object, not yet flushed
        category_id = case.category.id
    if category_id is None:
        return None
    if policy.category_id == category_id:
        return 2
    return 1 if policy.category_id == refcache.snapshot().parents.get(category_id) else None


def match_key(policy: DeadlinePolicy, case) -> tuple | None:
    """The policy's rank for ``case`` (higher is more specific), or None when it does not apply."""
    category = _category_match(policy, case)
    if category is None:
        return None
    checks = {
        "grade": (policy.grade, case.grade),
        "mailbox": (policy.mailbox_id, case.mailbox_id),
        "request_type": (policy.request_type, case.request_type),
    }
    for wanted, actual in checks.values():
        if wanted is not None and str(wanted) != str(actual):
            return None
    present = {name: int(pair[0] is not None) for name, pair in checks.items()}
    present["category"] = category
    count = sum(1 for value in present.values() if value)
    return (count, *(present[name] for name in CRITERIA_ORDER), policy.priority or 0, policy.id or 0)


def choose_policy(case, stage: str, policies=None) -> DeadlinePolicy | None:
    """The most specific active policy for ``stage`` of ``case`` (see CRITERIA_ORDER), or None."""
    if policies is None:
        policies = refcache.snapshot().policies.get(str(stage), ())
    ranked = [(key, p) for p in policies if (key := match_key(p, case)) is not None]
    return max(ranked, key=lambda pair: pair[0])[1] if ranked else None


POLICY_AUDITED = (
    "name",
    "policy_set",
    "stage",
    "grade",
    "request_type",
    "category_id",
    "mailbox_id",
    "amount",
    "unit",
    "ladder",
    "starts_from",
    "max_extensions",
    "max_extension_amount",
    "priority",
    "active",
)


ENUMS = ("stage", "unit", "starts_from")


def policy_snapshot(policy: DeadlinePolicy) -> dict:
    """The audited fields of a policy as plain JSON values."""
    return {name: (str(v) if (v := getattr(policy, name)) is not None and name in ENUMS else v)
            for name in POLICY_AUDITED}  # fmt: skip


def record_policy_change(
    policy: DeadlinePolicy, action: str, before: dict | None, after: dict | None, actor
) -> None:
    """Audit a policy change and queue the recompute of the running deadlines of its stage (flushed).

    A change that moves a policy from one stage to another, or touches no stage, recomputes every stage.
    """
    audit.record(AuditEntity.DEADLINE_POLICY, policy.id, action, actor, before, after)
    stages = {s for s in ((before or {}).get("stage"), (after or {}).get("stage")) if s}
    db.session.add(
        RecomputeRequest(
            reason=f"deadline_policy {action} #{policy.id}",
            scope={"stage": stages.pop()} if len(stages) == 1 else {},
            requested_by_id=getattr(actor, "id", None),
        )
    )
    db.session.flush()


def validate_ladder(ladder) -> list[dict]:
    """Check a ladder (list of rungs) and return it normalised; raise ValueError with a message."""
    if not isinstance(ladder, list):
        raise ValueError(_("The ladder must be a list of steps."))
    seen, clean = set(), []
    for rung in ladder:
        if not isinstance(rung, dict) or rung.get("step") not in set(LadderStep):
            raise ValueError(
                _("Each ladder step needs a step: warn, breach, escalate_supervisor or escalate_leader.")
            )
        step = rung["step"]
        if step in seen:
            raise ValueError(_("Each ladder step may appear only once."))
        seen.add(step)
        item = {"step": step}
        for key in ("percent", "minutes_before", "minutes_after"):
            if key in rung:
                value = rung[key]
                if not isinstance(value, int) or value < 0 or (key == "percent" and not 0 < value < 100):
                    raise ValueError(_("Ladder offsets must be whole minutes, and percent between 1 and 99."))
                item[key] = value
        if step == LadderStep.WARN and not ({"percent", "minutes_before"} & item.keys()):
            raise ValueError(_("A warning needs percent or minutes_before."))
        clean.append(item)
    return clean


def ladder(warn_percent=80, supervisor_after=None, leader_after=None) -> list[dict]:
    """A standard ladder: warn at a share of the time, breach at the due time, then escalations."""
    rungs = [{"step": "warn", "percent": warn_percent}, {"step": "breach"}]
    if supervisor_after is not None:
        rungs.append({"step": "escalate_supervisor", "minutes_after": supervisor_after})
    if leader_after is not None:
        rungs.append({"step": "escalate_leader", "minutes_after": leader_after})
    return rungs


HOUR, DAY = 60, 24 * 60
FAST = ladder(80, 30, 4 * HOUR)  # minute-scale steps: supervisors half an hour after the breach
SLOW = ladder(80, DAY, 3 * DAY)  # day-scale steps
# a red case's hourly update: a reminder 10 minutes before, supervisors when a further hour passes, then leaders
HOURLY = [{"step": "warn", "minutes_before": 10}, {"step": "breach"},
          {"step": "escalate_supervisor", "minutes_after": HOUR}, {"step": "escalate_leader", "minutes_after": 2 * HOUR}]  # fmt: skip
# The mailbox and red sets count what the public pages promise from receipt (收到后 10 分钟内签收 …).
BOX_CHIEF = {"mailbox_kind": MailboxKind.BUREAU_CHIEF, "starts_from": ClockAnchor.RECEIVED}
SECRETARY = {"mailbox_kind": MailboxKind.PARTY_SECRETARY, "starts_from": ClockAnchor.RECEIVED}
RED = {"grade": Grade.RED, "starts_from": ClockAnchor.RECEIVED}

# (policy set, name, stage, criteria, amount, unit, ladder, extensions: (max count, max amount) or None)
DEFAULT_POLICIES = [
    ("区默认", "受理登记 1 个工作日", Stage.REGISTER, {}, 1, Unit.WORKING_DAYS, SLOW, None),
    ("区默认", "派单 1 个工作日", Stage.DISPATCH, {}, 1, Unit.WORKING_DAYS, SLOW, None),
    ("区默认", "签收 2 小时", Stage.SIGN, {}, 2, Unit.HOURS, FAST, None),
    ("区默认", "联系群众 1 个工作日", Stage.CONTACT, {}, 1, Unit.WORKING_DAYS, SLOW, None),
    ("区默认", "首次答复 5 个工作日", Stage.FIRST_REPLY, {}, 5, Unit.WORKING_DAYS, SLOW, None),
    ("区默认", "办结 15 个工作日", Stage.RESOLVE, {}, 15, Unit.WORKING_DAYS, SLOW, (1, 15)),
    ("区默认", "回访 3 个工作日", Stage.REVISIT, {}, 3, Unit.WORKING_DAYS, SLOW, None),
    ("广东12345", "咨询类 2 个工作日办结", Stage.RESOLVE, {"request_type": RequestType.CONSULT}, 2, Unit.WORKING_DAYS, SLOW, (1, 2)),
    ("广东12345", "求助类 10 个工作日办结", Stage.RESOLVE, {"request_type": RequestType.HELP}, 10, Unit.WORKING_DAYS, SLOW, (1, 10)),
    ("广东12345", "建议类 10 个工作日办结", Stage.RESOLVE, {"request_type": RequestType.SUGGESTION}, 10, Unit.WORKING_DAYS, SLOW, (1, 10)),
    ("广东12345", "投诉类 15 个工作日办结", Stage.RESOLVE, {"request_type": RequestType.COMPLAINT}, 15, Unit.WORKING_DAYS, SLOW, (1, 15)),
    ("广东12345", "举报类 15 个工作日办结", Stage.RESOLVE, {"request_type": RequestType.REPORT}, 15, Unit.WORKING_DAYS, SLOW, (1, 15)),
    ("局长信箱", "局长信箱 10 分钟签收", Stage.SIGN, BOX_CHIEF, 10, Unit.MINUTES, FAST, None),
    ("局长信箱", "局长信箱 30 分钟联系", Stage.CONTACT, BOX_CHIEF, 30, Unit.MINUTES, FAST, None),
    ("局长信箱", "局长信箱 4 个工作日答复", Stage.FIRST_REPLY, BOX_CHIEF, 4, Unit.WORKING_DAYS, SLOW, (1, 4)),
    ("书记在线", "书记在线 10 分钟响应", Stage.SIGN, SECRETARY, 10, Unit.MINUTES, FAST, None),
    ("书记在线", "书记在线 30 分钟联系", Stage.CONTACT, SECRETARY, 30, Unit.MINUTES, FAST, None),
    ("书记在线", "书记在线 24 小时处理意见", Stage.FIRST_REPLY, SECRETARY, 24, Unit.HOURS, FAST, None),
    ("红色件", "红色件 10 分钟签收", Stage.SIGN, RED, 10, Unit.MINUTES, FAST, None),
    ("红色件", "红色件 30 分钟联系", Stage.CONTACT, RED, 30, Unit.MINUTES, FAST, None),
    ("红色件", "红色件 1 小时反馈进展", Stage.FIRST_REPLY, RED, 1, Unit.HOURS, FAST, None),
    ("红色件", "红色件 每小时动态更新", Stage.PROGRESS_UPDATE, RED, 1, Unit.HOURS, HOURLY, None),
    ("领导批示", "批示落实 3 个工作日", Stage.INSTRUCTION, {}, 3, Unit.WORKING_DAYS, SLOW, None),
    ("督办", "督办答复 3 个工作日", Stage.SUPERVISION, {}, 3, Unit.WORKING_DAYS, SLOW, None),
    ("信访法定时限", "信访事项 15 日内受理告知", Stage.REGISTER, {"mailbox_kind": "petition"}, 15, Unit.NATURAL_DAYS, SLOW, None),
    ("信访法定时限", "信访事项 60 日内办结（可延长 30 日）", Stage.RESOLVE, {"mailbox_kind": "petition"}, 60, Unit.NATURAL_DAYS, SLOW, (1, 30)),
]  # fmt: skip


def seed_default_policies() -> int:
    """Create the default policy sets that are missing (by name); return how many were added.

    Mailbox sets attach to every mailbox of their kind; the statutory petition set attaches to mailboxes
    whose slug is ``xinfang`` and is left inactive (for an administrator to attach) when there is none.
    """
    existing = set(db.session.scalars(select(DeadlinePolicy.name)))
    mailboxes = db.session.scalars(select(Mailbox)).all()
    added = 0
    for policy_set, name, stage, criteria, amount, unit, rungs, extension in DEFAULT_POLICIES:
        criteria = dict(criteria)
        kind = criteria.pop("mailbox_kind", None)
        targets = [None]
        if kind == "petition":
            targets = [m for m in mailboxes if m.slug == "xinfang"] or [False]
        elif kind is not None:
            targets = [m for m in mailboxes if m.kind == kind]
        for mailbox in targets:
            full_name = name if mailbox in (None, False) or len(targets) == 1 else f"{name}（{mailbox.name}）"
            if full_name in existing:
                continue
            db.session.add(
                DeadlinePolicy(
                    name=full_name,
                    policy_set=policy_set,
                    stage=stage,
                    amount=amount,
                    unit=unit,
                    ladder=rungs,
                    mailbox=mailbox or None,
                    active=mailbox is not False,
                    max_extensions=extension[0] if extension else 0,
                    max_extension_amount=extension[1] if extension else None,
                    **{k: str(v) for k, v in criteria.items()},
                )
            )
            existing.add(full_name)
            added += 1
    db.session.flush()
    return added
