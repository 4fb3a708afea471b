"""Planning the demo's 领导批示 and 督办单: which cases get one, when, and how each addressed department answers.

An order is issued after the case's final dispatch and, on a finished case, before its first reply. Most
parts are answered on time and accepted; some are answered late, some sent back once and answered again;
on recent cases a few are still open (some past their due time, some answered and awaiting the check).
A case carries one order at a time (the twice-supervised case's second comes after the first closed), so
each answer step finds its part. The steps are added to the plans (:mod:`app.demo.moments`); the runner
takes them through the state machine.
"""

from datetime import timedelta
from types import SimpleNamespace

from app.deadlines.policies import choose_policy
from app.deadlines.workcalendar import compute_due
from app.demo import command_texts as texts
from app.demo.moments import DAY
from app.demo.moments import HOUR
from app.demo.moments import MINUTE
from app.demo.moments import OPEN_HANDLED
from app.demo.moments import STREET_LEADERS
from app.demo.moments import AnsweredPart
from app.demo.moments import add
from app.demo.moments import fits
from app.demo.moments import is_open_case
from app.demo.moments import milestones
from app.demo.moments import office
from app.org.tree import default_lead_department
from models.command import SupervisionLevel
from models.deadline import Stage
from models.enums import DepartmentKind
from models.enums import Grade

INSTRUCTIONS_PER_CASE = 0.05  # about 50 in 1000 cases
SUPERVISIONS_PER_CASE = 0.035
OPEN_SHARE = 0.12  # of the orders, still open at ``now`` (on recent cases)
RECENT = timedelta(days=25)
OPEN_CASE_WEIGHT = 50  # an open order is on a case still being handled, rarely on one closed since
OUTCOMES = {"on_time": 66, "late": 18, "returned": 16}
LEADER_WEIGHTS = {"leader_chief": 2, "leader": 4, "leader_deputy": 4}
ON_BEHALF = 0.25  # instructions a supervisor writes on a leader's behalf
JOINT = 0.3  # instructions addressed to a second department as well
EXPLICIT_DUE = 0.3  # orders given their own due time instead of the policy's
LISTED_SHARE = (
    0.06  # 督办 levels besides the red and repeated cases': 挂牌 (four times as often on red key cases) …
)
KEY_SHARE = 0.3  # … and 重点 (cumulative)


def weighted_sample(rng, items: list, weights: list, k: int) -> list:
    """``k`` distinct items drawn by weight (Efraimidis–Spirakis keys), in draw order."""
    keyed = sorted(((rng.random() ** (1 / w), i) for i, w in enumerate(weights) if w > 0), reverse=True)
    return [items[i] for _key, i in keyed[:k]]


