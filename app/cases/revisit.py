"""The revisit (回访) of a reply: the one rule of what it records and where it sends the case.

A revisit is a call (or visit) to the citizen after the reply. Not reached (未接通): the case stays 已答复,
its revisit clock keeps running and the try is counted on the timeline. Reached: whether the problem is
resolved (是否解决) is recorded apart from the satisfaction (回访满意度); 满意 / 基本满意 closes the case,
不满意 sends it back to be handled again (重办). The citizen's own rating of a reply not yet revisited is
the revisit too (through :func:`app.cases.lifecycle.rate_by_citizen`, without a method or resolved).
"""

from flask_babel import gettext as _

from app.refusal import Refusal
from models.case import CaseAction
from models.enums import ContactMethod
from models.enums import Satisfaction
from models.enums import Status

RESOLVED = {"yes": True, "no": False}


class RevisitRefusal(Refusal):
    """The revisit's input does not make a revisit."""


def _note(params: dict) -> str | None:
    return (params.get("note") or "").strip() or None


def _method(params: dict) -> ContactMethod | None:
    value = params.get("method")
    if value in (None, ""):
        return None
    method = ContactMethod.from_code(str(value))
    if method is None:
        raise RevisitRefusal(_("Choose how the citizen was reached."))
    return method


def _resolved(params: dict) -> bool | None:
    value = params.get("resolved")
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if value not in RESOLVED:
        raise RevisitRefusal(_("Choose whether the problem is resolved."))
    return RESOLVED[value]


def attempts_since_reply(case) -> int:
    """How many revisit calls since the last reply did not get through (未接通)."""
    count = 0
    for event in reversed(case.events):
        if event.action in (CaseAction.REPLY, CaseAction.DIRECT_ANSWER):
            break
        if event.action == CaseAction.REVISIT and (event.data or {}).get("reached") is False:
            count += 1
    return count


def is_unreached(data: dict | None) -> bool:
    """Whether a revisit event's data records a call that did not get through (the clock keeps running)."""
    return (data or {}).get("reached") is False


def outcome(case, now, params: dict) -> tuple[Status, str | None, dict]:
    """Record the revisit on ``case``; ``(to_status, note, data)`` for the timeline, or a refusal."""
    method, note = _method(params), _note(params)
    if method is not None and not method.reached:
        if params.get("satisfaction") or params.get("resolved") not in (None, ""):
            raise RevisitRefusal(_("A call that did not get through has no satisfaction or resolution."))
        attempt = attempts_since_reply(case) + 1
        return Status.REPLIED, note, {"reached": False, "method": str(method), "attempt": attempt}
    try:
        satisfaction = Satisfaction(params.get("satisfaction"))
    except ValueError:
        raise RevisitRefusal(_("Choose the citizen's satisfaction.")) from None
    resolved = _resolved(params)
    case.satisfaction = satisfaction
    case.satisfaction_note = note
    case.revisit_resolved = resolved
    data = {"satisfaction": str(satisfaction)}
    if method is not None:
        data["method"] = str(method)
    if resolved is not None:
        data["resolved"] = resolved
    if satisfaction == Satisfaction.UNSATISFIED:
        case.redo_count = (case.redo_count or 0) + 1
        case.replied_at = None
        data["redo"] = True
        if case.lead_department_id is None:  # answered on the spot (即接即办): back to intake, to dispatch
            data["to_intake"] = True
            return Status.REGISTERED, note, data
        return Status.IN_PROGRESS, note, data
    case.closed_at = now
    return Status.CLOSED, note, data
