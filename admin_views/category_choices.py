"""Category pickers grouped by level-1 category: one ``<optgroup>`` per level-1 category, headed by that
category itself and followed by its sub-categories, in their sort order. Used by every form that picks a
category: Flask-Admin's model forms (through :class:`GroupedCategoryConverter`, set on the base view) and
the hand-written forms (:func:`category_select_choices`).
"""

from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import Choice
from wtforms.fields.choices import SelectChoice

from admin_views.converters import CodedFormConverter
from app.extensions import db
from models.org import Category


def _top(category: Category) -> Category:
    return category.parent if category.parent is not None else category


def _order(category: Category) -> tuple:
    return (category.sort_order or 0, category.id or 0)


def category_groups(categories) -> list[tuple[Category, list[Category]]]:
    """``(level-1 category, [it if offered, then its offered sub-categories])`` in sort order.

    A sub-category whose level-1 category is not offered (inactive) still sits under that category's name.
    """
    groups: dict[int, list[Category]] = {}
    tops: dict[int, Category] = {}
    for category in categories:
        top = _top(category)
        tops[top.id] = top
        groups.setdefault(top.id, []).append(category)
    ordered = sorted(tops.values(), key=_order)
    return [
        (top, sorted(groups[top.id], key=lambda c: (c.parent_id is not None, *_order(c)))) for top in ordered
    ]


def option_label(category: Category) -> str:
    """A category's label inside its group: a sub-category by its name, the level-1 category marked as such."""
    if category.parent_id is None:
        return _("%(name)s (level-1 category)", name=category.name)
    return category.name


def is_grouped(categories) -> bool:
    """Grouping helps only when some sub-category is offered (a list of level-1 categories stays flat)."""
    return any(category.parent_id is not None for category in categories)


def active_categories() -> list[Category]:
    """Active categories (any level)."""
    return db.session.scalars(select(Category).where(Category.active.is_(True))).all()


def category_select_choices(categories=None, blank: str | None = None) -> list[SelectChoice]:
    """Choices for a WTForms ``SelectField`` of category ids, grouped; ``blank`` labels an empty first choice."""
    categories = active_categories() if categories is None else categories
    choices = [SelectChoice("", blank)] if blank is not None else []
    for top, members in category_groups(categories):
        choices += [SelectChoice(c.id, option_label(c), optgroup=top.name) for c in members]
    return choices


class GroupedQuerySelectField(QuerySelectField):
    """Flask-Admin's dropdown of a category relation, rendered with one ``<optgroup>`` per level-1 category."""

    def has_groups(self):
        """Grouped when a sub-category is offered."""
        return is_grouped(obj for _pk, obj in self._get_object_list())

    def iter_groups(self):
        """The blank choice outside any group, then each level-1 category's group."""
        if self.allow_blank:
            yield None, [Choice("__None", self.blank_text, self.data is None, {})]
        pks = {id(obj): pk for pk, obj in self._get_object_list()}
        objects = [obj for _pk, obj in self._get_object_list()]
        for top, members in category_groups(objects):
            yield top.name, [Choice(pks[id(c)], option_label(c), c == self.data, {}) for c in members]


class GroupedCategoryConverter(CodedFormConverter):
    """The panel's form converter: a single category relation becomes a grouped dropdown."""

    def _model_select_field(self, prop, multiple, remote_model, **kwargs):
        ajax = getattr(self.view, "_form_ajax_refs", {}).get(prop.key)
        if remote_model is not Category or multiple or ajax:
            return super()._model_select_field(prop, multiple, remote_model, **kwargs)
        kwargs.setdefault("query_factory", lambda: db.session.query(Category))
        return GroupedQuerySelectField(**kwargs)
