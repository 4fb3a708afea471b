"""What intake works out for a new case from every channel before a person reads it: how many times the
matter has come in (:mod:`app.intake.repeats`), the grade the office's rules suggest
(:mod:`app.intake.grading`), the likely category and lead department (:mod:`app.suggest`), and the alert
to supervisors when a red case arrives. Citizen channels call it in :func:`app.intake.submission.receive`,
the staff intake form around :func:`app.cases.staff_intake.register_by_hand`.
"""

from datetime import datetime

from app import suggest
from app.cases import event_notices
from app.intake import grading
from app.intake import repeats
from models.case import Case
from models.enums import STAFF_INTAKE_CHANNELS
from models.enums import Grade


def before_open(case: Case) -> grading.Verdict:
    """The suggested grade of a case not yet opened. A citizen's case takes it as its grade (its clocks start
    from it); a clerk's choice stands, and one that differs must give its reason (refused otherwise)."""
    verdict = grading.suggest(case, repeat_count=repeats.prior_count(case))
    if case.channel in STAFF_INTAKE_CHANNELS:
        grading.check_choice(case, verdict)
    else:
        case.grade = verdict.grade
    return verdict


def after_open(case: Case, verdict: grading.Verdict, now: datetime) -> None:
    """Record the grade and routing suggestions of the opened (flushed) case; alert supervisors to red."""
    grading.record(case, verdict, now)
    suggest.record(case, suggest.suggest(case.title, case.content), now)
    if case.grade == Grade.RED:
        event_notices.red_received(case, now)
