"""Cases from outside: the public mailbox form and the Open311 API come in through :func:`submit`, a clue
converted by staff through :func:`receive`.

One place for the intake rules: the ban list, the sensitive-word flag, one case per submission key
(a double click or a retried POST returns the first case), attachments saved with the case or not at all.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.cases import event_notices
from app.cases.opening import open_case
from app.extensions import db
from app.intake import foresight
from app.intake import uploads
from app.org import refcache
from app.timeutil import utcnow
from app.validators import normalise_phone
from models.case import Case
from models.enums import Channel
from models.intake_control import BanKind
from models.org import Mailbox

T = TypeVar("T")


@dataclass
class CitizenRequest:
    """A checked submission, ready to become a case."""

    channel: str
    request_type: str
    title: str
    content: str
    mailbox: Mailbox | None = None
    mailbox_id: int | None = None  # instead of ``mailbox`` when only the id is at hand
    category_id: int | None = None
    street_id: int | None = None
    community_id: int | None = None
    address: str | None = None
    people_involved: int | None = None
    money_involved: Decimal | None = None
    citizen_name: str | None = None
    citizen_phone: str | None = None
    ip: str | None = None
    submission_key: str | None = None
    files: list[uploads.CheckedFile] = field(default_factory=list)
    note: str | None = None
    publication_consent: bool = False  # the citizen agreed that the case may be published


def ban_refusal(phone: str | None, ip: str | None) -> str | None:
    """Why submissions from this phone or IP are refused (the ban list), or None."""
    bans = refcache.snapshot().bans
    wanted = []
    if phone:
        wanted.append((BanKind.PHONE.value, normalise_phone(phone)))
    if ip:
        wanted.append((BanKind.IP.value, ip))
    if any(pair in bans for pair in wanted):
        return _("Submissions from this phone number or network are not accepted. Please call the hotline.")
    return None


def sensitive_words(*texts: str | None) -> list[str]:
    """The active sensitive words found in ``texts``."""
    joined = "\n".join(t for t in texts if t)
    return sorted({w for w in refcache.snapshot().sensitive if w in joined})


def existing_case(submission_key: str | None) -> Case | None:
    """The case an earlier submission with this key created, if any."""
    if not submission_key:
        return None
    return db.session.scalar(select(Case).where(Case.submission_key == submission_key))


def new_api_token() -> str:
    """The Open311 token handed back with a case created through the API."""
    return secrets.token_urlsafe(18)


def _commit_keeping(case: Case) -> None:
    """Commit without expiring the new case: the caller answers from it without reloading it."""
    session = db.session()
    session.expire_on_commit = False
    try:
        db.session.commit()
    finally:
        session.expire_on_commit = True


def commit_once(write: Callable[[list[str]], T], find_earlier: Callable[[], T | None]) -> tuple[T, bool]:
    """Run ``write(stored)``, which stores files (naming them in ``stored``) and commits: ``(record, True)``.

    On failure the session is rolled back and the files removed: nothing half-saved stays. A unique clash
    means the same submission (double click, retry) won a race against itself: ``(earlier, False)``.
    """
    stored: list[str] = []
    try:
        return write(stored), True
    except IntegrityError:
        db.session.rollback()
        uploads.discard(stored)
        earlier = find_earlier()
        if earlier is None:
            raise
        return earlier, False
    except BaseException:
        db.session.rollback()
        uploads.discard(stored)
        raise


def build_case(request: CitizenRequest, now: datetime, flagged: list[str]) -> Case:
    """The new case a request makes (not yet opened): its fields, the sensitive-word flag, an API token."""
    case = Case(
        channel=request.channel,
        mailbox_id=request.mailbox.id if request.mailbox is not None else request.mailbox_id,
        request_type=request.request_type,
        category_id=request.category_id,
        title=request.title,
        content=request.content,
        street_id=request.street_id,
        community_id=request.community_id,
        address=request.address,
        people_involved=request.people_involved,
        money_involved=request.money_involved,
        citizen_name=request.citizen_name or None,
        citizen_phone=normalise_phone(request.citizen_phone) or None,
        submitted_ip=request.ip,
        submission_key=request.submission_key,
        is_sensitive=bool(flagged),
        publication_consent=request.publication_consent,
        received_at=now,
    )
    if request.channel == Channel.API:
        case.api_token = new_api_token()
    return case


def receive(request: CitizenRequest, now: datetime | None = None, stored: list[str] | None = None) -> Case:
    """Make, store the files of and open the case of ``request`` in the caller's transaction (flushed).

    Files first, naming them in ``stored`` (to remove them if the transaction fails): the database write
    lock is then held only briefly.
    """
    now = now or utcnow()
    flagged = sensitive_words(request.title, request.content, request.address)
    case = build_case(request, now, flagged)
    verdict = foresight.before_open(case)
    case.attachments.extend(
        uploads.store_attachments(request.files, now, stored if stored is not None else [])
    )
    open_case(
        case,
        None,
        now=now,
        note=request.note,
        data={"sensitive_words": flagged} if flagged else None,
        direct=True,
    )
    event_notices.case_received(case, now)
    foresight.after_open(case, verdict, now)
    return case


def submit(request: CitizenRequest, now: datetime | None = None) -> tuple[Case, bool]:
    """Create and commit the case with its attachments; ``(case, False)`` if this submission already made one.

    The one place outside the request edge that commits: a submission and its files are saved together,
    once per submission key (see :func:`commit_once`).
    """
    earlier = existing_case(request.submission_key)
    if earlier is not None:
        return earlier, False
    now = now or utcnow()

    def write(stored: list[str]) -> Case:
        case = receive(request, now, stored)
        _commit_keeping(case)
        return case

    return commit_once(write, lambda: existing_case(request.submission_key))
