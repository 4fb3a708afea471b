"""Discovery, the service list (one service per active level-2 category) and service definitions."""

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.config import public_url
from app.extensions import db
from app.open311.output import Open311Error
from app.open311.output import clean_id
from app.open311.output import respond
from app.org import refcache
from models.enums import RequestType
from models.org import Category

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the discovery document or the shape of the service definitions last changed (sortable).
CHANGESET = "2026-12-02T00:00:00+08:00"
PEOPLE_MAX = 100000
MONEY_MAX = 10**11


def _services_query():
    group = aliased(Category)
    return (
        select(Category, group)
        .join(group, Category.parent_id == group.id)
        .where(Category.active.is_(True), group.active.is_(True))
        .order_by(group.sort_order, group.id, Category.sort_order, Category.id)
    )


def find_service(code: str | None) -> Category | None:
    """The active level-2 category whose code is ``code`` (its group active too), or None."""
    code = clean_id(code)
    if code is None:
        return None
    row = db.session.execute(_services_query().where(Category.code == code)).first()
    return row[0] if row else None


def service_id(code: str | None) -> int | None:
    """The id of the category :func:`find_service` would return, from the process cache (app.org.refcache)."""
    code = clean_id(code)
    return None if code is None else refcache.snapshot().services.get(code)


def _service(category: Category, group: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{group.name} / {category.name}",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([category.name, group.name])),
        "group": group.name,
    }


def attributes() -> list[dict]:
    """The attributes every service takes: request type (required), people and money involved, and whether
    the citizen agreed to publication (absent: no)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        values = [{"key": key, "name": str(label)} for key, label in RequestType.choices()]
    return [
        {
            "variable": True,
            "code": "request_type",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": "从列表中选择一项",
            "order": 1,
            "description": "诉求类型",
            "values": values,
        },
        {
            "variable": True,
            "code": "people_involved",
            "datatype": "number",
            "required": False,
            "datatype_description": f"1 至 {PEOPLE_MAX} 的整数",
            "order": 2,
            "description": "涉及人数",
        },
        {
            "variable": True,
            "code": "money_involved",
            "datatype": "number",
            "required": False,
            "datatype_description": "金额（元），最多两位小数，例如 1234.50",
            "order": 3,
            "description": "涉及金额（元）",
        },
        {
            "variable": True,
            "code": "publication_consent",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "群众是否同意公示；不传即为不同意",
            "order": 4,
            "description": "同意在公开平台上公示本诉求（姓名、电话等个人信息不会公开）",
            "values": [{"key": "true", "name": "同意公示"}, {"key": "false", "name": "不同意公示"}],
        },
    ]


def discovery():
    """Where the endpoint is, what it speaks, whom to ask for a key."""
    config = current_app.config
    return respond(
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": config.get("OPEN311_CONTACT", "Contact the district office's 12345 hotline desk."),
            "key_service": config.get(
                "OPEN311_KEY_SERVICE",
                "API keys are issued by the district office's administrators (Settings > API keys).",
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": public_url("/open311/v2"),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def services():
    """Every active level-2 category, grouped by its level-1 category."""
    rows = db.session.execute(_services_query()).all()
    return respond("services", [_service(category, group) for category, group in rows])


def service_definition(service_code: str):
    """The attributes a request for this service takes."""
    if find_service(service_code) is None:
        raise Open311Error(404, f"service_code '{service_code[:64]}' was not found")
    return respond("service_definition", {"service_code": service_code, "attributes": attributes()})
