"""Deadline clocks: lifecycle actions start, stop and re-arm each stage's deadline; the case caches the result.

Only the state machine (:mod:`app.cases.lifecycle`, :mod:`app.cases.opening`) calls :func:`on_action`; only
the extension actions call :func:`extend`; only :mod:`app.deadlines.recompute` calls :func:`recompute`.
Due times come from :func:`app.deadlines.workcalendar.compute_due`; where each run starts (the policy's
``starts_from`` event, or the stage's start) from :mod:`app.deadlines.anchors`.
"""

from datetime import datetime
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import or_

from app.deadlines import anchors
from app.deadlines.policies import choose_policy
from app.deadlines.workcalendar import compute_due
from app.extensions import db
from models.deadline import CASE_STAGES
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import LadderStep
from models.deadline import Stage
from models.deadline import Urgency
from models.enums import Grade

ALL_STAGES = CASE_STAGES  # the order stages (批示, 督办) run on, whatever happens to the case
# the hourly 动态更新 runs for red cases only, from receipt until the citizen is contacted (or answered)
PROGRESS_GRADES = {Grade.RED}

# action: (stages met, stages cancelled, stages started or restarted)
CLOCKS = {
    "receive": ((), (), (Stage.REGISTER, Stage.PROGRESS_UPDATE)),
    "register": ((Stage.REGISTER,), (), (Stage.DISPATCH, Stage.FIRST_REPLY, Stage.RESOLVE)),
    "reject": ((Stage.REGISTER,), ALL_STAGES, ()),
    "dispatch": ((Stage.DISPATCH,), (), (Stage.SIGN,)),
    "return": ((), (Stage.SIGN, Stage.CONTACT), (Stage.DISPATCH,)),
    # 改派 (app.cases.redispatch): the new lead signs and contacts on fresh clocks, as after a dispatch
    "reassign": ((), (Stage.CONTACT,), (Stage.SIGN,)),
    # 撤回: back to intake as after a 退单, to be dispatched on a fresh clock
    "recall": ((), (Stage.SIGN, Stage.CONTACT), (Stage.DISPATCH,)),
    "sign": ((Stage.SIGN,), (), (Stage.CONTACT,)),
    "contact": ((Stage.CONTACT, Stage.PROGRESS_UPDATE), (), ()),
    # 动态更新 (app.cases.progress_updates): this one is met, the next is due an hour later
    "progress_update": ((Stage.PROGRESS_UPDATE,), (), (Stage.PROGRESS_UPDATE,)),
    "reply": ((Stage.FIRST_REPLY, Stage.RESOLVE, Stage.PROGRESS_UPDATE), (), (Stage.REVISIT,)),
    "revisit": ((Stage.REVISIT,), (), ()),
    "redo": ((), (), (Stage.RESOLVE,)),
    # a direct answer (即接即办) the citizen rejects goes back to intake: it is dispatched on a clock again
    "redo_intake": ((), (), (Stage.DISPATCH, Stage.RESOLVE)),
    "reopen": ((), (), (Stage.RESOLVE,)),
    "merge": ((), ALL_STAGES, ()),
    "direct_answer": (
        (Stage.REGISTER, Stage.FIRST_REPLY, Stage.RESOLVE),
        (Stage.DISPATCH, Stage.SIGN, Stage.CONTACT, Stage.PROGRESS_UPDATE),
        (Stage.REVISIT,),
    ),
}


def ladder_times(deadline: CaseDeadline) -> list[tuple[str, datetime]]:
    """Each rung of the deadline's ladder with the instant it fires, earliest first."""
    start, due = deadline.started_at, deadline.due_at
    times = []
    for rung in deadline.policy_snapshot.get("ladder", []):
        if "percent" in rung:
            at = start + (due - start) * rung["percent"] / 100
        elif "minutes_before" in rung:
            at = max(start, due - timedelta(minutes=rung["minutes_before"]))
        else:
            at = due + timedelta(minutes=rung.get("minutes_after", 0))
        times.append((rung["step"], at))
    order = {step: i for i, step in enumerate(LadderStep)}
    return sorted(times, key=lambda pair: (pair[1], order.get(pair[0], 99)))


def arm(deadline: CaseDeadline, next_step: int = 0) -> None:
    """Point the deadline at rung ``next_step`` of its ladder (the sweep fires from there)."""
    times = ladder_times(deadline)
    warn = [at for step, at in times if step == LadderStep.WARN]
    deadline.warn_at = warn[0] if warn else None
    deadline.next_step = next_step
    deadline.next_fire_at = times[next_step][1] if next_step < len(times) else None


