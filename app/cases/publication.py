"""Which cases the public may see (Open311 GET, any later public list), and what of each (DECISIONS 5).

Also the one public wording of a case's status (:func:`public_status`), for /track and any public list.

A case is published only when its mailbox is marked public and its citizen agreed on the form, and never
when it is sensitive or a volunteer's dispute clue. What is shown of it: its place no finer than the
community, and its text and reply with the citizen's own details, and every phone, ID number, e-mail, QQ
or WeChat id typed in, masked (:func:`app.auth.redaction.redact_free_text`).
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy import select

from app.auth.redaction import redact_free_text
from models.case import Case
from models.enums import Channel
from models.enums import Status
from models.org import Mailbox

# A status in the citizen's words where the staff's word is an office term (待派单, 待签收, 已并单).
PUBLIC_STATUS = {
    Status.REGISTERED: _l("Accepted, being assigned"),
    Status.DISPATCHED: _l("Sent to the department responsible"),
    Status.MERGED: _l("Handled together with the same request"),
}


def public_status(status) -> str:
    """A case's status as the public reads it."""
    return str(PUBLIC_STATUS.get(status) or Status.label_of(status))


def published():
    """The SQL condition a case must meet to be shown to the public."""
    return and_(
        Case.publication_consent.is_(True),
        Case.mailbox_id.in_(select(Mailbox.id).where(Mailbox.is_public.is_(True))),
        Case.is_sensitive.is_(False),
        Case.channel != Channel.VOLUNTEER,
    )


def public_place(case: Case) -> str | None:
    """Where the case is, no finer than its community: "甲街道甲一社区", the street alone, or None.

    Never the address the citizen typed: it may carry a house or room number.
    """
    community = case.community
    street = case.street or (community.parent if community is not None else None)
    names = [unit.name for unit in (street, community) if unit is not None]
    return "".join(names) or None


def public_text(case: Case, text: str | None) -> str:
    """``text`` of ``case`` (its description or a reply) as the public may read it."""
    if not text:
        return ""
    if case.address and len(case.address.strip()) >= 2:  # the typed address, where the text repeats it
        text = text.replace(case.address.strip(), public_place(case) or "***")
    known = (case.citizen_name, case.citizen_phone, case.citizen_id_no, case.tracking_code)
    return redact_free_text(text, known)
