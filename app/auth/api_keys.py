"""API keys for Open311 clients: issued once as plaintext, stored as prefix + SHA-256 hash, checked here.

A key reads ``sq_<prefix>_<secret>``: the 8-hex-digit prefix finds the row, the SHA-256 of the whole key is
compared in constant time. The secret has 256 random bits, so a plain (unsalted, fast) hash is safe, and
keys keep working when the app's SECRET_KEY changes.
"""

import hashlib
import hmac
import re
import secrets

from app.extensions import db
from app.org import refcache
from app.org.refcache import KeyRecord
from models.intake_control import ApiKey

SCHEME = "sq"
_SHAPE = re.compile(r"sq_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def issue_key(api_key: ApiKey) -> str:
    """Give the row a new key (replacing any old one) and return its plaintext, to be shown once."""
    prefix = secrets.token_hex(4)
    plaintext = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key.prefix = prefix
    api_key.key_hash = _digest(plaintext)
    return plaintext


def find_key(plaintext: str | None) -> KeyRecord | None:
    """The active key whose plaintext this is (a cached record), or None (unknown, malformed or inactive)."""
    match = _SHAPE.fullmatch(plaintext or "")
    if match is None:
        return None
    digest = _digest(plaintext)
    found = None
    for record in refcache.snapshot().keys.get(match.group(1), ()):
        if hmac.compare_digest(record.key_hash, digest):
            found = record
    return found if found is not None and found.active else None


def verify(plaintext: str | None) -> ApiKey | None:
    """The active key's row (see :func:`find_key`), or None."""
    record = find_key(plaintext)
    return db.session.get(ApiKey, record.id) if record is not None else None
