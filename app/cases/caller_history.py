"""来电历史: a caller's earlier cases found by phone number and by ID number, and the repeat warning.

Looked up at intake, as the clerk types (the staff intake form) and on the page of a new letter. Only the
cases the user may see count (:mod:`app.auth.access`), and only by a number the user's role sees in full
(:func:`app.auth.pii.may_search`): a role that sees the phone masked cannot find cases by phone here.
The numbers are compared as they are stored (:func:`app.validators.normalise_phone` and
:func:`~app.validators.normalise_id_number`), each on its own index; nothing here writes.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import case as when
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from app.auth.access import INTAKE_ROLES
from app.auth.access import scope_query
from app.auth.pii import may_search
from app.extensions import db
from app.timeutil import utcnow
from app.validators import ID_RE
from app.validators import LANDLINE_RE
from app.validators import MOBILE_RE
from app.validators import normalise_id_number
from app.validators import normalise_phone
from models.case import Case
from models.enums import OPEN_STATUSES
from models.enums import Status

REPEAT_DAYS = 30  # "近 30 天": the window of the repeat warning
SHOWN = 10  # the newest earlier cases listed; the counts cover them all
AT_INTAKE = frozenset({Status.NEW, Status.REGISTERED})  # a new letter or call, not yet dispatched


@dataclass(frozen=True)
class CallerHistory:
    """The earlier cases of one caller (newest first, at most :data:`SHOWN`) and the repeat counts."""

    searched: bool = False  # a whole phone or ID number the user may look up by was given
    cases: list = field(default_factory=list)
    by_phone: frozenset = frozenset()  # ids of the listed cases found by the phone number
    by_id_no: frozenset = frozenset()  # … and by the ID number
    total: int = 0  # every earlier case found, however old
    recent: int = 0  # received within REPEAT_DAYS
    recent_open: int = 0  # of those, not yet closed (not accepted and merged ones count as done)
    days: int = REPEAT_DAYS

    @property
    def warning(self) -> str | None:
        """The repeat warning, or None when the caller has no case in the window."""
        if not self.recent:
            return None
        return _(
            "This caller has filed %(count)s requests in the last %(days)s days, %(open)s of them not yet "
            "closed.",
            count=self.recent,
            days=self.days,
            open=self.recent_open,
        )


def phone_forms(value: str | None) -> list[str]:
    """The stored forms a typed phone may have: a mobile as 11 digits, a landline with and without the
    hyphen after its area code; [] for anything that is not a whole phone number."""
    phone = normalise_phone(value)
    if MOBILE_RE.match(phone):
        return [phone]
    if not LANDLINE_RE.match(phone):
        return []
    digits = phone.replace("-", "")
    forms = {digits}
    for area in (3, 4):  # 010, 021 …; 0755, 0571 …
        forms.add(f"{digits[:area]}-{digits[area:]}")
    return sorted(forms)


def id_number_form(value: str | None) -> str | None:
    """The stored form of a typed ID number, or None when it is not one."""
    id_no = normalise_id_number(value)
    return id_no if ID_RE.match(id_no) else None


def _conditions(user, phone, id_no) -> tuple:
    """(phone condition, ID condition), each None when not given, not a number, or masked for the role."""
    phones = phone_forms(phone) if may_search("Case", "citizen_phone", user) else []
    id_form = id_number_form(id_no) if may_search("Case", "citizen_id_no", user) else None
    by_phone = Case.citizen_phone.in_(phones) if phones else None
    by_id = Case.citizen_id_no == id_form if id_form else None
    return by_phone, by_id


def find(
    user, phone: str | None = None, id_no: str | None = None, *, exclude_id=None, now: datetime | None = None
) -> CallerHistory:
    """The earlier cases of the caller with ``phone`` and/or ``id_no`` that ``user`` may see (not the case
    ``exclude_id`` itself), with the counts of the repeat warning."""
    by_phone, by_id = _conditions(user, phone, id_no)
    matches = [c for c in (by_phone, by_id) if c is not None]
    if not matches:
        return CallerHistory()
    now = now or utcnow()
    base = select(Case).where(or_(*matches))
    if exclude_id is not None:
        base = base.where(Case.id != exclude_id)
    base = scope_query(Case, base, user)
    found = base.subquery()
    since = now - timedelta(days=REPEAT_DAYS)
    recent = found.c.received_at >= since
    is_open = found.c.status.in_([str(s) for s in OPEN_STATUSES])
    total, recent_count, recent_open = db.session.execute(
        select(
            func.count(),
            func.sum(when((recent, 1), else_=0)),
            func.sum(when((recent & is_open, 1), else_=0)),
        ).select_from(found)
    ).one()
    cases = list(db.session.scalars(base.order_by(Case.received_at.desc(), Case.id.desc()).limit(SHOWN)))
    phones = set(phone_forms(phone)) if by_phone is not None else set()
    id_form = id_number_form(id_no) if by_id is not None else None
    return CallerHistory(
        searched=True,
        cases=cases,
        by_phone=frozenset(c.id for c in cases if phones and c.citizen_phone in phones),
        by_id_no=frozenset(c.id for c in cases if id_form and c.citizen_id_no == id_form),
        total=int(total or 0),
        recent=int(recent_count or 0),
        recent_open=int(recent_open or 0),
    )


def for_case(user, case: Case, now: datetime | None = None) -> CallerHistory | None:
    """The caller history an intake role sees on the page of a case still at intake (new or registered: a new
    letter, a call not yet dispatched), else None."""
    if case.status not in AT_INTAKE or getattr(user, "role", None) not in INTAKE_ROLES:
        return None
    return find(user, case.citizen_phone, case.citizen_id_no, exclude_id=case.id, now=now)
