"""标准用语: the reply templates offered for a case, their placeholders filled in, and the default set.

A case is offered the active templates of its own category first, then those of its level-1 category, then
the general ones, each group in its sort order. :func:`render` fills the placeholders as plain text; the page
escapes it where it is shown (a data attribute, a textarea), never this module. The placeholders:

- ``{称呼}`` the citizen's name with 同志 (张三同志); a name the citizen gave with an honorific (王女士,
  李先生) as given; 市民朋友 when the case is anonymous;
- ``{编号}`` the case number; ``{标题}`` its title;
- ``{承办单位}`` the lead department's name, or the office's (the top of the department tree) when the
  case has none, e.g. a case answered on the spot;
- ``{日期}`` today's date in Beijing, written the Chinese way (2026年3月5日).
"""

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import utcnow
from models.audit import AuditAction
from models.audit import AuditEntity
from models.enums import RequestType
from models.org import Category
from models.org import Department
from models.wording import DirectAnswerScope
from models.wording import ReplyTemplate

PLACEHOLDERS = ("称呼", "编号", "标题", "承办单位", "日期")
HONORIFICS = ("同志", "先生", "女士", "老师", "师傅")
ANONYMOUS = "市民朋友"
TEMPLATE_ENTITY = AuditEntity.REPLY_TEMPLATE  # the audit trail's code for a template
TEMPLATE_AUDITED = ("title", "category", "body", "active", "sort_order")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class RenderedTemplate:
    """A template as offered for one case: its id, title and filled-in text."""

    id: int
    title: str
    text: str


def templates_for(case) -> list[ReplyTemplate]:
    """The active templates for ``case``: its category's, its level-1 category's, then general ones."""
    category = case.category
    ranks = {}
    if category is not None:
        ranks[category.id] = 0
        if category.parent_id is not None:
            ranks[category.parent_id] = 1
    rows = db.session.scalars(
        select(ReplyTemplate).where(
            ReplyTemplate.active.is_(True),
            or_(ReplyTemplate.category_id.is_(None), ReplyTemplate.category_id.in_(list(ranks))),
        )
    )
    return sorted(rows, key=lambda t: (ranks.get(t.category_id, 2), t.sort_order or 0, t.id))


def salutation(case) -> str:
    """How the reply addresses the citizen (``{称呼}``)."""
    name = (case.citizen_name or "").strip()
    if not name:
        return ANONYMOUS
    return name if name.endswith(HONORIFICS) else f"{name}同志"


def office_name(case) -> str:
    """Who answers (``{承办单位}``): the lead department, else the office at the top of the tree."""
    if case.lead_department is not None:
        return case.lead_department.name
    top = db.session.scalar(
        select(Department.name).where(Department.parent_id.is_(None)).order_by(Department.path).limit(1)
    )
    return top or ""


def chinese_date(day: date) -> str:
    """A date written the Chinese way: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def values_for(case, today: date | None = None) -> dict[str, str]:
    """Each placeholder's text for ``case``."""
    return {
        "称呼": salutation(case),
        "编号": case.number or "",
        "标题": case.title or "",
        "承办单位": office_name(case),
        "日期": chinese_date(today or local_day(utcnow())),
    }


def render(template: ReplyTemplate, case, today: date | None = None, values: dict | None = None) -> str:
    """The template's body with its placeholders filled for ``case`` (plain text, not escaped)."""
    values = values if values is not None else values_for(case, today)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.body or "")


def choices_for(case) -> list[RenderedTemplate]:
    """The templates for ``case``, rendered, for the picker beside a reply's text."""
    values = values_for(case)
    return [RenderedTemplate(t.id, t.title, render(t, case, values=values)) for t in templates_for(case)]


# --- the settings page's rules -------------------------------------------------------------------------


def unknown_placeholders(body: str) -> list[str]:
    """The ``{…}`` names in ``body`` that are no placeholder, in order of appearance, once each."""
    found = [name for name in _PLACEHOLDER.findall(body or "") if name not in PLACEHOLDERS]
    return list(dict.fromkeys(found))


def placeholder_refusal(body: str | None) -> str | None:
    """Why ``body`` cannot be a template's text because of its placeholders (naming the allowed ones), or
    None."""
    if unknown := unknown_placeholders(body or ""):
        return _(
            "Unknown placeholders: %(unknown)s. Allowed: %(allowed)s.",
            unknown="、".join(f"{{{name}}}" for name in unknown),
            allowed=" ".join(f"{{{name}}}" for name in PLACEHOLDERS),
        )
    return None


