"""群众评价: the citizen's own rating of a reply on /track, kept apart from the staff revisit (回访满意度).

The one rule of when a citizen may rate and what their rating does:

- Once per reply (a new reply after a 重办 may be rated again).
- Before any staff revisit (the case is still 已答复) the citizen's rating *is* the revisit: 满意 or 基本满意
  closes the case, 不满意 sends it back to be handled again (重办) -- through the revisit action
  (:mod:`app.cases.revisit`), so the 满意率 counts it once, as any revisit.
- After a staff revisit closed the case, the citizen may still rate that reply for ``CITIZEN_RATING_DAYS``
  days after it was given. The rating is recorded as 群众评价 only: the case stays closed and the revisit's
  satisfaction stands. A 不满意 then never reopens the case by itself (a click on a public page must not
  undo the department's closure); it is flagged on the timeline and to the supervisors, who may reopen the
  case (重新办理) after looking at it.

The event itself is written by :func:`app.cases.lifecycle.rate_by_citizen` (the timeline's writer).
"""

from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from app.cases.actions import TransitionError
from app.cases.actions import action
from models.case import CaseAction
from models.enums import Satisfaction
from models.enums import Status

NOTICE_KIND = "citizen_rating"


def refusal(case, now: datetime) -> str | None:
    """Why the citizen may not rate ``case`` at ``now``, or None when they may."""
    rated = case.citizen_rated_at
    if rated is not None and (case.replied_at is None or rated >= case.replied_at):
        return _("This reply has already been rated.")  # (a rating that sent it back leaves no reply)
    if case.replied_at is None or case.status not in (Status.REPLIED, Status.CLOSED):
        return _("There is no reply to rate yet.")
    days = current_app.config["CITIZEN_RATING_DAYS"]
    if case.status == Status.CLOSED and now > case.replied_at + timedelta(days=days):
        return _("A reply can be rated for %(days)d days after it was given.", days=days)
    return None


def is_the_revisit(case) -> bool:
    """Whether the citizen's rating now stands for the revisit (no staff revisit of this reply yet)."""
    return case.status == Status.REPLIED


def choice(value) -> Satisfaction:
    """The rating posted, or a refusal."""
    rating = Satisfaction.from_code(value)
    if rating is None:
        raise TransitionError(_("Choose one."))
    return rating


def record(case, rating: Satisfaction, comment: str | None, now: datetime) -> None:
    """Keep the citizen's rating on the case (群众评价), apart from the revisit's satisfaction."""
    case.citizen_rating = rating
    case.citizen_rating_note = comment
    case.citizen_rated_at = now


@action(CaseAction.CITIZEN_RATING, {Status.CLOSED}, frozenset())  # no staff role: only the citizen, on /track
def _after_revisit(case, actor, now, params):
    rating = choice(params.get("satisfaction"))
    data = {"satisfaction": str(rating)}
    if rating == Satisfaction.UNSATISFIED:
        data["flagged"] = True  # the supervisors hear of it (app.cases.event_notices)
    return case.status, (params.get("note") or "").strip() or None, data
