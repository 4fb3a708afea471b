"""Planning the demo's 包案, leaders' visits, 销案, 提级 and 降级.

Half the red cases go into a leader's hands soon after their dispatch, at the level that fits the case: the
bureau's own leader for a case of 区住房和建设局, the street's leader for a case of 马田 or 公明, otherwise a
区分管领导 (the gravest by the 区主要领导 himself); a few yellow key cases too, so every level is present. A
few leaders meet the citizen (接访, 下访). Most cases closed a while ago are settled (销案); recent ones
often not yet, and one at least never was. Some cases are raised (提级) to the street or the district with a
leader of that rank taking them in hand: the handler drafts the reply and the leader signs it (one raised
case still waits for the leader's signature); one case is raised and lowered back (降级).
"""

from datetime import timedelta

from app.demo import command_texts as texts
from app.demo.moments import DAY
from app.demo.moments import HOUR
from app.demo.moments import MINUTE
from app.demo.moments import STREET_LEADERS
from app.demo.moments import add
from app.demo.moments import fits
from app.demo.moments import milestones
from app.demo.moments import office
from app.timeutil import local_day
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import HandlingLevel
from models.enums import LeaderRank
from models.enums import Status

BUREAU_LEADERS = {"ZJJ": "leader_zjj"}
DEPUTIES = ("leader", "leader_deputy")
CHIEF_SHARE = 0.12  # of the red cases in hand, the gravest go to the district's principal leader
YELLOW_PER_CASE = 0.01  # yellow key cases also taken in hand
VISIT_SHARE = 0.45  # of the cases in hand long enough (VISIT_SPAN), a visit
SETTLED_OLD, SETTLED_RECENT = 0.85, 0.4  # 销案 on cases closed over a month ago, and more recently
SETTLE_AGE = timedelta(days=30)
VISIT_SPAN = timedelta(hours=8)
SELF_ASSIGNED = 0.4  # a street or bureau leader takes the case himself rather than being assigned
RAISES = (("street", "reply"), ("district", "reply"), ("street", "lower"), ("district", "draft"))


