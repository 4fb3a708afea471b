"""Importing the 平安员 roster: compare the rows with the roster, then write all of them or none.

The flow: :func:`app.volunteers.roster.files.read_roster` turns the upload into rows of text, :func:`app.volunteers.roster.pending.save_pending` keeps
them on the server (bound to the user, for a limited time), :func:`build_plan` classifies each row as
added, updated, unchanged or rejected (reading only; run for the preview and again at confirm), and
:func:`apply_plan` writes the plan in one transaction. A plan has a fingerprint: the confirm button posts
the fingerprint the user saw, so a roster that changed in between is never written blind.
"""

import hashlib
import json
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app import audit
from app.auth.pii import mask
from app.extensions import db
from app.volunteers.links import new_link_token
from app.volunteers.roster.rules import DEFAULT_STATUS
from app.volunteers.roster.rules import Communities
from app.volunteers.roster.rules import Rules
from app.volunteers.roster.rules import in_scope
from models.audit import AuditAction
from models.audit import AuditEntity
from models.org import Department
from models.volunteer import Volunteer

ADDED, UPDATED, UNCHANGED, REJECTED = "added", "updated", "unchanged", "rejected"
KINDS = (REJECTED, UPDATED, ADDED, UNCHANGED)
# Fields an import writes, in display order. An empty cell never erases a stored value.
FIELDS = ("name", "phone", "id_number", "group", "community", "joined_on", "status", "patrol_area", "notes")
CONFLICT = _l(
    "Nothing was imported: the roster was changed by someone else while saving. Upload the file again and check the new preview."
)
CHUNK = 500  # ids per IN (...) query


class ImportFailed(Exception):
    """The import was not written; the message says why, for the user."""


@dataclass
class RowResult:
    """One spreadsheet row and what importing it would do."""

    row: int
    values: dict
    reasons: list = field(default_factory=list)
    volunteer: Volunteer | None = None
    changes: dict = field(default_factory=dict)  # field -> (stored value, value in the file)

    @property
    def kind(self) -> str:
        if self.reasons:
            return REJECTED
        if self.volunteer is None:
            return ADDED
        return UPDATED if self.changes else UNCHANGED


@dataclass
class Plan:
    """Every row of one file, classified against the roster as it is now."""

    rows: list
    communities: Communities | None = None

    def of(self, kind: str) -> list:
        """The rows of one kind, in file order."""
        return [row for row in self.rows if row.kind == kind]

    @property
    def counts(self) -> dict:
        counts = dict.fromkeys(KINDS, 0)
        for row in self.rows:
            counts[row.kind] += 1
        return counts

    @property
    def fingerprint(self) -> str:
        """A digest of what confirming would write; changes whenever the roster or the rules do."""
        summary = [
            [
                row.row,
                row.kind,
                row.volunteer.id if row.volunteer is not None else None,
                sorted((name, _plain(old), _plain(new)) for name, (old, new) in row.changes.items()),
                sorted((name, _plain(value)) for name, value in row.values.items()),
            ]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(summary, ensure_ascii=False).encode()).hexdigest()


def _plain(value) -> str:
    if isinstance(value, Department):
        return f"department:{value.id}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _load(column, values) -> list[Volunteer]:
    found = []
    for chunk in _chunks(values):
        found.extend(db.session.scalars(select(Volunteer).where(column.in_(chunk))))
    return found


def _repeats(rows, key, message) -> None:
    """Reject every row whose ``key`` also appears on another row, naming the other rows."""
    seen: dict = {}
    for row in rows:
        value = key(row)
        if value:
            seen.setdefault(value, []).append(row)
    for group in seen.values():
        for row in group if len(group) > 1 else ():
            row.reasons.append(message(", ".join(str(other.row) for other in group if other is not row)))


