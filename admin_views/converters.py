"""How Flask-Admin turns our enum columns (:class:`models.types.Coded`) into form fields and list filters.

Flask-Admin knows SQLAlchemy's own ``Enum``; a ``Coded`` column holds labelled enum members, so its
field offers the members' labels and posts their codes, and its filters compare codes.
"""

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import Select2Field
from flask_admin.model.filters import convert
from flask_admin.model.form import converts
from wtforms import validators


class CodedFormConverter(AdminModelConverter):
    """Forms: a select of the enum's labels for every ``Coded`` column."""

    @converts("models.types.Coded")
    def convert_coded(self, column, field_args, **extra):
        """A select of ``(code, label)``; blank allowed when the column is nullable."""
        choices = column.type.enum_cls.choices()
        accepted = [code for code, _label in choices]
        if column.nullable:
            field_args["allow_blank"] = True
            accepted.append(None)
        self._nullable_common(column, field_args)
        field_args["choices"] = choices
        field_args["validators"].append(validators.AnyOf(accepted))
        field_args["coerce"] = lambda value: None if value is None else str(value)
        return Select2Field(**field_args)


class CodedFilterConverter(sqla_filters.FilterConverter):
    """Filters: equal, not equal, empty, in list and not in list, with the enum's labels as options."""

    CODED = (
        sqla_filters.FilterEqual,
        sqla_filters.FilterNotEqual,
        sqla_filters.FilterEmpty,
        sqla_filters.FilterInList,
        sqla_filters.FilterNotInList,
    )

    @convert("coded")
    def conv_coded(self, column, name, options=None, **kwargs):
        """The filters of a ``Coded`` column."""
        options = options or column.type.enum_cls.choices()
        return [flt(column, name, options, **kwargs) for flt in self.CODED]
