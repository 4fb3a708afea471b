"""Input checks shared by staff forms, public forms and the API: phone numbers, ID numbers, redirect targets."""

import re
import unicodedata
from urllib.parse import urlsplit

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")
ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def ascii_text(value: str | None) -> str:
    """``value`` in NFKC form with every decimal digit of any script as its ASCII digit (１２ and ١٢ → 12).

    Input from forms, files and the API passes through here before it is validated or compared, so a
    number typed with a Chinese input method is the same number, and validators see ASCII only.
    """
    text = unicodedata.normalize("NFKC", value or "")
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JOINERS = "\u200c\u200d"  # zero-width (non-)joiners: part of emoji and some scripts inside a text
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"  # Hangul fillers and the Braille blank draw as nothing
_EDGES = re.compile(rf"^[\s{_JOINERS}]+|[\s{_JOINERS}]+$")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _BLANK_LETTERS


def visible_text(value: str | None) -> str:
    """``value`` without what no one can see: control characters, format characters such as zero-width
    spaces, BOMs and direction marks (joiners only where they sit inside the text), blanks at either end.

    A text of nothing but such characters is empty, so "required" and length checks see it as it looks.
    """
    text = _CONTROL.sub("", value or "")
    if not text.isascii():
        text = "".join(ch for ch in text if ch in _JOINERS or not _invisible(ch))
    return _EDGES.sub("", text)


def visible_name(value: str | None) -> str:
    """A person's name as :func:`visible_text`, with no invisible character left anywhere in it."""
    return "".join(ch for ch in visible_text(value) if ch not in _JOINERS)


ID_MAX = 2**63 - 1  # the largest key a 64-bit integer column holds


def parse_id(value) -> int | None:
    """A record id from a form, a link or a query string (ASCII digits, 1 … 2**63 - 1), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = ascii_text(str(value) if value is not None else "").strip()
        if not text.isdigit() or len(text) > 19:
            return None
        number = int(text)
    return number if 1 <= number <= ID_MAX else None


def normalise_phone(value: str | None) -> str:
    """ASCII digits; spaces, brackets and a leading +86 removed."""
    value = re.sub(r"[\s()]", "", ascii_text(value))
    if value.startswith("+86"):
        value = value[3:]
    return value


def is_valid_phone(value: str | None) -> bool:
    """A mainland mobile number (11 digits) or a landline with area code."""
    value = normalise_phone(value)
    return bool(MOBILE_RE.match(value) or LANDLINE_RE.match(value))


def normalise_id_number(value: str | None) -> str:
    """ASCII digits and an upper-case X, without surrounding spaces."""
    return ascii_text(value).strip().upper()


def is_valid_id_number(value: str | None) -> bool:
    """An 18-character resident ID number with a correct GB 11643 check character."""
    value = normalise_id_number(value)
    if not ID_RE.match(value):
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
            field.data = normalise_id_number(field.data)


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
