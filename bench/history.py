"""A generated case's history: due instants on the work calendar, its met or cancelled deadlines and its
timeline events, as tuples ready for a bulk insert (the column orders below)."""

import functools
import json
import math
from datetime import date
from datetime import datetime
from datetime import timedelta

# Asia/Shanghai has had no daylight saving since 1991: the local day is UTC + 8 h.
LOCAL_OFFSET = 8 * 3600
EPOCH = datetime(1970, 1, 1)
WARN_SHARE = 0.8

DEADLINE_COLUMNS = (
    "case_id", "stage", "policy_snapshot", "clock", "started_at", "due_at", "warn_at", "next_step",
    "last_fired", "met_at", "breached_at", "status", "extended_count", "version",
)  # fmt: skip
EVENT_COLUMNS = ("case_id", "at", "actor_id", "action", "from_status", "to_status", "note", "data")


@functools.cache
def _snapshot(amount: int, unit: str) -> str:
    return json.dumps({"amount": amount, "unit": unit})


@functools.cache
def _json(key: str, value: str) -> str:
    return json.dumps({key: value})


SENT_BACK = json.dumps({"satisfaction": "unsatisfied", "redo": True})


def stamp(ts: float | None) -> datetime | None:
    return None if ts is None else EPOCH + timedelta(seconds=ts)


class Calendar:
    """Due instants of time limits on the work calendar, as :func:`app.deadlines.workcalendar.compute_due`
    computes them: minutes and hours are added; a limit in days ends at 24:00 (Beijing) of its last day.

    ``workdays`` maps each calendar day the table holds to whether it is a working day; days it lacks count
    Monday to Friday.
    """

    def __init__(self, workdays: dict[date, bool] | None = None):
        self.workdays = workdays or {}
        self._after: dict[tuple[int, int], int] = {}

    def is_workday(self, day_number: int) -> bool:
        """Whether the local day ``day_number`` (days since 1970-01-01) is a working day."""
        day = EPOCH.date() + timedelta(days=day_number)
        working = self.workdays.get(day)
        return day.weekday() < 5 if working is None else working

    def add_working_days(self, day_number: int, amount: int) -> int:
        """The ``amount``-th working day after ``day_number`` (not counted itself)."""
        key = (day_number, amount)
        if key not in self._after:
            current, left = day_number, amount
            while left > 0:
                current += 1
                left -= self.is_workday(current)
            self._after[key] = current
        return self._after[key]

    def due(self, start: float, amount: int, unit: str) -> float:
        """The due epoch time of a limit of ``amount`` ``unit`` from ``start``."""
        if unit == "minutes":
            return start + amount * 60
        if unit == "hours":
            return start + amount * 3600
        day = math.floor((start + LOCAL_OFFSET) / 86400)
        last = day + amount if unit == "natural_days" else self.add_working_days(day, amount)
        return (last + 1) * 86400 - LOCAL_OFFSET


def deadline_rows(running: dict, case_id: int, status: str, stages: dict, end_side: float | None) -> list:
    """Met and cancelled deadlines; the ones still running are left to the sweep bench."""
    rows = []
    leave = running.get(status, ())
    cancelled = status in ("rejected", "merged")
    for stage, (start, due, met, (amount, unit)) in stages.items():
        if stage in leave or (met is None and not cancelled):
            continue
        warn = start + (due - start) * WARN_SHARE
        late = met is not None and met > due
        fired = "breach" if late else ("warn" if met is not None and met > warn else None)
        rows.append(
            (
                case_id, stage, _snapshot(amount, unit), unit, stamp(start), stamp(due),
                stamp(warn), 2 if late else 1 if fired else 0, fired, stamp(met),
                stamp(due) if late else None, "cancelled" if met is None else "met", 0, 1,
            )
        )  # fmt: skip
    return rows


def event_rows(
    clerk: int, row: dict, ts: float, times: dict, end_side: float | None, co: list, handler
) -> list:
    """The timeline of a case: one event per step it went through, in order."""
    case_id, status = row["id"], row["status"]
    events = []

    def add(at, actor, action, before, after, note=None, payload=None):
        events.append((case_id, stamp(at), actor, action, before, after, note, payload))

    add(ts, None if row["channel"] == "api" else clerk, "receive", None, "new")
    if "register" in times:
        add(times["register"], clerk, "register", "new", "registered")
    if "dispatch" in times:
        routed = json.dumps({"lead_department_id": row["lead_department_id"], "co_department_ids": co})
        add(times["dispatch"], clerk, "dispatch", "registered", "dispatched", None, routed)
    if "sign" in times:
        add(times["sign"], handler, "sign", "dispatched", "in_progress")
    if "contact" in times:
        add(
            times["contact"],
            handler,
            "contact",
            "in_progress",
            "in_progress",
            "已电话联系群众，了解具体情况。",
        )
    if "reply" in times:
        outcome = _json("outcome", row["reply_outcome"])
        if "sent_back" in times:
            add(
                times["first_reply_at"],
                handler,
                "reply",
                "in_progress",
                "replied",
                row["reply_text"],
                outcome,
            )
            add(
                times["sent_back"],
                clerk,
                "revisit",
                "replied",
                "in_progress",
                "群众表示不满意，要求重新办理。",
                SENT_BACK,
            )
        add(times["reply"], handler, "reply", "in_progress", "replied", row["reply_text"], outcome)
    if "revisit" in times:
        add(
            times["revisit"],
            clerk,
            "revisit",
            "replied",
            "closed",
            None,
            _json("satisfaction", row["satisfaction"]),
        )
    if end_side is not None:
        before = "registered" if "register" in times else "new"
        if status == "merged":
            add(
                end_side,
                clerk,
                "merge",
                before,
                "merged",
                None,
                json.dumps({"target": row["merged_into_id"]}),
            )
        else:
            add(end_side, clerk, "reject", before, "rejected", "不属于受理范围。")
    return events
