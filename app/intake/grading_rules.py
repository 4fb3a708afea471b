"""The administrator's side of the grading rules (app.intake.grading): checking a rule, the default rules,
and how often the rules and the clerks disagreed (overall and per rule, with the cases)."""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.intake.grading import MAX_KEYWORD
from app.intake.grading import MAX_KEYWORDS
from app.intake.grading import SEVERITY
from app.intake.grading import has_condition
from models.audit import AuditAction
from models.audit import AuditEntity
from models.case import Case
from models.enums import Grade
from models.grading import GradeSuggestion
from models.grading import GradingRule

# name, grade, priority, conditions: the district's starting set, edited by the administrator afterwards
DEFAULT_RULES = (
    ("涉及人数30人以上", Grade.RED, 30, {"min_people": 30}),
    ("涉及金额100万元以上", Grade.RED, 30, {"min_amount": Decimal(1_000_000)}),
    ("扬言极端行为", Grade.RED, 40, {"keywords": ["跳楼", "自杀", "自焚", "爆炸", "持刀", "扬言", "轻生"]}),
    ("涉及人数10人以上", Grade.YELLOW, 10, {"min_people": 10}),
    ("涉及金额10万元以上", Grade.YELLOW, 10, {"min_amount": Decimal(100_000)}),
    (
        "群体性诉求或欠薪",
        Grade.YELLOW,
        20,
        {"keywords": ["集体", "上访", "围堵", "讨薪", "欠薪", "拖欠工资"]},
    ),
    ("重复反映2次以上", Grade.YELLOW, 5, {"min_repeats": 2}),
)


def check_rule(rule: GradingRule) -> str | None:
    """Why ``rule`` cannot be saved (a message for the form), or None."""
    if not (rule.name or "").strip():
        return _("Give the rule a name.")
    if not has_condition(rule):
        return _("Set at least one condition: people, amount, keywords, categories or times it came in.")
    if rule.min_people is not None and rule.min_people < 1:
        return _("The number of people must be at least 1.")
    if rule.min_amount is not None and rule.min_amount <= 0:
        return _("The amount must be more than 0 yuan.")
    if rule.min_repeats is not None and rule.min_repeats < 1:
        return _("The number of times it came in before must be at least 1.")
    if len(rule.keywords or ()) > MAX_KEYWORDS:
        return _("At most %(count)s keywords per rule.", count=MAX_KEYWORDS)
    if any(len(word) > MAX_KEYWORD for word in rule.keywords or ()):
        return _("A keyword may have at most %(count)s characters.", count=MAX_KEYWORD)
    return None


def image(rule: GradingRule) -> dict:
    """The audited values of a rule as the trail shows them (lists as one text)."""
    return {
        "name": rule.name,
        "active": bool(rule.active),
        "priority": rule.priority,
        "grade": str(rule.grade) if rule.grade else None,
        "min_people": rule.min_people,
        "min_amount": str(rule.min_amount) if rule.min_amount is not None else None,
        "keywords": "、".join(rule.keywords or ()) or None,
        "categories": "、".join(str(c) for c in rule.categories) or None,
        "min_repeats": rule.min_repeats,
        "note": rule.note,
    }


def record_rule_change(rule: GradingRule, actor, before: dict | None) -> None:
    """Audit a rule's creation (``before`` None) or edit (the caller commits it with the change)."""
    after = image(rule)
    if rule.id is None:
        db.session.flush()  # the audit row names the rule by its id
    if before is None:
        audit.record(AuditEntity.GRADING_RULE, rule.id, AuditAction.CREATE, actor, None, after)
    elif before != after:
        audit.record(AuditEntity.GRADING_RULE, rule.id, AuditAction.UPDATE, actor, before, after)


def seed_default_rules() -> int:
    """Add the default grading rules when there are none (flushed); how many were added."""
    if db.session.scalar(select(GradingRule.id).limit(1)) is not None:
        return 0
    for name, grade, priority, conditions in DEFAULT_RULES:
        db.session.add(GradingRule(name=name, grade=grade, priority=priority, active=True, **conditions))
    db.session.flush()
    return len(DEFAULT_RULES)


@dataclass
class Tally:
    """Suggestions counted over a window: how many, how many the clerk graded otherwise, up or down."""

    total: int = 0
    differed: int = 0
    raised: int = 0
    lowered: int = 0

    @property
    def rate(self) -> float | None:
        """The share that differed (None without suggestions)."""
        return self.differed / self.total if self.total else None

    def add(self, suggested: str, final: str, differed: bool) -> None:
        """Count one suggestion."""
        self.total += 1
        if differed:
            self.differed += 1
            if SEVERITY.get(str(final), 0) > SEVERITY.get(str(suggested), 0):
                self.raised += 1
            else:
                self.lowered += 1


@dataclass
class Disagreement:
    """The figures of one window: overall, per rule (and with no rule matched), and the differing cases."""

    days: int
    overall: Tally = field(default_factory=Tally)
    per_rule: list[tuple[int | None, GradingRule | None, Tally]] = field(default_factory=list)
    cases: list = field(default_factory=list)  # (GradeSuggestion, case number, case title), newest first


def disagreement(now: datetime, days: int, case_limit: int = 50) -> Disagreement:
    """How often the clerks' grades differed from the rules' over the last ``days`` days."""
    since = now - timedelta(days=days)
    figures, per_rule, unmatched = Disagreement(days), {}, Tally()
    rows = db.session.execute(
        select(GradeSuggestion.suggested_grade, GradeSuggestion.final_grade, GradeSuggestion.differed,
               GradeSuggestion.rule_ids).where(GradeSuggestion.created_at >= since)
    ).yield_per(5000)  # fmt: skip
    for suggested, final, differed, rule_ids in rows:
        figures.overall.add(suggested, final, differed)
        for rule_id in rule_ids or ():
            per_rule.setdefault(rule_id, Tally()).add(suggested, final, differed)
        if not rule_ids:
            unmatched.add(suggested, final, differed)
    rules = {
        r.id: r for r in db.session.scalars(select(GradingRule).where(GradingRule.id.in_(list(per_rule))))
    }
    ordered = sorted(per_rule.items(), key=lambda item: (-item[1].differed, item[0]))
    figures.per_rule = [(rule_id, rules.get(rule_id), tally) for rule_id, tally in ordered]
    if unmatched.total:
        figures.per_rule.append((None, None, unmatched))
    figures.cases = db.session.execute(
        select(GradeSuggestion, Case.number, Case.title)
        .join(Case, Case.id == GradeSuggestion.case_id)
        .where(GradeSuggestion.created_at >= since, GradeSuggestion.differed.is_(True))
        .order_by(GradeSuggestion.created_at.desc(), GradeSuggestion.id.desc())
        .limit(case_limit)
    ).all()
    return figures
