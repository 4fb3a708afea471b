"""The case page's 重复件 panel: how many times the matter has come in, the likely earlier cases with their
similarity and reason (only those the user may see), and for intake staff the 标记重复件 and 并单 buttons
(posted to :mod:`admin_views.cases.repeat_actions`)."""

from flask_login import current_user

from app.auth.access import INTAKE_ROLES
from app.cases import lifecycle
from app.cases import staff_intake
from app.intake import repeats
from models.enums import Status

NOT_MERGE_TARGETS = frozenset({Status.MERGED, Status.REJECTED})  # the merge action refuses these targets


def context(case) -> dict:
    """The template values of the panel for ``case`` (empty: the panel is not shown)."""
    found = repeats.candidates(case, user=current_user)
    times = repeats.times_received(case)
    if not found and times <= 1 and case.repeat_of is None:
        return {}
    may_mark = (
        current_user.role in INTAKE_ROLES
        and staff_intake.may_edit(case)
        and "repeat_of" not in staff_intake.fields_for(current_user)
    )
    may_merge = lifecycle.refusal(case, "merge", current_user) is None
    rows = [
        {
            "candidate": c,
            "mark": may_mark and case.repeat_of_id != c.id,
            "merge": may_merge and c.status not in NOT_MERGE_TARGETS,
        }
        for c in found
    ]
    return {"repeat_panel": {"times": times, "rows": rows, "repeat_of": case.repeat_of}}
