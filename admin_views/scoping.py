"""Row scoping beyond the list: foreign-key dropdowns, ajax lookups and posted ids (see app.auth.access)."""

from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import String
from sqlalchemy import cast
from sqlalchemy import or_

from app.auth.access import scope_query
from app.auth.pii import may_search
from app.extensions import db
from app.validators import parse_id


def parse_pk(value) -> int | None:
    """A primary key from the request, or None (then the record answers 404)."""
    return parse_id(value)


def scoped(query):
    """Apply the current user's scope to a query of any model."""
    entity = query.column_descriptions[0]["entity"]
    return scope_query(entity, query, current_user)


def scope_select_fields(form):
    """Foreign-key dropdowns offer and accept only rows the user may see, inline sub-forms included."""
    for field in form:
        if hasattr(field, "entries"):  # FieldList of inline forms
            for entry in field.entries:
                scope_select_fields(getattr(entry, "form", [entry]))
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):  # FormField
            scope_select_fields(field.form)
        factory = getattr(field, "query_factory", None)
        if factory is not None and not getattr(factory, "_suqiu_scoped", False):

            def scoped_factory(factory=factory):
                return scoped(factory())

            scoped_factory._suqiu_scoped = True
            field.query_factory = scoped_factory
            field.query = None
    return form


def label_blank_choices(form):
    """Give empty dropdown choices a visible label (WTForms 3.3 shows Flask-Admin's "__None" otherwise)."""
    for field in form:
        if getattr(field, "allow_blank", False) and not getattr(field, "blank_text", None):
            field.blank_text = _("(none)")
    return form


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """Ajax lookups (select2 search in forms) limited to rows the user may see."""

    MAX_LIMIT = 50
    MAX_OFFSET = 100_000

    def get_query(self):
        """All lookups start from the scoped query."""
        return scope_query(self.model, super().get_query(), current_user)

    def get_one(self, pk):
        """Accept only ids the user may see."""
        pk = parse_pk(pk)
        if pk is None:
            return None
        with db.session.no_autoflush:
            return self.get_query().filter(self.model.id == pk).one_or_none()

    def get_list(self, term, offset=0, limit=10):
        """Rows whose searchable fields contain ``term``; a field the user sees masked is not searched;
        the page size a client may ask for is capped."""
        fields = [f for f in self._cached_fields if may_search(self.model.__name__, f.key, current_user)]
        if not fields:
            return []
        term = f"%{term or ''}%"
        query = self.get_query().filter(or_(*(cast(field, String).ilike(term) for field in fields)))
        if self.order_by:
            query = query.order_by(self.order_by)
        offset = min(max(offset or 0, 0), self.MAX_OFFSET)
        return query.offset(offset).limit(min(max(limit or 10, 1), self.MAX_LIMIT)).all()
