"""The handler's case list in flat time: one query per scope arm, each on its own index, merged here."""

from flask import current_app
from flask import g
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_login import current_user
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select

from admin_views.base import CappedCount
from app.auth.access import ScopeArm
from app.auth.access import case_clause_arms
from app.extensions import db
from models.case import Case
from models.case import case_co_department

_ARM = "case_scope_arm"
co = case_co_department.c


def capped_total(counts) -> int:
    """Add per-arm counts; past the list cap (or the lower cap an arm's searched count stopped at) the
    total shows as ``cap+`` like a single capped count."""
    cap = min(
        [current_app.config["LIST_COUNT_CAP"], *(int(c) - 1 for c in counts if isinstance(c, CappedCount))]
    )
    total = sum(int(count or 0) for count in counts)
    return CappedCount(cap + 1) if total > cap else total


def _merge_key(attribute: str, nulls_first_ascending: bool):
    """Sort key that orders NULLs as the database does (SQLite: first ascending; PostgreSQL: last)."""
    none_rank = 0 if nulls_first_ascending else 2

    def key(row):
        value = getattr(row, attribute)
        return (none_rank, "") if value is None else (1, value)

    return key


def _co_rows(department_id: int, status: str | None):
    """The co-department rows of cases another department leads, from their copied columns."""
    query = select(co.case_id).where(
        co.department_id == department_id, co.lead_department_id.is_distinct_from(department_id)
    )
    return query if status is None else query.where(co.status == status)


class ArmedCaseListMixin:
    """For department-scoped users, run the list once per arm of the scope and merge the first pages.

    ``lead = d OR id IN (co-handled by d)`` cannot walk any index, so on a million cases every handler
    page would scan. The lead arm walks (lead, status, received_at). The co-handled arm, for the usual
    newest-first list with at most a status filter, first takes the top ids from the co-department
    table's own (department, status, received) index. Deep pages, exports, searches and other sorts fall
    back to slower but equally correct queries; the authoritative scope condition is applied every time.
    """

    armed_max_rows = 500
    armed_sort_columns = frozenset({"received_at", "number", "status", "grade", "next_due_at"})

    def scope(self, query):
        """Inside an arm, that arm's condition replaces the whole scope."""
        arm = g.get(_ARM)
        return super().scope(query) if arm is None else query.filter(arm.clause)

    def _only_status_filter(self, filters):
        """The status asked for when it is the only filter ("" for no filter); None for anything else."""
        statuses = []
        for idx, _name, value in filters or ():
            flt = self._filters[idx]
            if not (isinstance(flt, sqla_filters.FilterEqual) and flt.column is Case.status):
                return None
            statuses.append(value)
        if len(statuses) > 1:
            return None
        return statuses[0] if statuses else ""

    def _co_arm_shortcut(self, arm, sort_column, sort_desc, search, filters, wanted):
        """For the co-handled arm: (narrowed arm, its capped count), or None when it does not apply."""
        status = self._only_status_filter(filters)
        if arm.co_department_id is None or search or sort_column != "received_at" or status is None:
            return None
        rows = _co_rows(arm.co_department_id, status or None)
        order = co.received_at.desc() if sort_desc else co.received_at.asc()
        top_ids = rows.order_by(order).limit(wanted)
        cap = current_app.config["LIST_COUNT_CAP"]
        count = db.session.scalar(select(func.count()).select_from(rows.limit(cap + 1).subquery()))
        # The top ids drive the lookup; the scope rule is re-checked against the real rows.
        return ScopeArm(and_(Case.id.in_(top_ids), arm.row_check)), count

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        """Merge per-arm first pages for scoped users; everyone else gets Flask-Admin's single query."""
        arms = case_clause_arms(current_user)
        size = self.page_size if page_size is None else page_size
        page = page or 0
        wanted = (page + 1) * (size or 0)
        if sort_column is None:
            sort_column, sort_desc = self.column_default_sort
        armed = (
            arms is not None
            and len(arms) > 1
            and execute
            and size
            and wanted <= self.armed_max_rows
            and sort_column in self.armed_sort_columns
        )
        if not armed:
            return super().get_list(page, sort_column, sort_desc, search, filters, execute, page_size)
        counts, rows = [], []
        for arm in arms:
            shortcut = self._co_arm_shortcut(arm, sort_column, sort_desc, search, filters, wanted)
            setattr(g, _ARM, shortcut[0] if shortcut else arm)
            try:
                count, part = super().get_list(0, sort_column, sort_desc, search, filters, True, wanted)
            finally:
                g.pop(_ARM, None)
            counts.append(shortcut[1] if shortcut else count)
            rows.extend(part)
        nulls_first = db.engine.dialect.name == "sqlite"
        rows.sort(key=_merge_key(sort_column, nulls_first), reverse=bool(sort_desc))
        return capped_total(counts), rows[page * size : wanted]
