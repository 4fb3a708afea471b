"""Repeats (重复件): the earlier cases a new case likely repeats, and how many times a matter came in.

Candidates are earlier cases received within ``REPEAT_WINDOW_DAYS`` (merged ones left out: their target
stands for them): the same caller by phone or ID number (each on its own index), and cases about the same
place (the community, else the street) whose text is close. The place narrows by index first, the newest
rows of the same category and of the place are read (capped), and only those are scored in Python.

Text similarity is rapidfuzz's normalised Indel ratio over characters (0.3 × the titles + 0.7 × title and
content), after NFKC and stripping punctuation and the framing every transcript carries (您好, 市民来电反映 …). On the labelled pairs of :mod:`bench.repeats` (rewordings
of one matter against other matters of the same place) it separated them better than character-bigram
Jaccard, Dice or containment, and rapidfuzz's partial and bigram token-set ratios, and at about 3 µs a pair
in C++ the capped pool is scored in a millisecond or two. Nothing here writes.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from rapidfuzz import fuzz
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from app.auth.access import scope_query
from app.auth.pii import may_search
from app.cases.caller_history import id_number_form
from app.cases.caller_history import phone_forms
from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.enums import Status

WINDOW_DAYS = 180  # the default of REPEAT_WINDOW_DAYS
SIMILAR = 0.40  # text at least this close is offered as a candidate (内容相近)
STRONG = 0.60  # … and at least this close counts as an earlier coming of the matter
CALLER_BONUS = 0.3  # the same caller ranks a candidate above text alone
CALLER_ROWS = 50  # the newest earlier cases of one caller read
CATEGORY_ROWS = 300  # the newest earlier cases of the same place and category read
PLACE_ROWS = 200  # … and of the same place, any category
TEXT_CHARS = 400  # the content compared is cut here
TITLE_WEIGHT = 0.3
MAX_CHAIN = 50  # a repeat_of chain longer than this (or a loop) is not followed further

PHONE, ID_NO, TEXT = "phone", "id_no", "text"
_NOT_TEXT = re.compile(r"[\W_]+")
# framing every letter or hotline transcript may carry, left out of the comparison (it says nothing of the matter)
_FRAMING = re.compile(
    "市民来电反映|来电人称|来电反映|市民反映|您好|你好|谢谢|麻烦|请尽快处理|请相关部门核实|希望相关部门管一管|"
    "本人是附近居民|我想反映一下|反映"
)
_COLUMNS = (
    Case.id,
    Case.number,
    Case.title,
    func.substr(Case.content, 1, TEXT_CHARS).label("content"),
    Case.status,
    Case.received_at,
    Case.citizen_phone,
    Case.citizen_id_no,
)


@dataclass(frozen=True)
class Candidate:
    """An earlier case the case may repeat: its similarity (0..1, of the text) and why it was found."""

    id: int
    number: str
    title: str
    status: str
    received_at: datetime
    similarity: float
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        """Why it was found, in words (e.g. 同一电话、内容相近)."""
        labels = {PHONE: _("same phone"), ID_NO: _("same ID number"), TEXT: _("similar content")}
        return "、".join(labels[r] for r in self.reasons)

    @property
    def percent(self) -> int:
        """The similarity in per cent."""
        return round(self.similarity * 100)

    @property
    def status_label(self) -> str:
        """The candidate's status in words."""
        return str(Status.label_of(self.status, self.status))

    @property
    def rank(self) -> float:
        """Best first: the text's closeness, and the same caller above text alone."""
        return self.similarity + (CALLER_BONUS if {PHONE, ID_NO} & set(self.reasons) else 0.0)


def normalised(text: str | None) -> str:
    """Text as compared: NFKC, lower case, without spaces, punctuation and the usual framing words."""
    text = _NOT_TEXT.sub("", text or "")
    if not unicodedata.is_normalized("NFKC", text):  # the common case skips it: normalising costs 10 µs
        text = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text))
    return _FRAMING.sub("", text.lower())


def similarity(title_a: str, text_a: str, title_b: str, text_b: str) -> float:
    """How close two cases' words are (0..1): rapidfuzz's Indel ratio of the titles and of title + content."""
    titles = fuzz.ratio(title_a, title_b) / 100
    texts = fuzz.ratio(title_a + text_a, title_b + text_b) / 100
    return TITLE_WEIGHT * titles + (1 - TITLE_WEIGHT) * texts


def window_days() -> int:
    """The days back a repeat is looked for (``REPEAT_WINDOW_DAYS``)."""
    return int(current_app.config.get("REPEAT_WINDOW_DAYS", WINDOW_DAYS))


