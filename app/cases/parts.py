"""协办同责: each co-department's own part of a case, the one place its rules live.

A part is created when the case is dispatched with the department as a co-department; it is signed for,
contacted and answered by that department on its own clocks (:mod:`app.deadlines.part_clocks`), or
waived by a supervisor. The lead department cannot reply to the citizen while a part is open. Nothing here
writes the timeline or commits: the actions of :mod:`app.cases.levels` call these.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists

from app.auth.redaction import redact_free_text
from app.deadlines import clock
from app.deadlines import part_clocks
from app.refusal import Refusal
from models.case_part import SETTLED_PARTS
from models.case_part import CasePart
from models.case_part import PartStatus
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Stage


class PartRefusal(Refusal):
    """A step on a co-department's part was refused (see app.refusal)."""


def assign(case, departments, now: datetime) -> list[CasePart]:
    """At dispatch: one part per co-department (a returned case's old parts go), each on running clocks."""
    wanted = {d.id: d for d in departments}
    for part in list(case.parts):
        if part.department_id not in wanted:
            case.parts.remove(part)
    kept = {p.department_id: p for p in case.parts}
    for department_id, department in wanted.items():
        part = kept.get(department_id)
        if part is None:
            part = CasePart(department=department, assigned_at=now, status=PartStatus.PENDING)
            case.parts.append(part)
        else:
            part.status, part.assigned_at = PartStatus.PENDING, now
            part.signed_at = part.contacted_at = part.answered_at = part.waived_at = None
            part.answer = part.waive_reason = None
        for stage in (Stage.SIGN, Stage.RESOLVE):
            part_clocks.start(case, part, stage, now)
    return list(case.parts)


def remove_all(case) -> None:
    """The case went back to intake (退单): its parts go with its co-departments."""
    case.parts.clear()


def stop_all(case) -> None:
    """The case was merged or not accepted: no part asks anything any more (no verdict)."""
    for part in case.parts:
        part_clocks.cancel_all(part)


def part_of(case, department_id) -> CasePart | None:
    """The part of ``case`` that ``department_id`` holds, or None."""
    return next((p for p in case.parts if p.department_id == department_id), None)


def open_parts(case) -> list[CasePart]:
    """The parts neither answered nor waived."""
    return [p for p in case.parts if p.status not in SETTLED_PARTS]


def reply_refusal(case) -> str | None:
    """Why the lead may not reply yet (a part is open), or None."""
    waiting = open_parts(case)
    if not waiting:
        return None
    return _(
        "Every co-department's part must be answered, or waived by a supervisor, before the reply: "
        "waiting for %(departments)s.",
        departments="、".join(p.department.name for p in waiting),
    )


def step_refusal(case, user, status: PartStatus) -> str | None:
    """Why ``user``'s department may not take the next step of its part (it must be ``status``), or None."""
    part = part_of(case, user.department_id) if user.department_id is not None else None
    if part is None:
        return _("Your department has no co-handled part in this case.")
    if part.status != status:
        return _("Your department's part is %(status)s.", status=part.status.label)
    return None


def sign(case, part: CasePart, actor, now: datetime) -> None:
    """The co-department signs for its part: its sign clock stops and its contact clock starts."""
    part.status, part.signed_at, part.handler = PartStatus.SIGNED, now, actor
    part_clocks.meet(part, (Stage.SIGN,), now)
    part_clocks.start(case, part, Stage.CONTACT, now)


def contact(part: CasePart, now: datetime) -> None:
    """The co-department recorded its contact with the citizen (the first one stops its clock)."""
    if part.contacted_at is None:
        part.contacted_at = now
    part_clocks.meet(part, (Stage.CONTACT,), now)


def answer(part: CasePart, actor, text: str, now: datetime) -> None:
    """The co-department answers its part; every clock of the part stops."""
    text = (text or "").strip()
    if not text:
        raise PartRefusal(_("Write your department's answer."))
    part.status, part.answer, part.answered_at, part.answered_by = PartStatus.ANSWERED, text, now, actor
    part_clocks.meet(part, (Stage.SIGN, Stage.CONTACT, Stage.RESOLVE), now)


def waive(case, part_id, actor, reason: str, now: datetime) -> CasePart:
    """A supervisor waives an open part with a reason; its clocks stop without a verdict."""
    part = next((p for p in open_parts(case) if str(p.id) == str(part_id)), None)
    if part is None:
        raise PartRefusal(_("Choose an open co-handled part."))
    reason = (reason or "").strip()
    if not reason:
        raise PartRefusal(_("Give the reason for waiving the part."))
    part.status, part.waived_at, part.waived_by, part.waive_reason = PartStatus.WAIVED, now, actor, reason
    part_clocks.cancel_all(part)
    return part


def reply_summary(case) -> list[dict]:
    """The parts as the reply records them: each co-department's answer, or that it was waived."""
    return [
        {"department": p.department.name, "status": str(p.status), "answer": p.answer or p.waive_reason or ""}
        for p in case.parts
    ]


def reply_draft(case) -> str:
    """A start for the lead's reply: each co-department's answer to its part, one per line ("" for none)."""
    answered = [p for p in case.parts if p.status == PartStatus.ANSWERED and p.answer]
    if not answered:
        return ""
    lines = [_("The co-departments answered:")]
    lines += [f"{p.department.name}：{p.answer}" for p in answered]
    return "\n".join(lines)


def part_overdue(now: datetime):
    """SQL: a part is overdue when one of its steps came late, or is still owed past its due time."""
    return (
        exists()
        .where(
            CaseDeadline.part_id == CasePart.id,
            clock.late_condition(now),
        )
        .correlate(CasePart)
    )


def is_overdue(part: CasePart, now: datetime) -> bool:
    """Python twin of :func:`part_overdue` for one loaded part."""
    return any(clock.is_late(d, now) for d in part.deadlines)


def next_due(part: CasePart):
    """The earliest due time among the part's running clocks, or None."""
    running = [d.due_at for d in part.deadlines if d.status == DeadlineStatus.RUNNING]
    return min(running) if running else None


def redact_all(case, known) -> None:
    """Mask the citizen's personal data in every co-department part's texts (request, answer, waiver)."""
    for part in case.parts:
        for name in ("request", "answer", "waive_reason"):
            if getattr(part, name):
                setattr(part, name, redact_free_text(getattr(part, name), known))
