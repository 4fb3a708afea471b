"""The category suggestion's settings (administrators): the model in use with its held-out figures, how
often the clerks' recent choices matched it, a retrain button, and the keyword hints per category."""

from flask import flash
from flask import redirect
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import select
from wtforms import ValidationError
from wtforms.validators import DataRequired

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import SecuredView
from app.auth.access import ADMIN_ROLES
from app.extensions import db
from app.suggest import hints
from app.suggest import tracking
from app.suggest import training
from app.suggest.text import split_keywords
from app.timeutil import utcnow
from models.suggest import CategoryHint

WINDOWS = (30, 90)


class SuggestModelView(SecuredView):
    """The model in use, its accuracy on held-out cases and on the clerks' recent choices, and retraining."""

    read_roles = ADMIN_ROLES

    @expose("/")
    def index(self):
        """The model's figures and the retrain button."""
        now = utcnow()
        return self.render(
            "admin/suggest_model.html",
            model=training.latest(),
            recent=[tracking.recent_accuracy(now, days) for days in WINDOWS],
            hinted=len(hints.hint_map()),
            hints_kept=db.session.scalar(select(db.func.count(CategoryHint.id))),
        )

    @expose("/retrain/", methods=("POST",))
    def retrain(self):
        """Train a new model on the closed cases and the hints now (the nightly job does the same)."""
        row = training.train(utcnow())
        db.session.commit()
        if row is None:
            flash(
                _("Nothing to learn from yet: no closed cases with a category and no keyword hints."), "error"
            )
        else:
            flash(
                _("Model %(version)d trained on %(cases)d cases.", version=row.version, cases=row.cases_used)
            )
        return redirect(url_for(".index"))


def _keywords(view, context, model, name):
    return escape("、".join(split_keywords(model.keywords)))


class CategoryHintView(SecuredModelView):
    """Keywords per category: a new office's suggestions come from them, and they help rare categories."""

    read_roles = ADMIN_ROLES
    column_list = ("category", "keywords", "updated_at")
    column_labels = {"category": _l("Category"), "keywords": _l("Keywords"), "updated_at": _l("Updated")}
    column_formatters = {"keywords": _keywords}
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_default_sort = ("category_id", False)
    form_columns = ("category", "keywords")
    form_args = {
        "category": {"validators": [DataRequired()]},
        "keywords": {
            "validators": [DataRequired()],
            "description": _l(
                "One keyword or phrase per line, or separated by 、. Used from the next suggestion."
            ),
        },
    }
    form_widget_args = {"keywords": {"rows": 8}}

    def on_model_change(self, form, model, is_created):
        """Keep one row per category; store the keywords one per line, normalised."""
        with db.session.no_autoflush:  # the new row itself is not "another"
            other = db.session.scalar(
                select(CategoryHint.id).where(
                    CategoryHint.category_id == model.category.id, CategoryHint.id != (model.id or 0)
                )
            )
        if other is not None:
            raise ValidationError(_("This category already has keywords; edit that row instead."))
        model.keywords = "\n".join(split_keywords(model.keywords))
        if not model.keywords:
            raise ValidationError(_("Give at least one keyword."))
        super().on_model_change(form, model, is_created)


def register(admin) -> None:
    """The suggestion page and the hints list, under Settings."""
    admin.add_view(
        SuggestModelView(name=_l("Category suggestion"), endpoint="suggest_model", category=_l("Settings"))
    )
    admin.add_view(
        CategoryHintView(
            CategoryHint, db, name=_l("Category keywords"), endpoint="category_hint", category=_l("Settings")
        )
    )