class PackagePlanner:
    """Adds 包案, visit, 销案 and 提级 steps to the plans."""

    def __init__(self, rng, org, now):
        self.rng, self.org, self.now = rng, org, now
        self.users, self.supervisor = org.users, org.users["supervisor"]
        self.held: dict[int, tuple] = {}  # plan index -> (plan, milestones, leader, offset taken in hand)
        self.counts = {"packages": 0, "raised": 0, "visits": 0, "settled": 0}
        self.self_taken = 0  # 包案 a street or bureau leader took himself

    def plan(self, plans: list) -> dict:
        """Plan the 包案 and 提级 of ``plans``; how many of each step."""
        pool = [(p, m) for p in plans if (m := milestones(p, self.now)) is not None]
        red = [(p, m) for p, m in pool if p.packaged and p.grade == Grade.RED]
        gravest = sorted(red, key=lambda pm: (-(pm[0].fields.get("people_involved") or 0), pm[0].index))
        chief = {p.index for p, _m in gravest[: max(1, round(len(red) * CHIEF_SHARE))]}
        for p, m in red:
            self._package(p, m, LeaderRank.DISTRICT_CHIEF if p.index in chief else self._level(p))
        self._cover(pool, len(plans))
        self._raise(pool)
        self._visits_and_settlements()
        return self.counts

    # -- 包案 ------------------------------------------------------------------------------------------------

    def _level(self, p) -> LeaderRank:
        if p.lead.code in BUREAU_LEADERS:
            return LeaderRank.DEPARTMENT
        if p.fields["street"].code in STREET_LEADERS and p.lead.kind != DepartmentKind.BUREAU:
            return LeaderRank.STREET
        return LeaderRank.DISTRICT_DEPUTY

    def _leader(self, p, level):
        if level == LeaderRank.DISTRICT_CHIEF:
            return self.users["leader_chief"]
        if level == LeaderRank.DEPARTMENT:
            return self.users[BUREAU_LEADERS[p.lead.code]]
        if level == LeaderRank.STREET:
            return self.users[STREET_LEADERS[p.fields["street"].code]]
        return self.users[DEPUTIES[p.index % len(DEPUTIES)]]

    def _package(self, p, m, level) -> None:
        """The leader takes the case in hand soon after its dispatch, assigned by the supervisor up to 区分管领导
        (the 区主要领导 takes his own; a street or bureau leader sometimes takes the case himself)."""
        leader = self._leader(p, level)
        actor = self.supervisor
        if level in (LeaderRank.STREET, LeaderRank.DEPARTMENT):  # the first one at least takes it himself
            draw = self.rng.random()
            actor = leader if draw < SELF_ASSIGNED or not self.self_taken else actor
            self.self_taken += actor is leader
        if level == LeaderRank.DISTRICT_CHIEF:
            actor = leader
        pace = (2 * MINUTE, 90 * MINUTE) if p.grade == Grade.RED else (HOUR, DAY)
        hi = min(m.dispatch + pace[1], m.handled_until - MINUTE)
        at = m.dispatch + pace[0] + max(timedelta(0), hi - m.dispatch - pace[0]) * self.rng.random()
        if at > m.end:
            return
        note = texts.SELF_PACKAGE_NOTE if actor is leader else self.rng.choice(texts.PACKAGE_NOTES)
        add(p, at, "package", actor, leader=leader, level=level, note=note)
        self.held[p.index] = (p, m, leader, at)
        self.counts["packages"] += 1

    def _cover(self, pool, n: int) -> None:
        """A few yellow key cases in hand as well, and a case at each level that has none yet."""
        present = {self._held_level(p) for p, *_ in self.held.values()}
        free = [(p, m) for p, m in pool if p.index not in self.held and p.grade != Grade.RED and fits(p) == 1]
        yellow = [(p, m) for p, m in free if p.grade == Grade.YELLOW and p.fields.get("is_key")]
        for p, m in yellow[: round(n * YELLOW_PER_CASE)]:
            self._package(p, m, self._level(p))
            present.add(self._level(p))
        for level in LeaderRank:
            natural = level in (LeaderRank.DEPARTMENT, LeaderRank.STREET)
            matching = [
                (p, m)
                for p, m in free
                if p.index not in self.held and (self._level(p) == level or not natural)
            ]
            if level not in present and matching:
                self._package(*matching[self.rng.randrange(len(matching))], level)

    def _held_level(self, p):
        step = next((s for s in p.steps if s[1] == "package"), None)
        return step[3]["level"] if step else None

    # -- 提级 and 降级 -----------------------------------------------------------------------------------------

    def _raise(self, pool) -> None:
        """Raised cases: replied by their 包案 leader, one lowered back, one awaiting the leader's signature.
        Grave cases (yellow, red, many people) first."""
        free = [(p, m) for p, m in pool if p.index not in self.held and p.duplicate is None and fits(p) == 1]
        closed = [(p, m) for p, m in free if p.status == Status.CLOSED and m.simple and m.close < m.end]
        waiting = [(p, m) for p, m in free if p.status == Status.IN_PROGRESS and self._waiting(p)]
        for to, how in RAISES:
            candidates = waiting if how == "draft" else closed
            if to == "street" or how == "lower":
                candidates = [(p, m) for p, m in candidates if p.fields["street"].code in STREET_LEADERS]
            candidates = [(p, m) for p, m in candidates if p.index not in self.held]
            grave = [(p, m) for p, m in candidates if p.grade != Grade.GREEN or p.template.people]
            candidates = grave or candidates
            if candidates:
                self._raise_one(*candidates[self.rng.randrange(len(candidates))], to, how)

    def _waiting(self, p) -> bool:
        """The plan ends contacted, nothing after: the handler may draft and the leader has yet to sign."""
        actions = [s[1] for s in p.steps]
        return actions[-2:] == ["sign", "contact"] and "reopen" not in actions

    def _raise_one(self, p, m, to: str, how: str) -> None:
        """Raise ``p`` after its sign-off; then lower it back, or have the handler draft the reply for the
        leader to sign (now, or not yet: ``how`` is "lower", "reply" or "draft")."""
        rng = self.rng
        contact = next(s[0] for s in reversed(p.steps) if s[1] == "contact")
        k, reply = next(((k, s) for k, s in enumerate(p.steps) if s[1] == "reply"), (None, None))
        until = reply[0] if reply else m.end
        raised = office(rng, p, m.signed + MINUTE, contact - MINUTE)
        draft = office(rng, p, contact + 10 * MINUTE, until - (HOUR if how == "draft" else MINUTE))
        if max(raised, draft) > min(until, m.end):
            return
        leader = self.users[STREET_LEADERS[p.fields["street"].code] if to == "street" else "leader"]
        if how == "reply":  # the handler drafts it, the 包案 leader signs the same reply
            p.steps[k] = (reply[0], "reply", leader, reply[3])
            add(p, draft, "draft_reply", reply[2], **reply[3])
        elif how == "draft":
            add(p, draft, "draft_reply", self.org.handler(p.lead), **texts.DRAFT)
        else:
            add(
                p,
                draft,
                "lower_level",
                self.supervisor,
                level=HandlingLevel.DEPARTMENT,
                reason=texts.LOWER_REASON,
            )
        level = HandlingLevel.STREET if to == "street" else HandlingLevel.DISTRICT
        add(p, raised, "raise_level", self.supervisor, level=level, leader=leader,
            reason=rng.choice(texts.RAISE_REASONS[to]))  # fmt: skip
        self.held[p.index] = (p, m, leader, raised)
        self.counts["raised"] += 1

    # -- visits and 销案 -------------------------------------------------------------------------------------

    def _visits_and_settlements(self) -> None:
        held = sorted(self.held.values(), key=lambda h: h[0].index)
        unsettled = []
        for p, m, leader, taken in held:
            close = m.close
            until = close if close is not None else m.end
            if until - taken > VISIT_SPAN and self.rng.random() < VISIT_SHARE:
                self._visit(p, leader, taken, until)
            if close is None:
                continue
            share = SETTLED_OLD if m.end - close > SETTLE_AGE else SETTLED_RECENT
            if self.rng.random() < share:
                self._settle(p, m, leader, close)
            else:
                unsettled.append((p, m))
        if not unsettled and self.counts["settled"] > 1:  # at least one closed case never settled
            p, _m = max(
                ((h[0], h[1]) for h in held if h[1].close is not None),
                key=lambda pm: pm[0].received_at + pm[1].close,
            )
            p.steps = [s for s in p.steps if s[1] != "settle"]
            self.counts["settled"] -= 1

    def _visit(self, p, leader, taken, until) -> None:
        rng = self.rng
        at = office(rng, p, taken + HOUR, until - HOUR)
        kind = ("go_out", "receive")[self.counts["visits"] % 2]
        names = {
            "street": p.fields["street"].name,
            "community": p.fields["community"].name,
            "dept": p.lead.name,
        }
        add(p, at, "visit", leader if rng.random() < 0.6 else self.supervisor, kind=kind,
            visited_on=local_day(p.received_at + at), place=rng.choice(texts.VISIT_PLACES[kind]).format(**names),
            met_with=texts.GROUP_MET_WITH if p.template.people else rng.choice(texts.MET_WITH),
            outcome=rng.choice(texts.VISIT_OUTCOMES).format(**names))  # fmt: skip
        self.counts["visits"] += 1

    def _settle(self, p, m, leader, close) -> None:
        rng = self.rng
        at = office(rng, p, close + 2 * HOUR, min(close + 10 * DAY, m.end))
        if at > m.end:
            return
        revisit = next(s[3]["satisfaction"] for s in reversed(p.steps) if s[1] in ("revisit", "rate"))
        dispute = p.template.people or p.template.money
        settlement = rng.choice(texts.DISPUTE_SETTLEMENTS if dispute else texts.SETTLEMENTS)
        agreement = rng.choice(texts.DISPUTE_AGREEMENTS if dispute else texts.AGREEMENTS)
        actor = leader if rng.random() < 0.6 else self.supervisor
        add(p, at, "settle", actor, settlement=settlement, revisit=str(revisit), agreement=agreement)
        self.counts["settled"] += 1
