"""Grading rules (分级): the grade an office's rules suggest for a new case, with the reasons.

A rule matches when every condition it sets holds: people involved, money involved (yuan), any of its
keywords in the title or content (NFKC, blanks and letter case ignored), its categories (a level-1 category
also covers its level-2 ones), the times the matter came in before. The most severe grade among the
matching rules wins (red over yellow over green); every rule giving that grade adds its reason. Citizens'
cases take the suggestion as their grade; a clerk may choose another, but only with the reason, which is
kept with the suggestion (and counted on the admin's disagreement page, app.intake.grading_rules).
"""

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.staff_intake import IntakeRefusal
from app.extensions import db
from app.i18n import office_language
from app.org import refcache
from app.validators import visible_text
from models.case import Case
from models.enums import STAFF_INTAKE_CHANNELS
from models.enums import Grade
from models.grading import GradeSuggestion
from models.grading import GradingRule
from models.grading import grading_rule_category
from models.org import Category

SEVERITY = {Grade.GREEN.value: 0, Grade.YELLOW.value: 1, Grade.RED.value: 2}
KEYWORD_SEPARATORS = re.compile(r"[\n\r,，、;；]+")
MAX_KEYWORD = 50
MAX_KEYWORDS = 100


@dataclass
class Verdict:
    """A suggested grade, the reasons (in the office's language) and the rules that gave them."""

    grade: str = Grade.GREEN
    reasons: list[str] = field(default_factory=list)
    rule_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class RuleRecord:
    """An active rule as matching reads it (keywords already normalised)."""

    id: int
    name: str
    grade: str
    priority: int
    min_people: int | None
    min_amount: Decimal | None
    keywords: tuple[str, ...]
    category_ids: frozenset[int]
    min_repeats: int | None


def normalise(text: str | None) -> str:
    """``text`` as keywords are compared: NFKC (full-width letters and digits), case-folded, no blanks."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def parse_keywords(text: str | None) -> list[str]:
    """The keywords typed one per line or separated by 、 or commas: NFKC, invisible characters removed,
    blanks dropped, duplicates once."""
    words = (
        visible_text(unicodedata.normalize("NFKC", part)) for part in KEYWORD_SEPARATORS.split(text or "")
    )
    return list(dict.fromkeys(word for word in words if word))


def active_rules() -> list[RuleRecord]:
    """The rules in force, with their categories, in one query."""
    rows = db.session.execute(
        select(GradingRule, grading_rule_category.c.category_id)
        .outerjoin(grading_rule_category, grading_rule_category.c.rule_id == GradingRule.id)
        .where(GradingRule.active.is_(True))
        .order_by(GradingRule.priority.desc(), GradingRule.id)
    ).all()
    rules: dict[int, tuple[GradingRule, set[int]]] = {}
    for rule, category_id in rows:
        ids = rules.setdefault(rule.id, (rule, set()))[1]
        if category_id is not None:
            ids.add(category_id)
    return [
        RuleRecord(
            rule.id,
            rule.name,
            str(rule.grade),
            rule.priority or 0,
            rule.min_people,
            Decimal(rule.min_amount) if rule.min_amount is not None else None,
            tuple(k for k in (normalise(w) for w in rule.keywords or ()) if k),
            frozenset(ids),
            rule.min_repeats,
        )
        for rule, ids in rules.values()
    ]


def _plain(amount: Decimal) -> str:
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def yuan(amount) -> str:
    """An amount of money as the office writes it: 万元 from ten thousand up, else 元."""
    amount = Decimal(amount)
    if amount >= 10000:
        return _("%(amount)s ten thousand yuan", amount=_plain(amount / 10000))
    return _("%(amount)s yuan", amount=_plain(amount))


def has_condition(rule) -> bool:
    """Whether a rule sets any condition at all."""
    return any(
        (rule.min_people is not None, rule.min_amount is not None, bool(rule.keywords),
         bool(getattr(rule, "category_ids", None) or getattr(rule, "categories", None)), rule.min_repeats is not None)
    )  # fmt: skip


def _conditions(rule: RuleRecord, case: Case, text: str, parents, repeat_count: int) -> list[str] | None:
    """Why ``rule`` matches ``case`` (one phrase per condition it sets), or None when it does not."""
    if not has_condition(rule):
        return None  # a rule without conditions suggests nothing
    why = []
    if rule.min_people is not None:
        if case.people_involved is None or case.people_involved < rule.min_people:
            return None
        why.append(_("%(count)s people involved (%(least)s or more)", count=case.people_involved,
                     least=rule.min_people))  # fmt: skip
    if rule.min_amount is not None:
        if case.money_involved is None or Decimal(case.money_involved) < rule.min_amount:
            return None
        why.append(_("money involved %(amount)s (%(least)s or more)", amount=yuan(case.money_involved),
                     least=yuan(rule.min_amount)))  # fmt: skip
    if rule.keywords:
        found = [word for word in rule.keywords if word in text]
        if not found:
            return None
        why.append(_("the title or content mentions “%(words)s”", words="、".join(found)))
    if rule.category_ids:
        if (
            case.category_id not in rule.category_ids
            and parents.get(case.category_id) not in rule.category_ids
        ):
            return None
        category = db.session.get(Category, case.category_id)
        why.append(_("category %(name)s", name=str(category)))
    if rule.min_repeats is not None:
        if repeat_count < rule.min_repeats:
            return None
        why.append(_("came in %(count)s times before (%(least)s or more)", count=repeat_count,
                     least=rule.min_repeats))  # fmt: skip
    return why


def grade_label(grade) -> str:
    """The label of a grade code."""
    member = Grade._value2member_map_.get(str(grade))
    return str(member.label) if member is not None else str(grade)


def suggest(case: Case, repeat_count: int = 0) -> Verdict:
    """The grade the active rules suggest for ``case`` (nothing written)."""
    text = normalise(f"{case.title or ''}\n{case.content or ''}")
    parents = refcache.snapshot().parents if case.category_id is not None else {}
    matches = []
    with office_language():
        for rule in active_rules():
            why = _conditions(rule, case, text, parents, repeat_count)
            if why is not None:
                reason = _("Rule “%(name)s” suggests %(grade)s: %(why)s.", name=rule.name,
                           grade=grade_label(rule.grade), why="，".join(why))  # fmt: skip
                matches.append((rule, reason))
    if not matches:
        return Verdict(Grade.GREEN)
    grade = max((rule.grade for rule, _reason in matches), key=SEVERITY.__getitem__)
    chosen = [(rule, reason) for rule, reason in matches if rule.grade == grade]
    return Verdict(Grade(grade), [reason for _rule, reason in chosen], [rule.id for rule, _reason in chosen])


def _differs(case: Case, suggested) -> bool:
    return str(case.grade or Grade.GREEN) != str(suggested)


def _refusal(chosen, suggested) -> IntakeRefusal:
    return IntakeRefusal(
        _(
            "The grading rules suggest %(suggested)s, you chose %(chosen)s: give the reason for the "
            "different grade, or choose the suggested one.",
            suggested=grade_label(suggested),
            chosen=grade_label(chosen),
        ),
        "grade_reason",
    )


def check_choice(case: Case, verdict: Verdict) -> None:
    """Refuse (``IntakeRefusal``) a clerk's grade that differs from the suggestion without a reason."""
    if case.grade is None:
        case.grade = Grade.GREEN
    if _differs(case, verdict.grade) and not visible_text(case.grade_reason):
        raise _refusal(case.grade, verdict.grade)


