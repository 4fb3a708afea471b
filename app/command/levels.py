"""提级 and 降级: the level a case is handled at (department → street → district), and what a change moves.

Raising the level puts the case in the hands (包案) of a leader of at least the level's rank, unless one
already holds it; from then on that leader signs the reply (:func:`app.command.authority.reply_signer_refusal`)
and hears of its escalations. Lowering it back is recorded the same way; the 包案 stays. Nothing here writes
the timeline or commits (see :mod:`app.command.orders`).
"""

from datetime import datetime

from flask_babel import gettext as _

from app.command import authority
from app.command import packages
from app.notifications.outbox import notify_users
from app.refusal import Refusal
from models.enums import HandlingLevel

LEVELS = tuple(HandlingLevel)


class LevelRefusal(Refusal):
    """A change of handling level was refused (see app.refusal)."""


def can_raise(case) -> str | None:
    """Why the case cannot go higher, or None."""
    if LEVELS.index(case.handling_level or HandlingLevel.DEPARTMENT) >= len(LEVELS) - 1:
        return _("The case is already handled at district level.")
    return None


def can_lower(case) -> str | None:
    """Why the case cannot go lower, or None."""
    if (case.handling_level or HandlingLevel.DEPARTMENT) == HandlingLevel.DEPARTMENT:
        return _("The case is already handled by its department.")
    return None


def change(case, actor, to_level, reason: str, leader, now: datetime, *, up: bool) -> dict:
    """Move the case to ``to_level`` (up or down as asked); the timeline data of the change."""
    current = case.handling_level or HandlingLevel.DEPARTMENT
    level = HandlingLevel.from_code(str(to_level)) if to_level else None
    if level is None:
        raise LevelRefusal(_("Choose the level."))
    if up and LEVELS.index(level) <= LEVELS.index(current):
        raise LevelRefusal(_("Choose a level above the present one."))
    if not up and LEVELS.index(level) >= LEVELS.index(current):
        raise LevelRefusal(_("Choose a level below the present one."))
    reason = (reason or "").strip()
    if not reason:
        raise LevelRefusal(_("Give the reason."))
    data = {"from": str(current), "to": str(level)}
    if up:
        needed = authority.LEVEL_RANK[level]
        held = authority.active_package(case)
        if held is None or authority.rank_index(held.level) < authority.rank_index(needed):
            if leader is None:
                raise LevelRefusal(
                    _(
                        "Choose the leader who takes charge of the case (at least %(rank)s).",
                        rank=needed.label,
                    )
                )
            package = packages.assign(case, actor, leader, leader.leader_rank, now)
            if authority.rank_index(package.level) < authority.rank_index(needed):
                raise LevelRefusal(_("The leader must be at least a %(rank)s.", rank=needed.label))
            data["leader_id"] = leader.id
    case.handling_level = level
    holder = authority.active_package(case)
    if up and holder is not None:
        subject = _("Case %(number)s is now handled at %(level)s", number=case.number, level=level.label)
        body = _("You hold the case (包案) and sign its reply. Reason: %(reason)s", reason=reason)
        notify_users([holder.leader], subject, body, kind="handling_level", case=case, now=now)
    return data
