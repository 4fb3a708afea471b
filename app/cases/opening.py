"""The first step of a case's lifecycle: a received case gets its number, tracking code, first event and
first deadlines, with status ``new``. Every later status change goes through :mod:`app.cases.lifecycle`.
"""

import secrets
from datetime import datetime

from app.cases import search_index
from app.cases.direct_insert import insert_new
from app.cases.numbering import NextNumber
from app.deadlines import clock
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import utcnow
from models.case import Case
from models.case import CaseEvent
from models.enums import Status

TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read out on the phone
TRACKING_LENGTH = 12  # about 59 bits: not guessable


def new_tracking_code() -> str:
    """A random, unguessable tracking code (查询码) for the citizen."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def open_case(
    case: Case,
    actor=None,
    *,
    now: datetime | None = None,
    note: str | None = None,
    data: dict | None = None,
    direct: bool = False,
) -> Case:
    """Give a newly received case its number, tracking code and first event; status ``new``.

    ``data`` is added to the first event's data. ``direct`` writes the case, the event and the first
    deadlines with one INSERT each instead of a flush (the intake path; see app.cases.direct_insert).
    """
    now = now or utcnow()
    if case.received_at is None:
        case.received_at = now
    case.tracking_code = new_tracking_code()
    case.status = Status.NEW
    case.created_by = actor
    case.events.append(
        CaseEvent(
            at=now,
            actor=actor,
            action="receive",
            to_status=str(Status.NEW),
            note=note,
            data={"channel": str(case.channel), **(data or {})},
        )
    )
    db.session.add(case)
    clock.on_action(case, "receive", now)
    # Numbered last: on SQLite the counter's UPDATE takes the write lock, held until the commit.
    day = local_day(case.received_at)
    number = NextNumber(f"case:{day:%Y%m%d}", f"SQ{day:%Y%m%d}-")
    if direct:
        children = [*case.events, *case.deadlines, *case.attachments]
        insert_new(case, {"case_id": children}, number=("number", number))
        search_index.add(db.session, [search_index.entry(case)])  # no flush saw it: index it here
    else:
        with db.session.no_autoflush:  # the case is pending without its number
            case.number = number.take()
        db.session.flush()
    return case
