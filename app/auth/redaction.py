"""Personal numbers and contact ids in free text, masked: phones, ID and card numbers, e-mail, QQ and WeChat.

The patterns run on a shadow of the text, one character for one, in which every character that can stand
for a digit or an ASCII sign is that sign (full-width forms, other scripts' digits, the Chinese numerals
零〇一幺二两三… and 壹贰叁…), dashes and middle dots are ``-`` and ``.``, and invisible format characters
are blanks. So ``138.0013.8000``, ``(138)0013-8000``, ``一三八零零一三八零零零`` and ``１３８ ００１３ ８０００``
are all one phone number. What matches is replaced in the original text; the rest is left as written.
Every number pattern is bounded by non-digits, so nothing is cut out of the middle of a longer number.
"""

import re
import unicodedata
from collections.abc import Iterable

from app.auth.pii import mask
from app.auth.pii import sees_in_full

CONTACT = "contact"  # phones, landlines, e-mail, QQ, WeChat
ID = "id"  # resident ID numbers and bank cards
ALL = frozenset({CONTACT, ID})
# Which field's rule (app.auth.pii.POLICY) says whether a role sees each kind in free text.
FIELD_OF_KIND = {CONTACT: "citizen_phone", ID: "citizen_id_no"}

_NUMERALS = dict.fromkeys("零〇○", "0") | dict.fromkeys("一幺壹", "1") | dict.fromkeys("二两贰", "2")
_NUMERALS |= {c: str(i) for i, c in enumerate("三四五六七八九", start=3)}
_NUMERALS |= {c: str(i) for i, c in enumerate("叁肆伍陆柒捌玖", start=3)}
_SIGNS = dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70", "-") | dict.fromkeys(
    "\u00b7\u2022\u2027\u30fb\uff65", "."
)


def _shadow_table() -> dict[int, str]:
    """Each character of the Basic Multilingual Plane that reads as an ASCII sign, as that sign."""
    table = {}
    for code in range(0x80, 0x10000):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Cf":
            table[code] = " "
        elif category == "Nd":
            table[code] = str(unicodedata.digit(char))
        elif category not in ("Cs", "Co", "Cn"):
            folded = unicodedata.normalize("NFKC", char)
            if len(folded) == 1 and folded.isascii() and folded != char:
                table[code] = folded
    table.update({ord(k): v for k, v in (_NUMERALS | _SIGNS).items()})
    return table


_SHADOW = _shadow_table()
_S = r"[\s.\-_/()]{0,3}"  # what people put between the digits of one number
_D = r"[0-9]"
_F = re.ASCII | re.IGNORECASE
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*\s?(?:@|\(at\)|\[at\])\s?(?:[A-Za-z0-9\-]+\s?\.\s?)+[A-Za-z]{2,}",
    _F,
)
_ID_NUMBER = re.compile(rf"(?<![0-9A-Za-z]){_D}(?:{_S}{_D}){{13,}}{_S}[0-9Xx](?![0-9A-Za-z])", _F)
_MOBILE = re.compile(rf"(?<![0-9+])(?:\(?(?:\+|00)?86\)?{_S})?\(?1{_S}[3-9](?:{_S}{_D}){{9}}(?![0-9])", _F)
_LANDLINE = re.compile(
    rf"(?<![0-9])(?:\(0[1-9][0-9]{{1,2}}\)|0[1-9][0-9]{{1,2}}){_S}[1-9](?:{_S}{_D}){{6,7}}(?![0-9])", _F
)
_KEYWORD = r"[^0-9A-Za-z\n]{0,6}"  # the words between the name of an id and the id (号码是：)
_PHONE_WORD = re.compile(  # a 7-8 digit number right after a word for telephone
    rf"(?:电话|手机|座机|号码|联系方式|热线|tel|phone|mobile)[^0-9\n]{{0,6}}({_D}(?:{_S}{_D}){{6,7}})(?![0-9])",
    _F,
)
_QQ = re.compile(
    rf"(?:(?<![A-Za-z])q\s?q|扣扣|企鹅)\s?(?:号码|号)?{_KEYWORD}([1-9](?:{_S}{_D}){{4,11}})(?![0-9])", _F
)
_WECHAT = re.compile(
    r"(?:微信|威信|薇信|徽信|v信|wei\s?xin|we\s?chat|加v|(?<![A-Za-z])(?:vx|wx)(?![A-Za-z]))"
    rf"\s?(?:号码|账号|号|id)?{_KEYWORD}([A-Za-z0-9][A-Za-z0-9_\-]{{4,19}})",
    _F,
)