def ladder_snapshot(policy) -> dict:
    """What a deadline keeps of its policy: name, limit and ladder, as they were when its clock started."""
    return {
        "policy_id": policy.id,
        "name": policy.name,
        "policy_set": policy.policy_set,
        "amount": policy.amount,
        "unit": str(policy.unit),
        "ladder": list(policy.ladder or []),
        "max_extensions": policy.max_extensions or 0,
        "max_extension_amount": policy.max_extension_amount,
    }


def _row(case, stage) -> CaseDeadline | None:
    return next((d for d in case.deadlines if d.stage == stage), None)


def set_due(deadline: CaseDeadline, policy, action_at: datetime, restart: bool = False) -> None:
    """Count the deadline's run under ``policy`` for a stage started at ``action_at`` (a restart when the
    stage ran before): from the policy's ``starts_from`` event or the stage's start (app.deadlines.anchors)."""
    begin = anchors.begin(deadline.case, policy, action_at, restart)
    due, explanation = compute_due(begin.at, policy.amount, str(policy.unit))
    deadline.policy_id = policy.id  # an id: ``policy`` may be a cached record (app.org.refcache)
    deadline.policy_snapshot = ladder_snapshot(policy) | begin.snapshot()
    deadline.clock = str(policy.unit)
    deadline.started_at = begin.at
    deadline.due_at = due
    deadline.explanation = begin.explain(explanation)


def start(case, stage: str, now: datetime) -> CaseDeadline | None:
    """Start (or restart, as a new version) the clock of ``stage``; cancel it when no policy applies."""
    policy = choose_policy(case, stage)
    if stage == Stage.PROGRESS_UPDATE and case.grade not in PROGRESS_GRADES:
        policy = None
    deadline = _row(case, stage)
    if policy is None:
        if deadline is not None and deadline.status == DeadlineStatus.RUNNING:
            cancel(deadline)
        return None
    restart = deadline is not None
    if deadline is None:
        deadline = CaseDeadline(case=case, stage=str(stage), version=1)
        case.deadlines.append(deadline)  # Case.deadlines is not a backref of CaseDeadline.case
    else:
        deadline.version = (deadline.version or 0) + 1
    set_due(deadline, policy, now, restart)
    deadline.status = DeadlineStatus.RUNNING
    deadline.met_at = deadline.last_fired = None
    # counted from an earlier event, a run may start overdue: the ledger says so from the start
    deadline.breached_at = deadline.due_at if deadline.due_at <= now else None
    deadline.extended_count = 0
    arm(deadline)
    return deadline


def reanchor(case, now: datetime) -> None:
    """Count again the running clocks that waited for an event which has now happened (app.deadlines.anchors)."""
    for deadline in case.deadlines:
        anchor = anchors.pending_anchor(deadline)
        if deadline.status != DeadlineStatus.RUNNING or anchors.anchor_time(case, anchor) is None:
            continue
        policy = choose_policy(case, deadline.stage)
        if policy is None:
            continue
        action_at, restart = anchors.recorded(deadline)
        set_due(deadline, policy, action_at, restart)
        deadline.version = (deadline.version or 0) + 1
        deadline.breached_at = deadline.due_at if deadline.due_at <= now else None
        deadline.last_fired = None
        arm(deadline)


def meet(deadline: CaseDeadline, now: datetime) -> None:
    """The stage was done: stop the clock (a late finish keeps its breach time)."""
    if deadline.status != DeadlineStatus.RUNNING:
        return
    deadline.status = DeadlineStatus.MET
    deadline.met_at = now
    if now > deadline.due_at and deadline.breached_at is None:
        deadline.breached_at = deadline.due_at
    deadline.next_fire_at = None


def cancel(deadline: CaseDeadline) -> None:
    """The stage no longer applies: stop the clock without a verdict."""
    if deadline.status == DeadlineStatus.RUNNING:
        deadline.status = DeadlineStatus.CANCELLED
        deadline.next_fire_at = None


def on_action(case, action: str, now: datetime, data: dict | None = None) -> None:
    """Move the case's clocks for a lifecycle action, then refresh the case's cached urgency."""
    with db.session.no_autoflush:  # policy look-ups must not write the half-changed case (extra versions)
        _move_clocks(case, action, now, data)


