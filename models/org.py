"""The organisation tree (district → street → community → station, plus bureaus), the two-level category
catalogue (派单目录) and the leader mailboxes. The rules of the tree are in app.org.tree."""

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from models.enums import DepartmentKind
from models.enums import MailboxKind
from models.types import enum_column


class Department(db.Model):
    """A handling unit (承办单位). ``path`` holds the ids from the root, e.g. ``/1/4/17/``."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(enum_column(DepartmentKind, "department_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    leader_name: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    # 企业微信 / 钉钉 group-robot URL that receives this department's reminders.
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A street reviews the replies of the cases it hands down before they reach the citizen (分级处置).
    reviews_handed_down_replies: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    parent: Mapped["Department | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Department"]] = relationship(back_populates="parent")

    def __str__(self) -> str:
        return self.name


def _parent_path(connection, parent_id: int | None) -> str:
    if parent_id is None:
        return "/"
    return connection.execute(select(Department.path).where(Department.id == parent_id)).scalar_one()


@event.listens_for(Department, "after_insert")
def _set_path_after_insert(mapper, connection, target: Department) -> None:
    """Give a new unit its path once its id is known."""
    path = f"{_parent_path(connection, target.parent_id)}{target.id}/"
    connection.execute(update(Department).where(Department.id == target.id).values(path=path))
    set_committed_value(target, "path", path)


@event.listens_for(Department, "before_update")
def _move_subtree(mapper, connection, target: Department) -> None:
    """When a unit changes parent, rewrite its path and every descendant's path."""
    new_path = f"{_parent_path(connection, target.parent_id)}{target.id}/"
    old_path = connection.execute(select(Department.path).where(Department.id == target.id)).scalar_one()
    if new_path == old_path:
        return
    connection.execute(
        update(Department)
        .where(Department.path.startswith(old_path, autoescape=True), Department.id != target.id)
        .values(path=new_path + func.substr(Department.path, len(old_path) + 1))
    )
    target.path = new_path


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
    # A dispute subject (矛盾纠纷): its closed cases count towards 化解率 (app.reports.rates).
    is_dispute: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    parent: Mapped["Category | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Category"]] = relationship(back_populates="parent", order_by="Category.sort_order")
    default_department: Mapped[Department | None] = relationship()

    def __str__(self) -> str:
        if self.parent is not None:
            return f"{self.parent.name} / {self.name}"
        return self.name


class Mailbox(db.Model):
    """A leader mailbox owned by a department and a named leader."""

    __tablename__ = "mailbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(enum_column(MailboxKind, "mailbox_kind"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    leader_name: Mapped[str | None] = mapped_column(String(50))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    intro: Mapped[str | None] = mapped_column(Text)
    real_name_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Its cases may be published (Open311 GET) when the citizen agrees on the form; off until an admin decides.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    department: Mapped[Department] = relationship()

    def __str__(self) -> str:
        return self.name
