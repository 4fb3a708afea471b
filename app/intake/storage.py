"""Where attachments' bytes live: one interface, two backends, chosen by ``ATTACHMENT_STORAGE``.

* ``local`` (default): one file per attachment under ``UPLOAD_FOLDER``, named by its ``stored_name``.
* ``database``: rows of ``attachment_chunk`` (``ATTACHMENT_CHUNK_BYTES`` each), so every server behind a
  load balancer reaches every file through the PostgreSQL they already share, and a database backup
  carries the files. Written in the caller's transaction (committed with the case at the edge), read back
  one chunk at a time, so a download never holds a whole file in memory.

Every write, read, delete and existence check of an attachment goes through :func:`current` (or
:func:`backend`); only :class:`LocalStorage` knows about paths.
"""

import io
import os
from collections.abc import Iterable
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask import has_app_context
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from app.extensions import db
from models.attachment_store import AttachmentChunk

KINDS = ("local", "database")
READ_BLOCK = 1024 * 1024


def upload_folder() -> Path:
    """Where attachments are kept (``UPLOAD_FOLDER``, by default ``instance/uploads``); created on demand."""
    folder = Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _checked(stored_name: str) -> str:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return stored_name


def path_of(stored_name: str) -> Path:
    """The local file behind ``stored_name`` (local backend only); refuses names that are not ours."""
    return upload_folder() / _checked(stored_name)


class LocalStorage:
    """Files in the upload folder, written whole under a temporary name and then renamed into place."""

    kind = "local"

    def save(self, stored_name: str, chunks: Iterable[bytes]) -> None:
        """Write ``stored_name`` from ``chunks`` (replacing any earlier copy)."""
        target = path_of(stored_name)
        partial = target.with_name(f".{target.name}.part")
        try:
            with open(partial, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)  # e.g. disk full: leave no half-written file behind
            raise

    def open(self, stored_name: str) -> BinaryIO:
        """A readable binary stream of the file; FileNotFoundError if there is none."""
        return open(path_of(stored_name), "rb")

    def exists(self, stored_name: str) -> bool:
        """Whether the file is stored."""
        try:
            return path_of(stored_name).is_file()
        except FileNotFoundError:
            return False

    def delete(self, stored_name: str) -> None:
        """Remove the file (nothing happens if there is none)."""
        path_of(stored_name).unlink(missing_ok=True)


class _ChunkReader(io.RawIOBase):
    """Reads a database-stored file chunk by chunk: through the session while there is an app context,
    else (a response being sent after its request ended) each chunk with a short connection of its own."""

    def __init__(self, engine, stored_name: str, count: int):
        super().__init__()
        self._engine, self._name, self._count = engine, stored_name, count
        self._seq, self._chunk, self._pos = 0, memoryview(b""), 0

    def readable(self) -> bool:
        return True

    def _fetch(self, seq: int) -> bytes | None:
        query = select(AttachmentChunk.data).where(
            AttachmentChunk.stored_name == self._name, AttachmentChunk.seq == seq
        )
        if has_app_context():  # in a request or command: see what this transaction wrote
            return db.session.execute(query).scalar()
        with self._engine.connect() as conn:
            return conn.execute(query).scalar()

    def readinto(self, buffer) -> int:
        while self._pos >= len(self._chunk):
            if self._seq >= self._count:
                return 0
            data = self._fetch(self._seq)
            if data is None:
                raise OSError(f"attachment {self._name}: chunk {self._seq} is missing")
            self._chunk, self._pos, self._seq = memoryview(bytes(data)), 0, self._seq + 1
        size = min(len(buffer), len(self._chunk) - self._pos)
        buffer[:size] = self._chunk[self._pos : self._pos + size]
        self._pos += size
        return size


class DatabaseStorage:
    """Files as numbered chunks in ``attachment_chunk``, written in the current session's transaction."""

    kind = "database"

    def __init__(self, chunk_size: int):
        self.chunk_size = chunk_size

    def save(self, stored_name: str, chunks: Iterable[bytes]) -> None:
        """Write ``stored_name`` from ``chunks``, re-cut to ``chunk_size`` (replacing any earlier copy)."""
        _checked(stored_name)
        self.delete(stored_name)
        table, seq, pending = AttachmentChunk.__table__, 0, bytearray()
        for piece in chunks:
            pending += piece
            while len(pending) >= self.chunk_size:
                db.session.execute(
                    insert(table).values(
                        stored_name=stored_name, seq=seq, data=bytes(pending[: self.chunk_size])
                    )
                )
                del pending[: self.chunk_size]
                seq += 1
        if pending or seq == 0:
            db.session.execute(insert(table).values(stored_name=stored_name, seq=seq, data=bytes(pending)))

    def _count(self, stored_name: str) -> int:
        query = select(func.count()).where(AttachmentChunk.stored_name == stored_name)
        return db.session.execute(query).scalar_one()

    def open(self, stored_name: str) -> BinaryIO:
        """A readable binary stream of the file; FileNotFoundError if there is none."""
        count = self._count(_checked(stored_name))
        if not count:
            raise FileNotFoundError(stored_name)
        return io.BufferedReader(_ChunkReader(db.engine, stored_name, count), buffer_size=READ_BLOCK)

    def exists(self, stored_name: str) -> bool:
        """Whether the file is stored."""
        return bool(self._count(stored_name))

    def delete(self, stored_name: str) -> None:
        """Remove the file's chunks (nothing happens if there are none)."""
        db.session.execute(delete(AttachmentChunk).where(AttachmentChunk.stored_name == stored_name))


def backend(kind: str) -> LocalStorage | DatabaseStorage:
    """The backend ``kind`` (``local`` or ``database``)."""
    if kind == "local":
        return LocalStorage()
    if kind == "database":
        return DatabaseStorage(int(current_app.config.get("ATTACHMENT_CHUNK_BYTES") or 1024 * 1024))
    raise ValueError(f"ATTACHMENT_STORAGE must be one of {', '.join(KINDS)}, not {kind!r}")


def current() -> LocalStorage | DatabaseStorage:
    """The backend new attachments are written to and read from (``ATTACHMENT_STORAGE``)."""
    return backend(current_app.config.get("ATTACHMENT_STORAGE") or "local")


def read_chunks(stream: BinaryIO, size: int = READ_BLOCK) -> Iterator[bytes]:
    """The bytes of ``stream`` in blocks of ``size``; closes it at the end."""
    with stream:
        while block := stream.read(size):
            yield block
