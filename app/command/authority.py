"""Who may give which instruction, take which 包案 and sign which reply: the one place these rules live.

- A leader writes a 批示 in their own name; a supervisor writes one only on a named leader's behalf.
- 包案: the leader named must hold the level's rank. An administrator assigns any level; a supervisor up to
  区分管领导; a 区主要领导 assigns any level; any other leader may only take a case himself, at his rank.
- 提级: a case handled at street level needs a 包案 of at least 街道领导, at district level at least 区分管领导,
  and its reply is then signed (sent) by that 包案 leader, not by the handler.
- An addressed department answers its own part of an order; supervisors check answers.
"""

from flask_babel import gettext as _

from models.command import CasePackage
from models.command import PackageStatus
from models.enums import HandlingLevel
from models.enums import LeaderRank
from models.enums import Role

RANKS = tuple(LeaderRank)
SUPERVISOR_CEILING = LeaderRank.DISTRICT_DEPUTY
# The lowest 包案 rank a handling level needs (None: the department handles and signs itself).
LEVEL_RANK = {
    HandlingLevel.DEPARTMENT: None,
    HandlingLevel.STREET: LeaderRank.STREET,
    HandlingLevel.DISTRICT: LeaderRank.DISTRICT_DEPUTY,
}


def rank_index(rank) -> int:
    """The rank's place from the lowest (0); -1 for none."""
    member = LeaderRank.from_code(str(rank)) if rank is not None else None
    return RANKS.index(member) if member is not None else -1


def is_leader(user) -> bool:
    """An active account with the leader role."""
    return user is not None and user.role == Role.LEADER and bool(user.active)


def instruction_refusal(actor, on_behalf_of) -> str | None:
    """Why ``actor`` may not write a 批示 (for ``on_behalf_of`` when given), or None."""
    if actor.role == Role.LEADER:
        if on_behalf_of is not None and on_behalf_of.id != actor.id:
            return _("A leader writes instructions in his own name.")
        return None
    if actor.role == Role.SUPERVISOR:
        if not is_leader(on_behalf_of):
            return _("Choose the leader on whose behalf the instruction is written.")
        return None
    return _("Only a leader, or a supervisor on a leader's behalf, may write an instruction.")


def package_refusal(actor, leader, level) -> str | None:
    """Why ``actor`` may not put the case in ``leader``'s hands at ``level`` (包案), or None."""
    level = LeaderRank.from_code(str(level)) if level is not None else None
    if level is None:
        return _("Choose the level of the 包案.")
    if not is_leader(leader):
        return _("Choose an active leader.")
    if leader.leader_rank != level:
        return _("%(leader)s is not a %(rank)s.", leader=leader, rank=level.label)
    if actor.role == Role.ADMIN:
        return None
    if actor.role == Role.SUPERVISOR:
        if rank_index(level) > rank_index(SUPERVISOR_CEILING):
            return _("Only the district's principal leader or an administrator may assign this level.")
        return None
    if actor.role == Role.LEADER:
        if actor.leader_rank == LeaderRank.DISTRICT_CHIEF or leader.id == actor.id:
            return None
        return _("A leader may take a case himself; only the district's principal leader assigns others.")
    return _("Your role may not assign a 包案.")


def active_package(case) -> CasePackage | None:
    """The 包案 in force on the case, if any."""
    return next((p for p in case.packages if p.status == PackageStatus.ACTIVE), None)


def package_holder_refusal(actor, case) -> str | None:
    """Why ``actor`` may not act for the case's 包案 (settle it, record a visit), or None: its leader may,
    and a supervisor or an administrator on the leader's behalf."""
    package = active_package(case)
    if package is None:
        return _("The case is in no leader's hands (包案).")
    if actor.role in (Role.SUPERVISOR, Role.ADMIN) or actor.id == package.leader_id:
        return None
    return _("Only the 包案 leader, or a supervisor, may do this.")


def reply_signer_refusal(case, user) -> str | None:
    """Why ``user`` may not send the case's reply at its handling level, or None.

    At department level the lead department's handler replies. At a raised level the reply is signed by
    the 包案 leader, who must hold at least the level's rank.
    """
    needed = LEVEL_RANK.get(case.handling_level or HandlingLevel.DEPARTMENT)
    if needed is None:
        if user.role != Role.HANDLER:
            return _("The lead department's handler replies to this case.")
        return None
    package = active_package(case)
    if package is None or rank_index(package.level) < rank_index(needed):
        return _(
            "This case is handled at %(level)s: it needs a 包案 leader of at least %(rank)s to sign the reply.",
            level=HandlingLevel.label_of(case.handling_level),
            rank=needed.label,
        )
    if user.id != package.leader_id:
        return _(
            "At %(level)s the 包案 leader signs the reply.", level=HandlingLevel.label_of(case.handling_level)
        )
    return None


def answer_refusal(user, target) -> str | None:
    """Why ``user`` may not answer one addressed department's part of an order, or None."""
    if user.role != Role.HANDLER or user.department_id != target.department_id:
        return _("Only the addressed department answers its part.")
    return None
