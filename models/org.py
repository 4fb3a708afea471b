"""The organisation tree: district → street → community → station, plus bureaus."""

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from models.enums import DEPARTMENT_KIND_LABELS
from models.enums import DepartmentKind
from models.enums import enum_column

# Which kind of unit may sit under which; the district is the root.
ALLOWED_PARENT_KINDS = {
    DepartmentKind.DISTRICT: (None,),
    DepartmentKind.STREET: (DepartmentKind.DISTRICT,),
    DepartmentKind.BUREAU: (DepartmentKind.DISTRICT,),
    DepartmentKind.COMMUNITY: (DepartmentKind.STREET,),
    DepartmentKind.STATION: (DepartmentKind.STREET, DepartmentKind.COMMUNITY),
}


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

    parent: Mapped["Department | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Department"]] = relationship(back_populates="parent")

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self):
        """Translated kind name."""
        return DEPARTMENT_KIND_LABELS.get(self.kind, self.kind)

    def structure_error(self, parent: "Department | None"):
        """Return why ``parent`` cannot be this unit's parent, or None when it can."""
        from flask_babel import gettext as _

        allowed = ALLOWED_PARENT_KINDS.get(DepartmentKind(self.kind), ())
        parent_kind = DepartmentKind(parent.kind) if parent is not None else None
        if parent_kind not in allowed:
            return _("A unit of this kind cannot sit under the chosen parent.")
        if parent is not None and self.id is not None:
            if parent.id == self.id or (self.path and parent.path.startswith(self.path)):
                return _("A unit cannot sit under itself or under one of its own sub-units.")
        return None

    def is_within(self, ancestor: "Department") -> bool:
        """True when this unit is ``ancestor`` or lies below it."""
        return bool(ancestor.path) and self.path.startswith(ancestor.path)


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
