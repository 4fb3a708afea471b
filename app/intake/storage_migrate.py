"""Move existing attachments from one storage backend to the other, checksummed and resumable.

For each attachment row (in id order): a file already in the target with the recorded SHA-256 is skipped
(its source copy is removed unless ``keep``); otherwise it is copied, the copy is read back and checked,
and only then is the source removed. A source whose bytes differ from the recorded SHA-256 (a damaged
file or chunk) is reported and left where it is. ``commit`` is called after every file, so an interrupted
run loses at most the file in hand and a second run carries on. Files with no attachment row are left.
"""

import hashlib
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator

from sqlalchemy import select

from app.extensions import db
from app.intake import storage
from models.case import Attachment

OUTCOMES = ("moved", "skipped", "corrupt", "missing", "failed", "left")


class _Hashing:
    """Passes chunks through, hashing them on the way."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks, self.digest = chunks, hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.digest.update(chunk)
            yield chunk


def digest(backend, stored_name: str) -> str | None:
    """The SHA-256 of a stored file, read as a stream; None if it is missing or cannot be read whole."""
    try:
        hashing = _Hashing(storage.read_chunks(backend.open(stored_name)))
        for _chunk in hashing:
            pass
    except OSError:
        return None
    return hashing.digest.hexdigest()


def _move_one(source, target, name: str, sha256: str, keep: bool, commit: Callable[[], None]) -> str:
    if target.exists(name) and digest(target, name) == sha256:
        if not keep and source.exists(name):
            source.delete(name)
            commit()
        return "skipped"
    if not source.exists(name):
        return "missing"
    try:
        hashing = _Hashing(storage.read_chunks(source.open(name)))
        target.save(name, hashing)
    except OSError:
        hashing = None
    if hashing is None or hashing.digest.hexdigest() != sha256:
        target.delete(name)  # never leave a copy of damaged bytes behind
        commit()
        return "corrupt"
    commit()
    if digest(target, name) != sha256:
        target.delete(name)
        commit()
        return "failed"
    if not keep:
        source.delete(name)
        commit()
    return "moved"


def migrate(
    to: str,
    batch: int | None = None,
    keep: bool = False,
    commit: Callable[[], None] = lambda: None,
    report: Callable[[str, str], None] = lambda name, outcome: None,
) -> Counter:
    """Move every attachment into the backend ``to`` from the other one; stop after ``batch`` files were
    copied (the rest count as ``left``). Counts per outcome (see :data:`OUTCOMES`)."""
    target = storage.backend(to)
    source = storage.backend("local" if to == "database" else "database")
    rows = db.session.execute(select(Attachment.stored_name, Attachment.sha256).order_by(Attachment.id)).all()
    counts = Counter({outcome: 0 for outcome in OUTCOMES})
    copied = 0
    for index, (name, sha256) in enumerate(rows):
        if batch is not None and copied >= batch:
            counts["left"] = len(rows) - index
            break
        outcome = _move_one(source, target, name, sha256, keep, commit)
        counts[outcome] += 1
        copied += outcome in ("moved", "failed", "corrupt")
        if outcome != "skipped":
            report(name, outcome)
    return counts
