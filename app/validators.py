"""Input checks shared by staff forms, public forms and the API: phone numbers, ID numbers, redirect targets."""

import re
from urllib.parse import urlsplit

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def normalise_phone(value: str | None) -> str:
    """Strip spaces and a leading +86 from a phone number."""
    value = re.sub(r"[\s()]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def is_valid_phone(value: str | None) -> bool:
    """A mainland mobile number (11 digits) or a landline with area code."""
    value = normalise_phone(value)
    return bool(MOBILE_RE.match(value) or LANDLINE_RE.match(value))


def is_valid_id_number(value: str | None) -> bool:
    """An 18-character resident ID number with a correct GB 11643 check character."""
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11] == value[17]


class Phone:
    """WTForms validator for :func:`is_valid_phone`; empty values pass (pair with Optional)."""

    def __call__(self, form, field):
        if field.data and not is_valid_phone(field.data):
            raise ValidationError(_l("Enter an 11-digit mobile number or a landline with its area code."))
        if field.data:
            field.data = normalise_phone(field.data)


class IdNumber:
    """WTForms validator for :func:`is_valid_id_number`; empty values pass."""

    def __call__(self, form, field):
        if field.data and not is_valid_id_number(field.data):
            raise ValidationError(_l("Enter a valid 18-character resident ID number."))
        if field.data:
            field.data = field.data.strip().upper()


def safe_next(target: str | None) -> str | None:
    """Return a same-site path to go to after login, or None for anything else."""
    if not target:
        return None
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")
