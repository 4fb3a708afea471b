"""Configuration views: departments, categories (派单目录) and mailboxes. Staff read; admins edit."""

from flask import request
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import Regexp

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.settings import mailbox_qr
from app.deadlines.promises import mailbox_promises
from app.extensions import db
from app.org.tree import category_placement_refusal
from app.org.tree import department_placement_refusal
from app.validators import Phone
from models.enums import DepartmentKind
from models.enums import MailboxKind
from models.org import Category
from models.org import Department

CODE_RULE = Regexp(r"^[A-Za-z0-9_-]{1,32}$", message=_l("Use letters, digits, - and _ only."))


class DepartmentView(SecuredModelView):
    """The organisation tree."""

    column_list = ("code", "name", "kind", "parent", "leader_name", "phone", "active")
    column_details_list = ("code", "name", "kind", "parent", "leader_name", "phone", "active", "sort_order")
    column_labels = {
        "code": _l("Code"),
        "name": _l("Name"),
        "kind": _l("Kind"),
        "parent": _l("Parent unit"),
        "leader_name": _l("Leader name"),
        "phone": _l("Phone"),
        "active": _l("Active"),
        "sort_order": _l("Sort order"),
    }
    column_formatters = {"kind": fmt.label}
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_default_sort = "path"
    column_searchable_list = ("code", "name")
    column_filters = (
        sqla_filters.FilterEqual(Department.kind, _l("Kind"), options=DepartmentKind.choices()),
        sqla_filters.BooleanEqualFilter(Department.active, _l("Active")),
    )
    form_columns = ("code", "name", "kind", "parent", "leader_name", "phone", "active", "sort_order")
    form_choices = {"kind": DepartmentKind.choices()}
    form_args = {
        "code": {"validators": [DataRequired(), CODE_RULE]},
        "name": {"validators": [DataRequired()]},
        "phone": {"validators": [Phone()]},
        "parent": {"query_factory": lambda: db.session.query(Department).order_by(Department.path)},
    }

    def on_model_change(self, form, model, is_created):
        """Keep the tree's shape: kinds under the right parents, no cycles."""
        error = department_placement_refusal(model, model.parent)
        if error:
            raise ValidationError(error)


class CategoryView(SecuredModelView):
    """The two-level subject catalogue and each subject's default lead department."""

    column_list = ("code", "name", "parent", "default_department", "is_dispute", "active", "sort_order")
    column_details_list = column_list
    column_labels = {
        "code": _l("Code"),
        "name": _l("Name"),
        "parent": _l("Parent category"),
        "default_department": _l("Default lead department"),
        "is_dispute": _l("Dispute (counts towards the dispute resolution rate)"),
        "active": _l("Active"),
        "sort_order": _l("Sort order"),
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_default_sort = "code"
    column_searchable_list = ("code", "name")
    column_filters = (sqla_filters.BooleanEqualFilter(Category.active, _l("Active")),)
    form_columns = ("code", "name", "parent", "default_department", "is_dispute", "active", "sort_order")
    form_args = {
        "code": {"validators": [DataRequired(), CODE_RULE]},
        "name": {"validators": [DataRequired()]},
        "parent": {"query_factory": lambda: db.session.query(Category).filter(Category.parent_id.is_(None))},
    }

    def on_model_change(self, form, model, is_created):
        """Two levels only."""
        error = category_placement_refusal(model, model.parent)
        if error:
            raise ValidationError(error)


class MailboxView(SecuredModelView):
    """Leader mailboxes (局长信箱, 书记在线 …), each with a QR code and a printable poster."""

    column_list = (
        "name",
        "kind",
        "department",
        "leader_name",
        "slug",
        "real_name_required",
        "is_public",
        "active",
        "qr",
    )
    column_details_list = column_list[:-1] + ("intro", "qr")
    column_labels = {
        "name": _l("Name"),
        "kind": _l("Kind"),
        "department": _l("Owning department"),
        "leader_name": _l("Leader name"),
        "slug": _l("Web address name"),
        "intro": _l("Introduction"),
        "real_name_required": _l("Real name required"),
        "is_public": _l("Published"),
        "active": _l("Active"),
        "qr": _l("QR code and poster"),
    }
    column_descriptions = {
        "is_public": _l(
            "Its letters may be published through the public interfaces (Open311), but only those whose "
            "writers agree on the form; names, phones and addresses are never published."
        )
    }
    column_formatters = {"kind": fmt.label, "qr": mailbox_qr.qr_links}
    column_formatters_detail = {"kind": fmt.label, "qr": mailbox_qr.qr_details}
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    form_columns = (
        "name",
        "kind",
        "department",
        "leader_name",
        "slug",
        "intro",
        "real_name_required",
        "is_public",
        "active",
    )
    form_choices = {"kind": MailboxKind.choices()}
    form_args = {
        "name": {"validators": [DataRequired()]},
        "department": {"validators": [DataRequired()]},
        "slug": {
            "validators": [
                DataRequired(),
                Regexp(r"^[a-z0-9-]{2,64}$", message=_l("Use lower-case letters, digits and - only.")),
            ]
        },
    }

    @expose("/qr.png")
    def qr_png(self):
        """The mailbox's QR code as a PNG (``?id=``; ``&download=1`` for a file)."""
        return mailbox_qr.qr_response(self.get_one(request.args.get("id")), "png")

    @expose("/qr.svg")
    def qr_svg(self):
        """The mailbox's QR code as an SVG (``?id=``; ``&download=1`` for a file)."""
        return mailbox_qr.qr_response(self.get_one(request.args.get("id")), "svg")

    @expose("/poster/")
    def poster(self):
        """A printable A4 poster: the mailbox, its leader, the promised times and the big QR code."""
        mailbox = self.get_one(request.args.get("id"))
        url = mailbox_qr.mailbox_url(mailbox)
        return self.render(
            "admin/mailbox/poster.html",
            mailbox=mailbox,
            url=url,
            qr_svg=mailbox_qr.inline_svg(mailbox_qr.make_code(url)),
            promises=mailbox_promises(mailbox),
            back_url=self.get_url(f"{self.endpoint}.details_view", id=mailbox.id),
            public_url_warning=mailbox_qr.public_url_warning(),
        )
