"""The one base view: login, roles and department scoping for every Flask-Admin view.

Flask-Admin scopes only the list through ``get_query``; the count, ``get_one`` (details, edit,
delete), actions, ajax lookups and foreign-key dropdowns all fetch rows on their own. This view
routes every one of them through :func:`app.auth.access.scope_query`.
"""

import time
from datetime import date
from datetime import datetime
from decimal import Decimal

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import BaseView
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import create_ajax_loader
from flask_admin.model.base import filter_char_re
from flask_admin.model.base import filter_compact_re
from flask_admin.tools import rec_getattr
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Query
from sqlalchemy.orm.exc import StaleDataError
from wtforms import ValidationError

from admin_views import formatters as fmt
from admin_views.category_choices import GroupedCategoryConverter
from admin_views.converters import CodedFilterConverter
from admin_views.free_text import MaskedFreeText
from admin_views.list_args import CheckedListArgs
from admin_views.scoping import ScopedAjaxLoader
from admin_views.scoping import label_blank_choices
from admin_views.scoping import parse_pk
from admin_views.scoping import scope_select_fields
from app import audit
from app.auth import pii
from app.auth.access import ADMIN_ROLES
from app.auth.access import STAFF_ROLES
from app.auth.access import scope_query
from app.extensions import db
from app.xlsx import XLSX_MIMETYPE
from app.xlsx import write_sheet
from models.audit import AuditAction
from models.audit import AuditEntity

# Flask-Admin route name -> the capability it needs.
CAPABILITIES = {
    "create_view": "can_create",
    "edit_view": "can_edit",
    "delete_view": "can_delete",
    "export": "can_export",
    "details_view": "can_view_details",
    "ajax_lookup": "can_fill_forms",  # lookups serve the create and edit forms only
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class CappedCount(int):
    """A row count that stopped at the cap; shows as ``10000+``."""

    def __str__(self) -> str:
        return f"{int(self) - 1}+"

    __html__ = __str__


class CappedCountQuery(Query):
    """A count query that stops after ``LIST_COUNT_CAP`` rows (or its ``count_cap``, set by a search), so
    big tables page in flat time."""

    count_cap: int | None = None

    def scalar(self):
        """Count at most cap + 1 matching rows."""
        cap = self.count_cap or current_app.config["LIST_COUNT_CAP"]
        limited = self.order_by(None).limit(cap + 1).subquery()
        count = self.session.query(func.count()).select_from(limited).scalar()
        return CappedCount(count) if count > cap else count


class LazyOptions:
    """Filter options read from the database on each request (Flask-Admin caches them at start-up)."""

    def __init__(self, loader):
        self.loader = loader

    def __iter__(self):
        return iter(self.loader())

    def __bool__(self) -> bool:
        return True


def acting_user():
    """The logged-in user as a mapped object (not the LocalProxy), for relationships and events."""
    return current_user._get_current_object()


class RoleGate:
    """Who may open a view: logged-in staff in ``read_roles``; anonymous users go to the login page, others 403."""

    read_roles = STAFF_ROLES

    @staticmethod
    def _user_in(roles) -> bool:
        return bool(current_user.is_authenticated and current_user.role in roles)

    def is_accessible(self):
        """Only active staff in ``read_roles``."""
        return self._user_in(self.read_roles)

    def inaccessible_callback(self, name, **kwargs):
        """Anonymous users go to the login page; others get 403."""
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)


class SecuredView(RoleGate, BaseView):
    """Base for the panel's pages that are not model lists (inbox, figures, personal links)."""