def _digits(shadow: str) -> str:
    """A number's digits masked: ``138****8000`` for phone and ID numbers, all but the last two for a
    shorter local number (first three and last four would leave one digit of eight hidden)."""
    digits = re.sub(r"[^0-9Xx]", "", shadow)
    return mask(digits) if len(digits) >= 11 else "*" * (len(digits) - 2) + digits[-2:]


def _email(shadow: str) -> str:
    local, _sep, domain = re.split(r"(@|\(at\)|\[at\])", shadow, maxsplit=1, flags=re.IGNORECASE)
    return hide(local.strip()) + "@" + re.sub(r"\s", "", domain)


def hide(value: str) -> str:
    """Keep the first character, star the rest (a QQ number, a WeChat id, an e-mail's name): ``a***``."""
    return value[:1] + "***" if value else ""


# (kind, pattern, which group is the personal part, how it is masked), in order of precedence
_RULES = (
    (CONTACT, _EMAIL, 0, _email),
    (ID, _ID_NUMBER, 0, _digits),
    (CONTACT, _MOBILE, 0, _digits),
    (CONTACT, _LANDLINE, 0, _digits),
    (CONTACT, _PHONE_WORD, 1, _digits),
    (CONTACT, _QQ, 1, hide),
    (CONTACT, _WECHAT, 1, hide),
)


def _spans(shadow: str, kinds: frozenset) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, replacement) spans, earlier rules first."""
    taken: list[tuple[int, int, str]] = []
    for kind, pattern, group, masker in _RULES:
        if kind not in kinds:
            continue
        for match in pattern.finditer(shadow):
            start, end = match.span(group)
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, masker(shadow[start:end])))
    return sorted(taken)


def redact_free_text(text: str | None, known: Iterable = (), kinds: Iterable[str] = ALL) -> str:
    """Mask the personal numbers and ids of ``kinds`` in ``text``, and the ``known`` values (e.g. the
    citizen's name) wherever they appear."""
    if not text:
        return ""
    for value in sorted(
        {str(v).strip() for v in known if v and len(str(v).strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(value, mask(value))
    kinds = frozenset(kinds)
    if not kinds:
        return text
    shadow = text.translate(_SHADOW)
    out, last = [], 0
    for start, end, replacement in _spans(shadow, kinds):
        out += [text[last:start], replacement]
        last = end
    return "".join(out) + text[last:]


def reveal_text(text: str | None, user) -> str:
    """Free text as ``user`` may see it: the phones and ids, and the ID numbers, masked for a role that
    sees the citizen's phone, or ID number, masked (a leader reads ``138****8000`` in the text too)."""
    kinds = [kind for kind, field in FIELD_OF_KIND.items() if not sees_in_full(field, user)]
    return redact_free_text(text, kinds=kinds)


def redact_json(value, known: Iterable = ()):
    """Every text inside a JSON value (lists, objects) masked like :func:`redact_free_text`."""
    if isinstance(value, str):
        return redact_free_text(value, known)
    if isinstance(value, list):
        return [redact_json(item, known) for item in value]
    if isinstance(value, dict):
        return {key: redact_json(item, known) for key, item in value.items()}
    return value
