"""The text the suggestion reads: title and content in NFKC, lower case, without the digits of phone
numbers, case numbers, dates and amounts (they name a caller or a day, never a subject)."""

import re
import unicodedata

_CASE_NUMBER = re.compile(r"[a-z]{1,6}-?\d{4,}[-\d]*")  # SQ-2026-000123 and the like, letters included
_DIGITS = re.compile(r"\d+")
_BLANKS = re.compile(r"\s+")


def normalise(title: str | None, content: str | None) -> str:
    """One string of ``title`` and ``content`` as the model sees it (the title counts twice)."""
    text = unicodedata.normalize("NFKC", f"{title or ''} {title or ''} {content or ''}").lower()
    text = _CASE_NUMBER.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    return _BLANKS.sub(" ", text).strip()


def split_keywords(value: str | None) -> list[str]:
    """Keywords typed one per line or separated by 、 , ， ; ； (normalised like the text, blanks dropped)."""
    parts = re.split(r"[\n\r,，;；、]+", unicodedata.normalize("NFKC", value or "").lower())
    seen: dict[str, None] = {}
    for part in parts:
        keyword = _BLANKS.sub(" ", part).strip()
        if keyword:
            seen.setdefault(keyword, None)
    return list(seen)
