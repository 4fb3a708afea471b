"""Device cookies (OWASP "slow down online guessing with device cookies").

A browser that logged in to an account gets a signed cookie naming the account and a random device id.
Its later login attempts for that account are counted per device, not with everyone else's, so a stranger
who fails on purpose locks out only browsers the account has never been used from.
"""

import secrets

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

COOKIE = "suqiu_device"
_SALT = "suqiu-login-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def max_age() -> int:
    """How long a device cookie lasts, in seconds."""
    return int(current_app.config["LOGIN_DEVICE_DAYS"]) * 86400


def issue(username: str) -> str:
    """A new device cookie value for ``username``."""
    return _serializer().dumps({"u": username, "d": secrets.token_urlsafe(16)})


def device_id(cookie: str | None, username: str) -> str | None:
    """The device id in a valid, unexpired cookie issued for ``username``, else None."""
    if not cookie or len(cookie) > 512:
        return None
    try:
        data = _serializer().loads(cookie, max_age=max_age())
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username or not isinstance(data.get("d"), str):
        return None
    return data["d"]