def check_template(template: ReplyTemplate) -> str | None:
    """Why the template cannot be saved as it is, or None: a title, a text, and only known placeholders."""
    if not (template.title or "").strip():
        return _("Give the template a title.")
    if not (template.body or "").strip():
        return _("Write the text of the template.")
    return placeholder_refusal(template.body)


def template_snapshot(template: ReplyTemplate) -> dict:
    """The audited image of a template (its category by name); take it before an edit is applied."""
    return audit.snapshot(template, TEMPLATE_AUDITED)


def record_template_change(template: ReplyTemplate, actor, before: dict | None, created: bool) -> None:
    """Audit a template's creation or edit against ``before`` (the caller commits it with the change)."""
    audit.record_change(TEMPLATE_ENTITY, template, TEMPLATE_AUDITED, actor, created, before)


def record_template_deletion(template: ReplyTemplate, actor) -> None:
    """Audit a template's deletion (the caller commits it with the deletion)."""
    before = template_snapshot(template)
    audit.record(TEMPLATE_ENTITY, template.id, AuditAction.DELETE, actor, before, None)


# --- the default set -----------------------------------------------------------------------------------

_SIGNATURE = "\n{承办单位}\n{日期}"
# (title, level-1 category code or None for general, sort order, body)
DEFAULT_TEMPLATES = (
    ("受理告知", None, 10,
     "{称呼}：您好！您反映的“{标题}”（编号：{编号}）已收悉，现由{承办单位}负责办理，我们将在规定时限内"
     "给您答复，您可凭查询码随时查看办理进度。感谢您的理解和支持！" + _SIGNATURE),
    ("咨询答复", None, 20,
     "{称呼}：您好！关于您咨询的“{标题}”（编号：{编号}），现答复如下：（在此写明政策依据和办理指引，"
     "如办理地点、所需材料、办理时限）。如仍有疑问，欢迎拨打 12345 热线咨询。感谢您的来电！" + _SIGNATURE),
    ("城市管理类答复", "CSGL", 10,
     "{称呼}：您好！您反映的“{标题}”（编号：{编号}）收悉。{承办单位}已安排执法人员到现场核查处置："
     "（在此写明核查情况和处置结果）。我们将加强该区域的日常巡查，防止问题反弹。感谢您对城市管理工作的"
     "支持！" + _SIGNATURE),
    ("劳动保障类答复", "LDSB", 10,
     "{称呼}：您好！您反映的“{标题}”（编号：{编号}）收悉。经{承办单位}调查核实：（在此写明调查情况）。"
     "根据《中华人民共和国劳动合同法》《保障农民工工资支付条例》等规定，（在此写明处理意见）。如对处理"
     "结果有异议，可依法向劳动人事争议仲裁委员会申请仲裁。" + _SIGNATURE),
    ("不予支持说明", None, 30,
     "{称呼}：您好！您反映的“{标题}”（编号：{编号}）收悉。经{承办单位}核实，（在此写明核实情况）。根据"
     "（在此写明政策依据），您的诉求暂不符合相关规定，无法予以支持，敬请理解。如有新的情况，欢迎再次"
     "反映。" + _SIGNATURE),
    ("办结告知", None, 40,
     "{称呼}：您好！您反映的“{标题}”（编号：{编号}）已办理完毕，办理结果如下：（在此写明办理结果）。"
     "请您对我们的办理情况作出评价，您的意见是我们改进工作的动力。" + _SIGNATURE),
)  # fmt: skip


def seed_defaults() -> dict[str, int]:
    """Add the default 即接即办 scope (咨询) and 标准用语 when their tables are empty (flushed); a
    template of a category this district lacks is left out. Returns how many of each were added."""
    added = {"scopes": 0, "templates": 0}
    if db.session.scalar(select(DirectAnswerScope.id).limit(1)) is None:
        db.session.add(DirectAnswerScope(request_type=RequestType.CONSULT, note="咨询类诉求可当场答复"))
        added["scopes"] = 1
    if db.session.scalar(select(ReplyTemplate.id).limit(1)) is None:
        codes = {code for title, code, order, body in DEFAULT_TEMPLATES if code}
        categories = {c.code: c for c in db.session.scalars(select(Category).where(Category.code.in_(codes)))}
        for title, code, order, body in DEFAULT_TEMPLATES:
            if code is not None and code not in categories:
                continue
            db.session.add(
                ReplyTemplate(title=title, category=categories.get(code), body=body, sort_order=order)
            )
            added["templates"] += 1
    db.session.flush()
    return added
