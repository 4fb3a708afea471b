"""分级处置: a street hands a case down (下派) to one of its communities and takes it back.

While a case is handed down, the community signs, contacts and replies on the street's behalf; when the
street reviews its communities' replies (``Department.reviews_handed_down_replies``), the community drafts
the reply and the street sends it. Who works a case now is :func:`acting_department_for`, which the state
machine asks for every lead-only action. Nothing here writes the timeline or commits.
"""

from datetime import datetime

from flask_babel import gettext as _

from app.auth.access import acting_department_id
from app.refusal import Refusal
from models.case import CaseAction
from models.enums import DepartmentKind

RECEIVING_KINDS = frozenset({DepartmentKind.COMMUNITY, DepartmentKind.STATION})


class HandDownRefusal(Refusal):
    """A hand-down step was refused (see app.refusal)."""


def street_reviews(case) -> bool:
    """Whether the case is handed down and its street reviews the reply before it reaches the citizen."""
    lead = case.lead_department
    return case.handed_down_to_id is not None and lead is not None and bool(lead.reviews_handed_down_replies)


def acting_department_for(case, action: str) -> int | None:
    """The unit that may take lead-only ``action`` now: the street sends a reply it reviews and alone returns
    the case to intake (退单), else the community the case is handed down to, else the lead."""
    if action == CaseAction.RETURN or (action == CaseAction.REPLY and street_reviews(case)):
        return case.lead_department_id
    return acting_department_id(case)


def may_hand_down_refusal(case, user) -> str | None:
    """Why ``user`` may not hand this case down, or None."""
    lead = case.lead_department
    if lead is None or lead.kind != DepartmentKind.STREET:
        return _("Only a street hands its cases down to its communities.")
    if case.handed_down_to_id is not None:
        return _("The case is already handed down to %(unit)s.", unit=case.handed_down_to.name)
    if user.department_id is not None and user.department_id != lead.id:
        return _("Only the lead street hands the case down.")
    return None


def hand_down(case, community, now: datetime) -> None:
    """Hand the case down to ``community``, which must be an active unit under the lead street."""
    lead = case.lead_department
    if (
        community is None
        or not community.active
        or community.kind not in RECEIVING_KINDS
        or not (community.path or "").startswith(lead.path)
        or community.id == lead.id
    ):
        raise HandDownRefusal(_("Choose an active community or station of this street."))
    case.handed_down_to, case.handed_down_at = community, now
    case.handler = None


def take_back_refusal(case, user) -> str | None:
    """Why ``user`` may not take the case back (the street) or hand it back (the community), or None."""
    if case.handed_down_to_id is None:
        return _("The case is not handed down.")
    if user.department_id is None:
        return None  # supervisors and administrators
    if user.department_id not in (case.lead_department_id, case.handed_down_to_id):
        return _("Only the street or the community it is handed down to may do this.")
    return None


def take_back(case, actor, reason: str | None, now: datetime) -> dict:
    """The street takes the case back, or the community hands it back; a community must say why."""
    from_community = actor is not None and actor.department_id == case.handed_down_to_id
    if from_community and not (reason or "").strip():
        raise HandDownRefusal(_("Give the reason for handing the case back to the street."))
    data = {"community_id": case.handed_down_to.id, "by_community": from_community}
    case.handed_down_to, case.handed_down_at = None, None
    case.handler = None
    return data
