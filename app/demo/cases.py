"""Running the planned demo cases through the state machine, all of them in one time order."""

from datetime import datetime

from app.cases import lifecycle
from app.cases.extensions import extendable
from app.demo.org import Org
from app.demo.plan import Plan
from app.demo.plan import Planner
from models.case import Case
from models.enums import Channel

BATCH = 500  # lifecycle operations per commit
STAFF_CHANNELS = (Channel.HOTLINE, Channel.WALK_IN)  # a clerk types these in; the rest arrive online


def plan_cases(n: int, org: Org, gen, volunteers: list, now: datetime) -> list[Plan]:
    """Plan ``n`` demo cases received over the last 18 months (``HISTORY_DAYS``) up to ``now``."""
    return Planner(org, gen, volunteers, now).plan(n)


def _open(p: Plan, at: datetime, org: Org) -> None:
    case = Case(**p.fields)
    case.received_at = at
    if p.duplicate == "repeat":
        original = p.target.case
        case.repeat_of = original
        case.content = (
            f"本人此前已反映过该问题（诉求编号{original.number}），至今未彻底解决，现再次反映：{case.content}"
        )
    actor = p.steps[0][2] if p.steps and p.channel in STAFF_CHANNELS else None
    if actor is None and p.channel in STAFF_CHANNELS:
        actor = org.users["clerk"]
    # ``direct``: one INSERT per row instead of a flush, as on the intake path (half the cost of opening)
    lifecycle.open_case(case, actor, now=at, direct=True)
    p.case = case


def _perform(p: Plan, step: tuple, at: datetime) -> None:
    _offset, action, actor, params = step
    if action == "rate":  # the citizen's own revisit, from the tracking page
        lifecycle.rate_by_citizen(p.case, params["satisfaction"], params["comment"], now=at)
        return
    if action == "request_extension":  # the first deadline that may still be extended, if any is left
        running = extendable(p.case)
        if not running:
            return
        limit = running[0].policy_snapshot.get("max_extension_amount") or 5
        params = {**params, "stage": running[0].stage, "amount": min(5, limit)}
    if action == "merge":
        target = p.target.case
        params = {**params, "target": target, "note": params["note"].format(number=target.number)}
    # a value only the run can know (the answered part of an order: app.demo.moments.AnsweredPart)
    params = {k: v(p.case) if callable(v) else v for k, v in params.items()}
    lifecycle.perform(p.case, action, actor, now=at, **params)


def run_plans(session, plans: list[Plan], org: Org) -> int:
    """Open every planned case and take its steps, all cases interleaved in time order; return the count."""
    ops = []
    for p in plans:
        ops.append((p.received_at, p.index, -1))
        ops.extend((p.received_at + step[0], p.index, k) for k, step in enumerate(p.steps))
    ops.sort(key=lambda op: (op[0], op[1], op[2]))
    for done, (at, index, k) in enumerate(ops, start=1):
        p = plans[index]
        if k < 0:
            _open(p, at, org)
        else:
            _perform(p, p.steps[k], at)
        if done % BATCH == 0:
            session.commit()
    session.commit()
    return len(plans)