def _reason(case: Case, differed: bool) -> str | None:
    return (visible_text(case.grade_reason)[:255] or None) if differed else None


def record(case: Case, verdict: Verdict, now: datetime) -> None:
    """Keep the suggestion, and the clerk's different choice with its reason, for the opened case."""
    differed = _differs(case, verdict.grade)
    staff = case.channel in STAFF_INTAKE_CHANNELS
    db.session.add(
        GradeSuggestion(
            case_id=case.id,
            suggested_grade=verdict.grade,
            reasons=list(verdict.reasons),
            rule_ids=list(verdict.rule_ids),
            final_grade=case.grade or Grade.GREEN,
            differed=differed,
            clerk_reason=_reason(case, differed),
            decided_by_id=case.created_by_id if staff else None,
            decided_at=now,
            created_at=now,
        )
    )
    db.session.flush()


def suggestion_of(case_id: int) -> GradeSuggestion | None:
    """The grade suggestion kept for a case, if any (cases from before the rules have none)."""
    return db.session.scalar(select(GradeSuggestion).where(GradeSuggestion.case_id == case_id))


def record_change(case: Case, actor, now: datetime) -> None:
    """After an edit of a case: keep its new grade and the reason on its suggestion; a grade changed to one the
    rules did not suggest needs the reason (``IntakeRefusal``)."""
    row = suggestion_of(case.id) if case.id is not None else None
    if row is None:
        return
    differed = _differs(case, row.suggested_grade)
    reason = _reason(case, differed)
    changed = str(case.grade) != str(row.final_grade)
    if changed and differed and reason is None:
        raise _refusal(case.grade, row.suggested_grade)
    if not changed and (row.differed, row.clerk_reason) == (differed, reason):
        return
    row.final_grade, row.differed, row.clerk_reason = case.grade, differed, reason
    row.decided_by_id, row.decided_at = getattr(actor, "id", None), now