def _base(case: Case, user):
    """The earlier cases a candidate may be: in the window before the case, not the case, not merged."""
    until = case.received_at or utcnow()
    stmt = select(*_COLUMNS).where(
        Case.received_at >= until - timedelta(days=window_days()),
        Case.received_at <= until,
        Case.status != Status.MERGED,
    )
    if case.id is not None:
        stmt = stmt.where(Case.id != case.id)
    return stmt if user is None else scope_query(Case, stmt, user)


def _caller(case: Case, user) -> tuple[set, str | None]:
    """The stored forms of the case's phone and its ID number, as far as ``user`` may look up by them."""
    phones = (
        set(phone_forms(case.citizen_phone))
        if user is None or may_search("Case", "citizen_phone", user)
        else set()
    )
    id_no = (
        id_number_form(case.citizen_id_no)
        if user is None or may_search("Case", "citizen_id_no", user)
        else None
    )
    return phones, id_no


def _linked_id(case: Case, name: str) -> int | None:
    """The id of the case's ``name`` link, also when only the relationship is set (a case not yet flushed)."""
    if name not in case.__dict__:  # not set on the object nor loaded: the column says
        return getattr(case, f"{name}_id")
    linked = case.__dict__[name]
    return linked.id if linked is not None else None


def _rows(case: Case, user) -> tuple[list, set, str | None]:
    """The earlier cases read for scoring (at most a few hundred), and the caller's numbers looked up."""
    newest = (Case.received_at.desc(),)  # the (place, received_at) indexes give this order
    phones, id_no = _caller(case, user)
    queries = []
    matches = [c for c in (Case.citizen_phone.in_(phones) if phones else None,
                           Case.citizen_id_no == id_no if id_no else None) if c is not None]  # fmt: skip
    if matches:
        queries.append(_base(case, user).where(or_(*matches)).order_by(*newest).limit(CALLER_ROWS))
    community, street, category = (_linked_id(case, name) for name in ("community", "street", "category"))
    place = (
        Case.community_id == community
        if community is not None
        else Case.street_id == street
        if street is not None
        else None
    )
    if place is not None:
        if category is not None:
            same = _base(case, user).where(place, Case.category_id == category)
            queries.append(same.order_by(*newest).limit(CATEGORY_ROWS))
        queries.append(_base(case, user).where(place).order_by(*newest).limit(PLACE_ROWS))
    rows = {}
    with db.session.no_autoflush:  # the case may not be opened yet: nothing of it is written here
        for query in queries:
            for row in db.session.execute(query):
                rows.setdefault(row.id, row)
    return list(rows.values()), phones, id_no


def _scored(case: Case, user=None) -> list[Candidate]:
    """Every candidate found for ``case``, best first."""
    rows, phones, id_no = _rows(case, user)
    title, text = normalised(case.title), normalised((case.content or "")[:TEXT_CHARS])
    found = []
    for row in rows:
        score = similarity(title, text, normalised(row.title), normalised(row.content))
        reasons = tuple(
            reason
            for reason, hit in (
                (PHONE, bool(phones) and row.citizen_phone in phones),
                (ID_NO, id_no is not None and row.citizen_id_no == id_no),
                (TEXT, score >= SIMILAR),
            )
            if hit
        )
        if reasons:
            found.append(
                Candidate(row.id, row.number, row.title, str(row.status), row.received_at, score, reasons)
            )
    return sorted(found, key=lambda c: (-c.rank, -c.received_at.timestamp(), -c.id))


def prior_count(case: Case) -> int:
    """How many earlier cases the same matter has (same caller within the window, or the same text)."""
    return sum(1 for c in _scored(case) if c.similarity >= STRONG or {PHONE, ID_NO} & set(c.reasons))


def candidates(case: Case, limit: int = 5, *, user=None) -> list[Candidate]:
    """The likeliest earlier cases ``case`` repeats, best first, each with its similarity and reason; with
    ``user``, only cases they may see, found only by numbers their role may look up by."""
    return _scored(case, user)[:limit]


def earlier_in_chain(case: Case) -> int:
    """How many earlier cases the ``repeat_of`` links tie to ``case``: the cases up its chain, and the other
    cases linked to any of them that came in before it."""
    chain, seen = [], {case.id} - {None}
    link = case.repeat_of
    while link is not None and link.id not in seen and len(chain) < MAX_CHAIN:
        chain.append(link.id)
        seen.add(link.id)
        link = link.repeat_of
    if not chain:
        return 0
    until = case.received_at or utcnow()
    with db.session.no_autoflush:
        siblings = db.session.scalar(
            select(func.count()).where(
                Case.repeat_of_id.in_(chain), Case.id.not_in(seen), Case.received_at <= until
            )
        )
    return len(chain) + int(siblings or 0)


def times_received(case: Case) -> int:
    """How many times the matter has come in, this case included (它是第几次反映)."""
    return 1 + max(earlier_in_chain(case), prior_count(case))
