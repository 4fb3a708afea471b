"""Rules of the organisation tree and the category catalogue: what may sit under what, which community
lies in which street, and who leads a category by default."""

from flask_babel import gettext as _

from models.enums import DepartmentKind
from models.org import Category
from models.org import Department

# Which kind of unit may sit under which; the district is the root.
ALLOWED_PARENT_KINDS = {
    DepartmentKind.DISTRICT: (None,),
    DepartmentKind.STREET: (DepartmentKind.DISTRICT,),
    DepartmentKind.BUREAU: (DepartmentKind.DISTRICT,),
    DepartmentKind.COMMUNITY: (DepartmentKind.STREET,),
    DepartmentKind.STATION: (DepartmentKind.STREET, DepartmentKind.COMMUNITY),
}


def department_placement_refusal(department: Department, parent: Department | None) -> str | None:
    """Why ``parent`` cannot be the unit's parent, or None when it can."""
    allowed = ALLOWED_PARENT_KINDS.get(DepartmentKind(department.kind), ())
    parent_kind = DepartmentKind(parent.kind) if parent is not None else None
    if parent_kind not in allowed:
        return _("A unit of this kind cannot sit under the chosen parent.")
    if parent is not None and department.id is not None:
        if parent.id == department.id or (department.path and parent.path.startswith(department.path)):
            return _("A unit cannot sit under itself or under one of its own sub-units.")
    return None


def category_placement_refusal(category: Category, parent: Category | None) -> str | None:
    """Why ``parent`` is not allowed for the category (the catalogue has two levels), or None."""
    if parent is None:
        return None
    if parent.parent_id is not None:
        return _("The catalogue has two levels: a parent must be a top-level category.")
    if category.id is not None and (parent.id == category.id or category.children):
        return _("A category that has sub-categories cannot itself be placed under another.")
    return None


def default_lead_department(category: Category | None) -> Department | None:
    """The department that leads cases of ``category`` by default: its own, else its parent's."""
    if category is None:
        return None
    if category.default_department is not None:
        return category.default_department
    return category.parent.default_department if category.parent is not None else None


def place_refusal(street: Department | None, community: Department | None) -> str | None:
    """Why a case cannot be placed in this street and community (the community must lie in the street)."""
    if street is not None and community is not None and community.parent_id != street.id:
        return _("This community is not in the chosen street.")
    return None
