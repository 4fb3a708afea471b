"""Personal data shown per role: which fields each role sees in full, masked or not at all."""

import re

from models.enums import Role

FULL, MASKED = "full", "masked"

# field -> role -> how it is shown. A role missing from a field's map sees it masked.
POLICY = {
    "citizen_phone": {
        Role.ADMIN: FULL,
        Role.SUPERVISOR: FULL,
        Role.CLERK: FULL,
        Role.HANDLER: FULL,  # handlers must call the citizen back
        Role.LEADER: MASKED,
    },
    "citizen_id_no": {Role.ADMIN: FULL, Role.SUPERVISOR: FULL, Role.CLERK: FULL},
    "volunteer_phone": {
        Role.ADMIN: FULL,
        Role.SUPERVISOR: FULL,
        Role.CLERK: FULL,
        Role.HANDLER: FULL,
    },
    "volunteer_id_number": {Role.ADMIN: FULL},
}


def mask(value: str | None) -> str:
    """Keep the first three and last four characters, star the rest (138****5678)."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[0] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def reveal(field: str, value: str | None, user) -> str:
    """Return ``value`` as ``user`` may see it."""
    if not value:
        return ""
    if POLICY.get(field, {}).get(user.role, MASKED) == FULL:
        return value
    return mask(value)


# Personal numbers inside free text, for text that leaves the office (the Open311 GET answers). Every
# pattern is bounded by non-digits, so nothing is cut out of the middle of a longer number.
_SEP = r"[ \-]?"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_LONG_NUMBER = re.compile(  # resident ID numbers (18, last may be X), old IDs, bank cards: 15+ digits
    r"(?<![0-9A-Za-z])\d(?:" + _SEP + r"\d){13,}" + _SEP + r"[\dXx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86" + _SEP + r")?1[3-9]\d(?:" + _SEP + r"\d){8}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})" + _SEP + r"\d{3,4}" + _SEP + r"\d{4}(?!\d)")
_LOCAL_NUMBER = re.compile(  # a 7-8 digit number right after a word for telephone
    r"((?:电话|手机|座机|号码|联系方式|tel|phone)[^\d\n]{0,6})(\d(?:" + _SEP + r"\d){6,7})(?!\d)",
    re.IGNORECASE,
)


def _mask_digits(match: re.Match) -> str:
    return mask(re.sub(r"[ \-()]", "", match.group(0)))


def redact_free_text(text: str | None, known: tuple = ()) -> str:
    """Mask phone numbers, ID and card numbers in free text, and the ``known`` values (e.g. the citizen's name)."""
    if not text:
        return ""
    for value in sorted(
        {str(v).strip() for v in known if v and len(str(v).strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(value, mask(value))
    text = text.translate(_FULLWIDTH_DIGITS)  # １３８… typed with a Chinese input method
    text = _LONG_NUMBER.sub(_mask_digits, text)
    text = _MOBILE.sub(_mask_digits, text)
    text = _LANDLINE.sub(_mask_digits, text)
    return _LOCAL_NUMBER.sub(lambda m: m.group(1) + mask(re.sub(r"[ \-]", "", m.group(2))), text)