def _match(row: RowResult, by_id: dict, by_phone: dict, user) -> None:
    """Find the volunteer a row updates: by ID number, else by phone (and name when several share it)."""
    values = row.values
    id_number, phone = values["id_number"], values["phone"]
    if id_number:
        volunteer = by_id.get(id_number)
        if volunteer is not None and not in_scope(user, volunteer.community):
            row.reasons.append(_("This ID number cannot be imported here; ask the district office."))
            return
        if volunteer is None:  # a volunteer registered without an ID number gets it now
            same = [
                v
                for v in by_phone.get(phone, [])
                if not v.id_number and v.name == values["name"] and in_scope(user, v.community)
            ]
            volunteer = same[0] if len(same) == 1 else None
        row.volunteer = volunteer
        return
    candidates = [v for v in by_phone.get(phone, []) if in_scope(user, v.community)]
    if len(candidates) > 1:
        candidates = [v for v in candidates if v.name == values["name"]]
        if len(candidates) != 1:
            row.reasons.append(
                _("Several volunteers have this phone number; add the ID number to tell them apart.")
            )
            return
    row.volunteer = candidates[0] if candidates else None
    masked = values["id_masked"]
    if masked and row.volunteer is None:
        row.reasons.append(
            _(
                "A masked ID number (with *) can only be kept for a volunteer already on the roster; enter the full number or leave it empty."
            )
        )
    elif masked and mask(row.volunteer.id_number) != masked:
        row.reasons.append(_("The masked ID number does not match the ID number on record."))


def _comparable(name: str, value):
    if isinstance(value, Department):
        return value.id
    return value.upper() if name == "id_number" and value else value


def _changes(row: RowResult) -> dict:
    volunteer, changes = row.volunteer, {}
    for name in FIELDS:
        new = row.values.get(name)
        old = getattr(volunteer, name)
        if new is None or new == "":
            continue  # an empty cell keeps the stored value
        if _comparable(name, old) != _comparable(name, new):
            changes[name] = (old, new)
    return changes


def build_plan(records: list[dict], user) -> Plan:
    """Classify every row against the roster as ``user`` may see it. Reads only."""
    rules = Rules(user)
    rows = []
    for record in records:
        values, reasons = rules.check(record)
        rows.append(RowResult(row=record["row"], values=values, reasons=reasons))
    _repeats(
        rows,
        lambda r: r.values["id_number"],
        lambda others: _("The same ID number is on row(s) %(rows)s.", rows=others),
    )
    _repeats(
        rows,
        lambda r: None if r.values["id_number"] else r.values["phone"],
        lambda others: _(
            "Row(s) %(rows)s have the same phone and no ID number; add the ID numbers.", rows=others
        ),
    )
    ids = {r.values["id_number"] for r in rows if r.values["id_number"]}
    variants = ids | {i[:-1] + "x" for i in ids if i.endswith("X")}
    by_id = {v.id_number.upper(): v for v in _load(Volunteer.id_number, variants)}
    by_phone: dict[str, list[Volunteer]] = {}
    for volunteer in _load(Volunteer.phone, {r.values["phone"] for r in rows if r.values["phone"]}):
        by_phone.setdefault(volunteer.phone, []).append(volunteer)
    for row in rows:
        if not row.reasons:
            _match(row, by_id, by_phone, user)
    _repeats(
        rows,
        lambda r: r.volunteer.id if r.volunteer is not None and not r.reasons else None,
        lambda others: _("Row(s) %(rows)s update the same volunteer.", rows=others),
    )
    for row in rows:
        if row.reasons:
            continue
        if row.volunteer is not None:
            row.changes = _changes(row)
        else:  # defaults for a new volunteer, shown in the preview
            row.values["status"] = row.values["status"] or DEFAULT_STATUS
            row.values["joined_on"] = row.values["joined_on"] or rules.today
    return Plan(rows, rules.communities)


def apply_plan(plan: Plan, user, filename: str, token: str) -> dict:
    """Write every added and updated row and the audit record (flushed); the caller commits them together,
    or rolls back on :class:`ImportFailed` so nothing at all is written."""
    if plan.of(REJECTED):
        raise ImportFailed(_("Nothing was imported: fix the rejected rows in the file and upload it again."))
    counts = plan.counts
    try:
        for row in plan.of(ADDED):
            volunteer = Volunteer(**{name: row.values[name] for name in FIELDS})
            if volunteer.active:  # ready to report clues: the link is handed out from 专属链接
                volunteer.link_token = new_link_token()
            db.session.add(volunteer)
        for row in plan.of(UPDATED):
            for name, (_old, new) in row.changes.items():
                setattr(row.volunteer, name, new)
        after = {
            "file": filename[:200],
            "rows": len(plan.rows),
            **{k: counts[k] for k in (ADDED, UPDATED, UNCHANGED)},
        }
        audit.record(AuditEntity.VOLUNTEER_IMPORT, token, AuditAction.IMPORT, user, None, after)
        db.session.flush()
    except SQLAlchemyError as exc:
        current_app.logger.warning("roster import %s failed: %s", token, exc)
        raise ImportFailed(str(CONFLICT)) from exc
    return counts
