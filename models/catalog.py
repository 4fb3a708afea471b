"""The two-level subject catalogue (派单目录): each category names its default lead department."""

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from models.org import Department


class Category(db.Model):
    """A level-1 subject (no parent) or a level-2 subject under one."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    default_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    parent: Mapped["Category | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Category"]] = relationship(back_populates="parent", order_by="Category.sort_order")
    default_department: Mapped[Department | None] = relationship()

    def __str__(self) -> str:
        if self.parent is not None:
            return f"{self.parent.name} / {self.name}"
        return self.name

    @property
    def level(self) -> int:
        """1 for a top-level subject, 2 for a sub-subject."""
        return 1 if self.parent_id is None else 2

    def structure_error(self, parent: "Category | None"):
        """Return why ``parent`` is not allowed (the tree has two levels), or None."""
        from flask_babel import gettext as _

        if parent is None:
            return None
        if parent.parent_id is not None:
            return _("The catalogue has two levels: a parent must be a top-level category.")
        if self.id is not None and (parent.id == self.id or self.children):
            return _("A category that has sub-categories cannot itself be placed under another.")
        return None

    def lead_department(self) -> Department | None:
        """The default lead department, inherited from the parent when unset."""
        if self.default_department is not None:
            return self.default_department
        return self.parent.default_department if self.parent is not None else None
