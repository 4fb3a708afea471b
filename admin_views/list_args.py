"""What a list page takes from its query string, checked before any of it reaches SQL.

Flask-Admin passes filter values, the page number and the page size on as they come. A value a filter
does not offer (an unknown status code), or a number beyond what a 64-bit column or an OFFSET can hold,
would reach the database and end in a 500. Here such a filter is dropped with Flask-Admin's own
"invalid value" message, and page numbers and sizes are clamped, so any link answers with a list.
"""

from flask import flash
from flask import request
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.model import filters as base_filters
from flask_admin.model.base import ViewArgs
from sqlalchemy import Integer

from app.validators import ID_MAX
from models.types import Coded

LIST_FILTERS = (sqla_filters.FilterInList, sqla_filters.FilterNotInList)
INT_FILTERS = (base_filters.BaseIntFilter, base_filters.BaseIntListFilter)
PAGE_MAX = 100_000


def _codes(options) -> set[str] | None:
    """The values a filter offers (its options), or None when it offers free input."""
    if not options:
        return None
    return {str(code) for code, _label in (options() if callable(options) else options)}


def _compared_type(flt):
    """The SQL type of what a filter compares its value with (``attribute`` for subquery filters)."""
    target = getattr(flt, "attribute", None) or getattr(flt, "column", None)
    return getattr(target, "type", None)


def _whole(text: str) -> bool:
    text = text.strip().lstrip("-")
    return text.isascii() and text.isdigit() and int(text) <= ID_MAX


def acceptable(flt, value: str) -> bool:
    """Whether ``value`` is one a filter can take to SQL: a code its column holds, a 64-bit whole number."""
    if getattr(flt, "checks_own_value", False):  # a filter whose value is a structure of its own
        return flt.validate(value)
    values = (
        value.split(",") if isinstance(flt, LIST_FILTERS + (base_filters.BaseIntListFilter,)) else [value]
    )
    compared = _compared_type(flt)
    # A coded column holds only its options; other options (years on record, say) are suggestions.
    codes = _codes(getattr(flt, "options", None)) if isinstance(compared, Coded) else None
    if codes is not None and not all(v.strip() in codes for v in values):
        return False
    whole = isinstance(flt, INT_FILTERS) or isinstance(compared, Integer)
    if whole and not all(_whole(v) for v in values):
        return False
    return flt.validate(value)


class CheckedListArgs:
    """For model views: the list's filter values, page and page size checked (see the module docstring)."""

    def _get_list_filter_args(self):
        if not self._filters:
            return None
        chosen = []
        for arg in request.args:
            if not arg.startswith("flt") or "_" not in arg:
                continue
            position, key = arg[3:].split("_", 1)
            if key not in self._filter_args:
                continue
            index, flt = self._filter_args[key]
            value = request.args[arg]
            if acceptable(flt, value):
                chosen.append((position, (index, str(flt.name), value)))
            else:
                flash(self.get_invalid_value_msg(value, flt), "error")
        return [item for _position, item in sorted(chosen, key=lambda pair: pair[0])]

    def _get_list_extra_args(self):
        args = super()._get_list_extra_args()
        page = min(max(args.page or 0, 0), PAGE_MAX)
        page_size = args.page_size if args.page_size in self.page_size_options else 0
        sort = args.sort if args.sort is not None and 0 <= args.sort < 1000 else None
        return ViewArgs(
            page=page,
            page_size=page_size,
            sort=sort,
            sort_desc=args.sort_desc,
            search=args.search,
            filters=args.filters,
            extra_args=args.extra_args,
        )