def _move_clocks(case, action: str, now: datetime, data: dict | None) -> None:
    key = "redo" if action == "revisit" and (data or {}).get("redo") else action
    if key == "contact" and (data or {}).get("reached") is False:
        key = "contact_not_reached"  # 未接通 (models.enums.ContactMethod.reached): the contact clock runs on
    if key == "revisit" and (data or {}).get("reached") is False:
        key = "revisit_not_reached"  # 未接通 at the revisit (app.cases.revisit): the revisit clock runs on
    if key == "redo" and (data or {}).get("to_intake"):
        key = "redo_intake"
    met, cancelled, started = CLOCKS.get(key, ((), (), ()))
    if key in ("redo", "redo_intake"):
        met = (Stage.REVISIT,)
    for stage in met:
        if (deadline := _row(case, stage)) is not None:
            meet(deadline, now)
    for stage in cancelled:
        if (deadline := _row(case, stage)) is not None:
            cancel(deadline)
    for stage in started:
        start(case, stage, now)
    reanchor(case, now)
    refresh_case(case, now)


def refresh_case(case, now: datetime) -> None:
    """Cache the earliest running due time and its colour on the case, for lists and filters."""
    running = [d for d in case.deadlines if d.status == DeadlineStatus.RUNNING]
    if not running:
        case.next_due_at, case.urgency = None, None
        return
    case.next_due_at = min(d.due_at for d in running)
    if any(d.breached_at is not None or d.due_at <= now for d in running):
        case.urgency = Urgency.RED
    elif any(d.warn_at is not None and d.warn_at <= now for d in running):
        case.urgency = Urgency.YELLOW
    else:
        case.urgency = Urgency.GREEN


def extension_due(deadline: CaseDeadline, amount: int, unit: str) -> datetime:
    """The due time after adding ``amount`` ``unit`` to the current one."""
    # A day-based due time is 24:00 of its last day; count the added days from that day, not the next.
    base = deadline.due_at - timedelta(microseconds=1) if unit.endswith("days") else deadline.due_at
    due, _ = compute_due(base, amount, unit)
    return due


def extend(deadline: CaseDeadline, new_due: datetime, now: datetime) -> None:
    """Apply an approved extension: move the due time, bump the version and re-arm the whole ladder."""
    deadline.due_at = new_due
    deadline.version = (deadline.version or 0) + 1
    deadline.extended_count = (deadline.extended_count or 0) + 1
    if new_due > now:
        deadline.breached_at = None
    deadline.last_fired = None
    arm(deadline)
    refresh_case(deadline.case, now)


def recompute(deadline: CaseDeadline, now: datetime) -> bool:
    """Re-choose the policy and due time of a running deadline; True when its due time changed."""
    if deadline.status != DeadlineStatus.RUNNING:
        return False
    policy = choose_policy(deadline.case, deadline.stage)
    if policy is None:
        cancel(deadline)
        refresh_case(deadline.case, now)
        return True
    before = (deadline.due_at, deadline.started_at, deadline.policy_id, _policy_part(deadline))
    set_due(deadline, policy, *anchors.recorded(deadline))
    for extension in deadline.approved_extensions():
        deadline.due_at = extension_due(deadline, extension.amount, extension.unit)
    if (deadline.due_at, deadline.started_at, policy.id, _policy_part(deadline)) == before:
        return False
    deadline.version = (deadline.version or 0) + 1
    deadline.breached_at = None if deadline.due_at > now else deadline.breached_at
    arm(deadline)
    refresh_case(deadline.case, now)
    return True


def _policy_part(deadline: CaseDeadline) -> dict:
    """The snapshot without where the run started (a deadline from before anchors lacks those keys)."""
    return {k: v for k, v in (deadline.policy_snapshot or {}).items() if k not in anchors.KEYS}


def late_condition(now: datetime):
    """SQL: a deadline done late, or still running past its due time (the one meaning of "overdue")."""
    return or_(
        CaseDeadline.breached_at.is_not(None),
        and_(CaseDeadline.status == DeadlineStatus.RUNNING, CaseDeadline.due_at <= now),
    )


def is_late(deadline: CaseDeadline | None, now: datetime) -> bool:
    """Python twin of :func:`late_condition` for one loaded deadline (None is never late)."""
    if deadline is None:
        return False
    return deadline.breached_at is not None or (
        deadline.status == DeadlineStatus.RUNNING and deadline.due_at <= now
    )


def ladder_urgency(step: str) -> Urgency:
    """The colour a case takes when a rung fires: yellow at the warning, red from the breach on.

    The same rule as :func:`refresh_case`: a warning passed is yellow, a due time passed is red.
    """
    return Urgency.YELLOW if step == LadderStep.WARN else Urgency.RED