class OrderPlanner:
    """Adds 批示 and 督办单 steps to the plans; ``taken`` holds the indexes of plans that carry an order."""

    def __init__(self, rng, org, now):
        self.rng, self.org, self.now = rng, org, now
        self.supervisor = org.users["supervisor"]
        self.taken: set[int] = set()
        self.counts = {"instructions": 0, "supervisions": 0}

    def plan(self, plans: list) -> dict:
        """Plan the orders of ``plans``; how many of each kind."""
        pool = [(p, m) for p in plans if (m := milestones(p, self.now)) and m.signed is not None]
        n = len(plans)
        self._orders(pool, "instruct", round(n * INSTRUCTIONS_PER_CASE), self._instruction_weight)
        self._twice_supervised(pool)
        self._orders(pool, "supervise", round(n * SUPERVISIONS_PER_CASE), self._supervision_weight)
        return self.counts

    # -- choosing the cases ------------------------------------------------------------------------------

    def _instruction_weight(self, p, m) -> float:
        mailbox = p.fields.get("mailbox")
        weight = {Grade.RED: 8, Grade.YELLOW: 3}.get(p.grade, 1) * fits(p)
        weight *= 3 if mailbox is not None and mailbox.slug in ("sjzx", "qzxx") else 1
        return weight * (2 if p.fields.get("is_key") else 1)

    def _supervision_weight(self, p, m) -> float:
        slow = m.handled_until - m.dispatch >= timedelta(days=3)
        weight = (4 if slow else 0.5) * fits(p)
        weight *= {Grade.RED: 3, Grade.YELLOW: 2}.get(p.grade, 1)
        return weight * (3 if p.duplicate == "repeat" else 1)

    def _orders(self, pool, action: str, count: int, weight) -> None:
        free = [(p, m) for p, m in pool if p.index not in self.taken]
        recent = [(p, m) for p, m in free if p.received_at >= self.now - RECENT]
        n_open = min(len(recent), max(3, round(count * OPEN_SHARE)))
        opened = weighted_sample(
            self.rng,
            recent,
            [(OPEN_CASE_WEIGHT if is_open_case(p) else 1) * fits(p) for p, _m in recent],
            n_open,
        )
        opened.sort(key=lambda pm: pm[0].received_at)  # the oldest are past their due time by now
        used = {p.index for p, _m in opened}
        rest = [(p, m) for p, m in free if p.index not in used]
        chosen = weighted_sample(self.rng, rest, [weight(p, m) for p, m in rest], max(0, count - n_open))
        for k, (p, m) in enumerate(opened):
            outcome = ("open_overdue", "open_answered", "open_fresh")[min(2, 3 * k // max(1, len(opened)))]
            self._order(p, m, action, outcome, level=self._level(p, k, action))
        outcomes = list(OUTCOMES)
        for k, (p, m) in enumerate(chosen):
            outcome = outcomes[k] if k < len(outcomes) else self._draw(OUTCOMES)
            self._order(p, m, action, outcome, level=self._level(p, n_open + k, action))

    def _level(self, p, k: int, action: str):
        """The level of a 督办: the first three cover every level, then by the case."""
        if action != "supervise":
            return None
        if k < len(SupervisionLevel):
            return tuple(SupervisionLevel)[-1 - k]
        draw = self.rng.random()
        grave = p.grade == Grade.RED and p.fields.get("is_key")
        if draw < (LISTED_SHARE * 4 if grave else LISTED_SHARE):
            return SupervisionLevel.LISTED
        if p.grade == Grade.RED or p.duplicate == "repeat" or draw < KEY_SHARE:
            return SupervisionLevel.KEY
        return SupervisionLevel.GENERAL

    def _twice_supervised(self, pool) -> None:
        """One long-running case supervised twice: asked as 一般 again, the second order is 重点 by itself."""
        spans = [(m.handled_until - m.dispatch, p.index, p, m) for p, m in pool
                 if p.index not in self.taken and fits(p) == 1]  # fmt: skip
        long = [s for s in spans if s[0] >= timedelta(days=4)]
        if not long:
            return
        span, _index, p, m = max(long)
        second = m.dispatch + span * 0.55
        self._order(p, m, "supervise", "on_time", level=SupervisionLevel.GENERAL, at=(m.dispatch, second),
                    until=second)  # fmt: skip
        self.taken.discard(p.index)
        self._order(p, m, "supervise", "late", level=SupervisionLevel.GENERAL, at=(second, m.handled_until),
                    wording=SupervisionLevel.KEY)  # fmt: skip

    # -- one order -----------------------------------------------------------------------------------------

    def _order(self, p, m, action: str, outcome: str, level=None, at=None, until=None, wording=None) -> None:
        """Issue one order on ``p`` early in ``at`` (default: from the dispatch to the first reply) and have
        each addressed department answer as ``outcome`` says (the whole exchange over by ``until``)."""
        rng = self.rng
        lo, hi = at or (m.dispatch, m.handled_until)
        if outcome == "open_fresh" and p.status in OPEN_HANDLED:
            lo, hi = max(lo, m.end - 30 * HOUR), m.end - 2 * HOUR
        else:
            hi = lo + (hi - lo) * (0.45 if at is None else 0.3)
        issue = office(rng, p, lo + 10 * MINUTE, max(lo + 10 * MINUTE, hi))
        if issue > m.end:
            return
        self.taken.add(p.index)
        departments = self._departments(p, action)
        names = {"dept": departments[0].name, "partner": departments[-1].name}
        if action == "instruct":
            phrases = texts.JOINT_INSTRUCTIONS if len(departments) > 1 else texts.INSTRUCTIONS
            if p.template.people and (p.fields.get("people_involved") or 0) >= 10:
                phrases = (texts.GROUP_INSTRUCTION,)
            params = self._instructor(p)
            self.counts["instructions"] += 1
        else:
            phrases = texts.SUPERVISIONS[wording or level]
            params = {"actor": self.supervisor, "level": level}
            self.counts["supervisions"] += 1
        due = self._due(p, action, issue, explicit=rng.random() < EXPLICIT_DUE)
        actor = params.pop("actor")
        add(p, issue, action, actor, content=rng.choice(phrases).format(**names), departments=departments,
            due_date=due[1], **params)  # fmt: skip
        for k, department in enumerate(departments):
            part = outcome if k == 0 else self._partner_outcome(outcome)
            self._answer(p, m, department, issue, due[0], part, until)

    def _partner_outcome(self, outcome: str) -> str:
        if outcome == "returned":
            return "on_time"
        return outcome if outcome.startswith("open") or self.rng.random() < 0.7 else "on_time"

    def _instructor(self, p) -> dict:
        """Who writes the instruction: a district leader (the street's leader for some street cases), himself
        or through the supervisor."""
        rng, users = self.rng, self.org.users
        street = STREET_LEADERS.get(p.fields["street"].code)
        if street is not None and rng.random() < 0.25:
            leader = users[street]
        else:
            leader = users[self._draw(LEADER_WEIGHTS)]
        if rng.random() < ON_BEHALF:
            return {"actor": self.supervisor, "on_behalf_of": leader}
        return {"actor": leader}

    def _departments(self, p, action: str) -> list:
        """The lead department, and for some instructions a second one: the bureau of the category for a
        street's case, the street for a bureau's."""
        lead = p.lead
        if action != "instruct" or self.rng.random() >= JOINT:
            return [lead]
        if lead.kind == DepartmentKind.BUREAU:
            partner = p.fields["street"]
        else:
            partner = default_lead_department(p.fields["category"]) or self.org.departments["ZSJ"]
        return [lead] if partner is None or partner is lead else [lead, partner]

    def _due(self, p, action: str, issue: timedelta, explicit: bool) -> tuple:
        """(the due offset, the ``due_date`` to pass: None for the policy's default, else a datetime)."""
        stage = Stage.INSTRUCTION if action == "instruct" else Stage.SUPERVISION
        start = p.received_at + issue
        if explicit:
            days = 1 if p.grade == Grade.RED else self.rng.choice((2, 5))
            due = compute_due(start, days, "working_days")[0]
            return due - p.received_at, due
        fields = p.fields
        like = SimpleNamespace(grade=fields["grade"], mailbox_id=getattr(fields["mailbox"], "id", None),
                               request_type=fields["request_type"], category=fields["category"],
                               category_id=fields["category"].id)  # fmt: skip
        policy = choose_policy(like, stage)
        amount, unit = (policy.amount, str(policy.unit)) if policy else (3, "working_days")
        return compute_due(start, amount, unit)[0] - p.received_at, None

    # -- the answers ---------------------------------------------------------------------------------------

    def _answer(self, p, m, department, issue, due, outcome: str, until=None) -> None:
        """The department's answer, the supervisor's check, a return and a second answer, as ``outcome``
        says; a step that would fall after ``now`` is not taken (the part stays open). With ``until``, the
        exchange is over by then (answered in time)."""
        rng, end = self.rng, m.end
        handler = self.org.handler(department)
        if outcome in ("open_overdue", "open_fresh"):
            return
        if until is not None:
            answer = office(rng, p, issue + HOUR, issue + (until - issue) * 0.5)
            check = office(rng, p, answer + HOUR, max(answer + HOUR, until - 10 * MINUTE))
        elif outcome == "late":
            answer = office(rng, p, due + 2 * HOUR, due + 3 * DAY)
        else:
            latest = max(min(due, max(m.handled_until, issue + 4 * HOUR)) - 10 * MINUTE, issue + HOUR)
            answer = office(rng, p, issue + HOUR, latest)
        if answer > end:
            return
        add(p, answer, "answer_order", handler, text=rng.choice(texts.ANSWERS))
        if outcome == "open_answered":
            return
        if until is None:
            check = office(rng, p, answer + HOUR, answer + 30 * HOUR)
        if outcome == "returned":
            if check > end:
                return
            add(p, check, "return_order", self.supervisor, target=AnsweredPart(department),
                reason=rng.choice(texts.RETURNS))  # fmt: skip
            again = office(rng, p, check + 3 * HOUR, check + 2 * DAY)
            if again > end:
                return
            add(p, again, "answer_order", handler, text=rng.choice(texts.SECOND_ANSWERS))
            check = office(rng, p, again + HOUR, again + DAY)
        if check <= end:
            add(p, check, "accept_order", self.supervisor, target=AnsweredPart(department),
                note=rng.choice(texts.ACCEPT_NOTES))  # fmt: skip

    def _draw(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]
