"""Free text as the current role may see it: phone and ID numbers typed into it are masked for roles that see
those fields masked (:func:`app.auth.redaction.reveal_text`), on lists, detail pages and exports alike."""

from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from app.auth.redaction import reveal_text


def masked_text(text) -> str:
    """Template filter: ``text`` as the current user may see it (a leader reads ``139****5678``)."""
    return reveal_text(None if text is None else str(text), current_user)


class MaskedFreeText:
    """Model-view mixin: the columns named in ``free_text_columns`` pass :func:`masked_text` on every page
    and in the export. Columns with a formatter of their own answer for themselves."""

    free_text_columns: tuple[str, ...] = ()

    def _as_seen(self, name: str, value):
        if name in self.free_text_columns and isinstance(value, str) and not isinstance(value, Markup):
            return masked_text(value)
        return value

    @pass_context  # as Flask-Admin's own: templates call it with their context
    def get_list_value(self, context, model, name):
        """The list cell, masked as the role may see it."""
        return self._as_seen(name, super().get_list_value(context, model, name))

    @pass_context
    def get_detail_value(self, context, model, name):
        """The detail row, masked as the role may see it."""
        return self._as_seen(name, super().get_detail_value(context, model, name))

    def get_export_value(self, model, name):
        """The exported cell, masked as the role may see it."""
        return self._as_seen(name, super().get_export_value(model, name))
