"""督办 on many cases at once: one 督办单 per case, to its lead department, through the state machine.

Each case is its own step: a case that cannot take the order (no lead department yet, finished, refused) is
reported with the reason and the others go ahead; the caller commits once.
"""

from datetime import datetime

from flask_babel import gettext as _

from app.cases import lifecycle
from models.case import Case


def supervise_many(cases: list[Case], actor, *, content: str, level: str, due_date, now: datetime):
    """Issue a 督办单 on each case; ([cases supervised], [(case, reason) skipped])."""
    issued, skipped = [], []
    for case in cases:
        if case.lead_department is None:
            skipped.append((case, _("No lead department yet.")))
            continue
        try:
            lifecycle.perform(case, "supervise", actor, now=now, content=content, level=level,
                              departments=[case.lead_department], due_date=due_date)  # fmt: skip
        except lifecycle.TransitionError as refusal:
            if not (content or "").strip():
                raise  # the same for every case: say it once
            skipped.append((case, refusal.message))
            continue
        issued.append(case)
    return issued, skipped
