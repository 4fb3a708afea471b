"""Files an e-mail carries (e.g. the 民情日报 as Word), made when the message is sent, not when it is queued.

An outbox row names its files in ``data["attachments"]`` as ``{"kind": …, "key": …}``; the domain that owns a
kind registers a maker for it at start-up (the app factory), so the outbox never imports that domain.
A maker returns ``(file name, MIME type, bytes)``, or None when the thing is gone (the mail goes without it).
"""

from collections.abc import Callable

Maker = Callable[[str], tuple[str, str, bytes] | None]
_MAKERS: dict[str, Maker] = {}


def register(kind: str, maker: Maker) -> None:
    """Let rows name files of ``kind``; ``maker(key)`` builds one."""
    _MAKERS[kind] = maker


def spec(kind: str, key) -> dict:
    """How an outbox row names one file."""
    return {"kind": kind, "key": str(key)}


def files(data: dict | None) -> list[tuple[str, str, bytes]]:
    """The files named in an outbox row's ``data`` (unknown kinds and vanished things are skipped)."""
    made = []
    for item in (data or {}).get("attachments", []):
        maker = _MAKERS.get(str(item.get("kind")))
        result = maker(str(item.get("key"))) if maker else None
        if result is not None:
            made.append(result)
    return made