class SecuredModelView(CheckedListArgs, RoleGate, MaskedFreeText, ModelView):
    """Base for every model view: role checks per capability, row scoping on every route, and the free-text
    columns (``free_text_columns``) with phone and ID numbers masked for roles that see those masked."""

    read_roles = STAFF_ROLES
    create_roles = ADMIN_ROLES
    edit_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES
    export_roles: frozenset = frozenset()
    action_roles: dict = {}

    page_size = 20
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    can_view_details = True
    export_types = ["xlsx"]
    named_filter_urls = True
    column_display_pk = False
    model_form_converter = GroupedCategoryConverter  # CodedFormConverter, with category dropdowns grouped
    filter_converter = CodedFilterConverter()
    # Details pages: local times and 是/否 (Flask-Admin's own show UTC and "True"); views may set their own.
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS

    # --- roles -----------------------------------------------------------------------------
    def _handle_view(self, name, **kwargs):
        """Refuse with 403, not a silent redirect, when the role lacks the capability a route needs."""
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        capability = CAPABILITIES.get(name)
        if capability is not None and not getattr(self, capability):
            abort(403)
        if name == "action_view" and not self.is_action_allowed(request.form.get("action", "")):
            abort(403)
        return None

    @property
    def can_create(self):
        return self._user_in(self.create_roles)

    @property
    def can_edit(self):
        return self._user_in(self.edit_roles)

    @property
    def can_delete(self):
        return self._user_in(self.delete_roles)

    @property
    def can_fill_forms(self):
        return self.can_create or self.can_edit

    @property
    def can_export(self):
        return self._user_in(self.export_roles)

    @property
    def export_max_rows(self):
        return current_app.config["EXPORT_MAX_ROWS"]

    def is_action_allowed(self, name):
        """Bulk actions need their role; the built-in delete needs ``can_delete``."""
        if name == "delete":
            return self.can_delete
        return self._user_in(self.action_roles.get(name, ())) and super().is_action_allowed(name)

    def get_filter_arg(self, index, flt):
        """Filter URL names from the English labels, so links keep their filters in every language.

        Flask-Admin derives them from the label in the page's language; a Chinese label has no ASCII
        letters, so sort and page links would carry ``flt0__equals`` and silently drop the filter.
        """
        name = getattr(flt.name, "_args", (flt.name,))[0]
        operation = flt.operation()
        operation = getattr(operation, "_args", (operation,))[0]
        return filter_compact_re.sub("_", filter_char_re.sub("", f"{name} {operation}".lower()))

    # --- scoping ---------------------------------------------------------------------------
    def scope(self, query):
        """Limit ``query`` to the rows the current user may see."""
        return scope_query(self.model, query, current_user)

    def get_query(self):
        """List and export: only rows the user may see."""
        return self.scope(super().get_query())

    def get_count_query(self):
        """The list total: same scope, counted up to the cap."""
        return self.scope(CappedCountQuery([self.model.id], session=db.session()))

    def get_one(self, id):
        """Details, edit, delete, ajax update: a row outside the scope answers 404."""
        pk = parse_pk(id)
        row = None if pk is None else self.get_query().filter(self.model.id == pk).one_or_none()
        if row is None:
            abort(404)
        return row

    def scoped_ids(self, ids):
        """Re-scope ids posted by a bulk action."""
        pks = [pk for pk in (parse_pk(i) for i in ids) if pk is not None]
        return self.get_query().filter(self.model.id.in_(pks))

    def _create_ajax_loader(self, name, options):
        loader = create_ajax_loader(self.model, db.session, name, name, options)
        return ScopedAjaxLoader(name, db.session, loader.model, **options)

    def create_form(self, obj=None):
        """Create form with scoped dropdowns."""
        return label_blank_choices(scope_select_fields(super().create_form(obj)))

    def edit_form(self, obj=None):
        """Edit form with scoped dropdowns."""
        return label_blank_choices(scope_select_fields(super().edit_form(obj)))

    def validate_form(self, form):
        """Validate, then turn lazy error messages into text (Flask-Admin only renders plain strings)."""
        valid = super().validate_form(form)
        for field in form:
            if field.errors and isinstance(field.errors, list | tuple):
                field.errors = [str(error) for error in field.errors]
        return valid

    # --- errors and export -----------------------------------------------------------------
    def handle_view_exception(self, exc):
        """Explain conflicts in plain words; never show database error text."""
        if isinstance(exc, ValidationError):
            return super().handle_view_exception(exc)
        if isinstance(exc, StaleDataError):
            flash(_("Someone else has changed this record. Reload the page and try again."), "error")
            return True
        if isinstance(exc, IntegrityError):
            current_app.logger.warning("integrity error in %s: %s", self.endpoint, exc)
            flash(_("This would duplicate or break a link to another record; nothing was saved."), "error")
            return True
        return super().handle_view_exception(exc)

    def get_export_name(self, export_type="csv"):
        """ASCII file names: Flask-Admin's secure_filename strips Chinese view names."""
        return f"suqiu_{self.endpoint}_{time.strftime('%Y%m%d_%H%M%S')}.{export_type}"

    def get_export_value(self, model, name):
        """Every exported value that is not a number or a time is text: related records and formatted values
        as their plain text (HTML stripped), and text that a spreadsheet would run as a formula quoted. Times,
        dates and amounts of a column without a formatter of its own keep their type (app.xlsx writes them)."""
        if name not in (self.column_formatters_export or {}):
            raw = rec_getattr(model, name, None)
            if isinstance(raw, datetime | date | Decimal):
                return raw
        value = super().get_export_value(model, name)
        if value is None or isinstance(value, bool | int | float | Decimal | datetime | date):
            return value
        text = value.striptags() if isinstance(value, Markup) else str(value)
        return "'" + text if text.startswith(FORMULA_PREFIXES) else text

    # --- audit of exports (who, which list, which filters, how many rows, personal data) -----------
    def _export_data(self):
        """The rows of an export, and its audit row (committed once the route has built the file)."""
        count, data = super()._export_data()
        names = [name for name, _label in self._export_columns]
        personal = set(pii.personal_in_full(self.model.__name__, names, current_user))
        after = {"view": str(self.name), "filters": self._filters_text(), "rows": len(data)}
        after["personal"] = [str(label) for name, label in self._export_columns if name in personal]
        audit.record(AuditEntity.EXPORT, self.endpoint, AuditAction.EXPORT, acting_user(), None, after)
        g.audit_pending = True
        return count, data

    def _filters_text(self) -> list[str]:
        """The list's filters and search as the user chose them, in the page's language."""
        args, parts = self._get_list_extra_args(), []
        for index, _name, value in args.filters or ():
            flt = self._filters[index]
            options = {str(code): str(label) for code, label in (flt.get_options(self) or ())}
            shown = "、".join(options.get(v, v) for v in str(value).split(","))
            parts.append(f"{flt.name} {flt.operation()} {shown}")
        if args.search:
            parts.append(_("Search: %(text)s", text=args.search))
        return parts

    def _run_view(self, fn, *args, **kwargs):
        """Run the route; an audit row it left uncommitted (an export, a view) is committed after it."""
        response = super()._run_view(fn, *args, **kwargs)
        if g.pop("audit_pending", False):
            db.session.commit()
        return response

    def _export_tablib(self, export_type, return_url):
        """xlsx through :mod:`app.xlsx`: typed cells, the view's name as the sheet's, a frozen header row."""
        if export_type != "xlsx":
            return super()._export_tablib(export_type, return_url)
        _count, data = self._export_data()
        header = [str(label) for _name, label in self._export_columns]
        rows = [[self.get_export_value(row, name) for name, _label in self._export_columns] for row in data]
        body = write_sheet(str(self.name), header, rows)
        disposition = f"attachment;filename={self.get_export_name('xlsx')}"
        return Response(body, headers={"Content-Disposition": disposition}, mimetype=XLSX_MIMETYPE)


def form_errors(form) -> str:
    """The form's errors on one line, for a flash message."""
    return "; ".join(
        f"{form[name].label.text}: {', '.join(map(str, errors))}" for name, errors in form.errors.items()
    )
