"""Where a stage's clock starts: the case event its policy names (``DeadlinePolicy.starts_from``), else the
moment the stage starts.

The rule, stated once:

- A policy without ``starts_from`` counts from the stage's start (the lifecycle action that starts it).
- With one, the first run of the stage on a case counts from that event's time when the event has already
  happened (签收 counted from receipt: a case dispatched 25 hours after it came in starts its 10-minute
  signing clock at receipt, already overdue).
- When the event has not happened yet, the clock counts from the stage's start until it does; when it
  happens, the clock is counted again from it (:func:`app.deadlines.clock.reanchor`).
- A restart (退单, 改派, 撤回, 重办, a new 动态更新) counts from the restart: the first run was the promise,
  met or broken.

The deadline keeps what it was counted from in ``policy_snapshot`` (:data:`KEYS`) and says so in its
``explanation``.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from app.timeutil import as_utc
from models.deadline import ANCHOR_FIELDS
from models.deadline import ClockAnchor

# what a deadline's policy_snapshot records of its start, besides the policy itself
KEYS = ("starts_from", "action_at", "restart", "anchor_pending")


@dataclass(frozen=True)
class Begin:
    """Where one run of a stage's clock starts, and why."""

    at: datetime  # the instant counted from
    action_at: datetime  # when the stage itself started
    anchor: ClockAnchor | None
    restart: bool
    pending: bool  # the anchor has not happened yet

    def snapshot(self) -> dict:
        """The keys the deadline's ``policy_snapshot`` keeps of this start."""
        return {
            "starts_from": str(self.anchor) if self.anchor else None,
            "action_at": self.action_at.isoformat(),
            "restart": self.restart,
            "anchor_pending": str(self.anchor) if self.pending else None,
        }

    def explain(self, explanation: str) -> str:
        """The due-time explanation, prefixed with the event the clock counts from."""
        if self.anchor is None:
            return explanation
        event = ClockAnchor.label_of(self.anchor)
        if self.restart:
            prefix = _("Clock restarted: counted from the restart, not from %(event)s.", event=event)
        elif self.pending:
            prefix = _(
                "Counted from %(event)s, which has not happened yet; until it does, from the start of this "
                "step.",
                event=event,
            )
        else:
            prefix = _("Counted from %(event)s.", event=event)
        return prefix + ("" if prefix.endswith("。") else " ") + explanation  # no blank after a Chinese stop


def anchor_of(policy) -> ClockAnchor | None:
    """The event ``policy`` counts from, or None for the stage's own start."""
    code = getattr(policy, "starts_from", None)
    return ClockAnchor(str(code)) if code else None


def anchor_time(case, anchor: ClockAnchor | None) -> datetime | None:
    """When ``anchor`` happened on ``case``, or None when it has not (or there is no anchor)."""
    if anchor is None or case is None:
        return None
    value = getattr(case, ANCHOR_FIELDS[anchor], None)
    return as_utc(value) if value is not None else None


def begin(case, policy, action_at: datetime, restart: bool) -> Begin:
    """Where a run of a stage governed by ``policy`` starts when the stage starts at ``action_at``."""
    anchor = anchor_of(policy)
    if anchor is None or restart:
        return Begin(action_at, action_at, anchor, restart, False)
    happened = anchor_time(case, anchor)
    if happened is None:
        return Begin(action_at, action_at, anchor, False, True)
    return Begin(happened, action_at, anchor, False, False)


def recorded(deadline) -> tuple[datetime, bool]:
    """(when the stage started, whether it was a restart) as the deadline recorded them; a deadline from
    before anchors counts from its ``started_at``."""
    snapshot = deadline.policy_snapshot or {}
    action_at = snapshot.get("action_at")
    start = datetime.fromisoformat(action_at) if action_at else deadline.started_at
    return as_utc(start), bool(snapshot.get("restart"))


def pending_anchor(deadline) -> ClockAnchor | None:
    """The event a running deadline waits for to be counted from, or None."""
    code = (deadline.policy_snapshot or {}).get("anchor_pending")
    return ClockAnchor(code) if code else None
