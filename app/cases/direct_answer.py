"""即接即办: an intake clerk answers a consultation or simple request on the spot (直接答复).

:func:`may_answer_directly` is the one scope rule: an active :class:`DirectAnswerScope` names the case's
request type and/or its category (a level-1 category covers its sub-categories). The ``direct_answer``
action is guarded by it and the staff intake form asks it before anything is saved. The answered case goes
to 已答复 without a lead department and closes by revisit or the citizen's rating like any replied case.
Scope changes are audited here (:func:`record_scope_change`); the settings page only calls.
"""

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy import select

from app import audit
from app.auth.access import INTAKE_ROLES
from app.cases.actions import TransitionError
from app.cases.actions import action
from app.cases.actions import optional_text
from app.cases.actions import required_text
from app.extensions import db
from models.audit import AuditAction
from models.audit import AuditEntity
from models.case import CaseAction
from models.enums import ReplyOutcome
from models.enums import RequestType
from models.enums import Status
from models.wording import DirectAnswerScope

SCOPE_ENTITY = AuditEntity.DIRECT_ANSWER_SCOPE  # the audit trail's code for a scope
SCOPE_AUDITED = ("request_type", "category", "active", "note")
SOURCE_MAX = 255


def _category_ids(case) -> list[int]:
    category = case.category
    if category is None:
        return []
    return [i for i in (category.id, category.parent_id) if i is not None]


def matching_scope(case) -> DirectAnswerScope | None:
    """The first active scope that lets ``case`` be answered on the spot, or None."""
    request_type = str(case.request_type) if case.request_type else None
    category_ids = _category_ids(case)
    scope = DirectAnswerScope
    query = select(scope).where(
        scope.active.is_(True),
        or_(scope.request_type.is_not(None), scope.category_id.is_not(None)),  # an empty scope allows nothing
        or_(scope.request_type.is_(None), scope.request_type == request_type),
        or_(scope.category_id.is_(None), scope.category_id.in_(category_ids)),
    )
    with db.session.no_autoflush:  # the intake form asks before the new case may be flushed
        return db.session.scalars(query.order_by(scope.id).limit(1)).first()


def may_answer_directly(case) -> bool:
    """Whether an administrator's scope allows ``case`` (its request type and category) to be answered on
    the spot."""
    return matching_scope(case) is not None


def scope_refusal(case) -> str | None:
    """Why ``case`` may not be answered on the spot, or None when it may."""
    if may_answer_directly(case):
        return None
    return _(
        "This kind of request may not be answered on the spot; register it and dispatch it to a department."
    )


def scope_label(scope: DirectAnswerScope) -> str:
    """A scope for people: its request type and category, e.g. 咨询 · 城市管理."""
    parts = [str(RequestType.label_of(scope.request_type))] if scope.request_type else []
    if scope.category is not None:
        parts.append(str(scope.category))
    return " · ".join(parts)


def active_scope_labels() -> list[str]:
    """The kinds of request that may be answered on the spot now, for the intake form's hint."""
    rows = db.session.scalars(
        select(DirectAnswerScope).where(DirectAnswerScope.active.is_(True)).order_by(DirectAnswerScope.id)
    )
    return [label for label in (scope_label(s) for s in rows) if label]


@action(CaseAction.DIRECT_ANSWER, {Status.NEW, Status.REGISTERED}, INTAKE_ROLES, guard=scope_refusal)
def _direct_answer(case, actor, now, params):
    outcome = ReplyOutcome.from_code(str(params.get("outcome") or ""))
    if outcome is None:
        raise TransitionError(_("Choose the outcome of the reply."))
    text = required_text(params, "text", _("Write the reply to the citizen."))
    source = optional_text(params, "source")
    if source is not None and len(source) > SOURCE_MAX:
        raise TransitionError(_("Name the knowledge used in at most %(num)d characters.", num=SOURCE_MAX))
    if case.registered_at is None:
        case.registered_at = now
    case.reply_outcome, case.reply_text, case.replied_at = outcome, text, now
    case.answered_at_intake, case.intake_answer_source = True, source
    data = {"outcome": str(outcome), "public": True, "public_note": text}  # the citizen sees it on /track
    if source:
        data["source"] = source
    return Status.REPLIED, text, data


# --- the settings page's rules -------------------------------------------------------------------------


def check_scope(scope: DirectAnswerScope) -> str | None:
    """Why the scope cannot be saved as it is, or None: it must name a request type or a category."""
    if not scope.request_type and scope.category is None:
        return _("A scope must name a request type, a category or both.")
    return None


def scope_snapshot(scope: DirectAnswerScope) -> dict:
    """The audited image of a scope (its category by name); take it before an edit is applied."""
    return audit.snapshot(scope, SCOPE_AUDITED)


def record_scope_change(scope: DirectAnswerScope, actor, before: dict | None, created: bool) -> None:
    """Audit a scope's creation or edit against ``before`` (the caller commits it with the change)."""
    audit.record_change(SCOPE_ENTITY, scope, SCOPE_AUDITED, actor, created, before)


def record_scope_deletion(scope: DirectAnswerScope, actor) -> None:
    """Audit a scope's deletion (the caller commits it with the deletion)."""
    audit.record(SCOPE_ENTITY, scope.id, AuditAction.DELETE, actor, scope_snapshot(scope), None)
