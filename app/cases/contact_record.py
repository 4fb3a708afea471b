"""联系记录: the structured record of a handler's contact with the citizen (when, how, with whom, outcome).

Both the lead's contact (``contact``) and a co-department's (``contact_part``) read their input here. The
rule that 未接通 is a try and not a contact made is :attr:`models.enums.ContactMethod.reached`; the event
says so in ``data["reached"]`` (False for 未接通), which the clock reads (:func:`app.deadlines.clock.on_action`):
no contact time is stamped and the contact clock keeps running.
"""

from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _

from app.refusal import Refusal
from app.timeutil import as_utc
from models.enums import ContactMethod

CLOCK_SKEW = timedelta(minutes=2)  # a phone's clock a little ahead of the server's is not "the future"
PERSON_MAX = 100


class ContactRefusal(Refusal):
    """A contact record was refused (the action turns it into a TransitionError)."""


def _text(params: dict, key: str) -> str | None:
    return (params.get(key) or "").strip() or None


def read(params: dict, case, now: datetime) -> tuple[str, dict]:
    """The outcome text and the event data of a posted contact record; refuse what is missing or wrong.

    Without a ``method`` (a plain note from an older caller or a rule) it is a contact made, as before."""
    note = _text(params, "note")
    if note is None:
        raise ContactRefusal(_("Record what was said to the citizen."))
    if "method" not in params:
        return note, {}
    method = ContactMethod.from_code(params.get("method"))
    if method is None:
        raise ContactRefusal(_("Choose how the citizen was contacted."))
    at = params.get("contact_time")
    if at is not None and not isinstance(at, datetime):
        raise ContactRefusal(_("Give the time of contact as a date and time."))
    at = now if at is None else as_utc(at)
    if at > now + CLOCK_SKEW:
        raise ContactRefusal(_("The time of contact cannot be in the future."))
    if case.received_at is not None and at < as_utc(case.received_at):
        raise ContactRefusal(_("The time of contact cannot be before the case was received."))
    person = _text(params, "person")
    if person is not None and len(person) > PERSON_MAX:
        raise ContactRefusal(_("The name of the person spoken to is too long."))
    record = {"method": str(method), "at": at.isoformat(), "person": person}
    return note, {"contact": record, "reached": method.reached}
