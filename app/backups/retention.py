"""Which backups to keep: the newest per day, per ISO week and per month, each for a number of periods."""

import re
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from pathlib import Path

from app.timeutil import to_local

# A finished backup is a folder named suqiu-<UTC stamp>[-n]; anything else in the folder is not touched.
NAME = re.compile(r"^suqiu-(\d{8}T\d{6}Z)(?:-\d+)?$")
STAMP = "%Y%m%dT%H%M%SZ"


def _periods(daily: int, weekly: int, monthly: int):
    return (
        (daily, lambda stamp: stamp.date()),
        (weekly, lambda stamp: stamp.isocalendar()[:2]),
        (monthly, lambda stamp: (stamp.year, stamp.month)),
    )


def choose_kept(
    stamps: Iterable[datetime], daily: int = 7, weekly: int = 4, monthly: int = 12
) -> set[datetime]:
    """The stamps to keep: the newest of each of the newest ``daily`` days, ``weekly`` ISO weeks and
    ``monthly`` months that have a backup (days, weeks and months as the stamps' own calendar reads them),
    and always the newest of all."""
    ordered = sorted(set(stamps), reverse=True)
    kept = set(ordered[:1])
    for count, period in _periods(daily, weekly, monthly):
        seen = set()
        for stamp in ordered:
            key = period(stamp)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            kept.add(stamp)
    return kept


def stamp_of(name: str) -> datetime | None:
    """The UTC time in a backup folder's name, or None if the name is not a backup's."""
    match = NAME.match(name)
    return datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC) if match else None


def prune(root: Path, daily: int, weekly: int, monthly: int) -> list[Path]:
    """Delete the backups under ``root`` that :func:`choose_kept` (on Beijing dates) does not keep; the
    folders to delete, in the order found."""
    backups = {}
    for path in root.iterdir() if root.is_dir() else ():
        stamp = stamp_of(path.name)
        if stamp is not None and path.is_dir():
            backups.setdefault(to_local(stamp), []).append(path)
    kept = choose_kept(backups, daily, weekly, monthly)
    return sorted(path for stamp, paths in backups.items() if stamp not in kept for path in paths)
