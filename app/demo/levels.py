"""Planning the demo's work across levels: the co-departments answer their parts of co-handled cases, and
streets hand some of their cases down to the case's community.

A co-department signs for its part some minutes to hours after the dispatch, often records a contact, and
answers before the lead replies; a few parts are waived by a supervisor instead, and on cases still being
handled some parts are still open (a few of them late, so the bell and the lists show them). About a third
of the plain cases a street leads are handed down (下派) to their community, which signs, contacts and
drafts the reply; the street sends it (光明街道 lets its communities reply themselves). One community hands
a case back. The draws come from a generator of their own, so the rest of the demo is what it was.
"""

import random
from datetime import timedelta

from app.demo.moments import MINUTE
from app.demo.moments import add
from app.demo.moments import milestones
from app.demo.steps import performance
from models.enums import DepartmentKind
from models.enums import Status

HAND_DOWN_SHARE = 0.35
OPEN_HAND_DOWN_SHARE = 0.8  # the open ones, so the streets' and communities' desks show some in hand
WAIVE_SHARE = 0.08  # of the co-handled cases replied, one part waived by a supervisor
OPEN_ANSWERED = 0.45  # of the parts of cases still in hand, answered already
CONTACT_SHARE = 0.6
SELF_REPLYING_STREETS = ("GUANGMING",)  # these streets let their communities reply without a review
PART_TEXTS = (
    "我单位已派员到现场核查，相关问题已按职责处置完毕，处理情况已告知诉求人。",
    "经核查，涉及我单位职责部分已落实整改，后续将纳入日常巡查。",
    "已会同属地社区上门走访，对诉求人反映的情况作了解释说明，并提出了处理建议。",
    "我单位已依法立案调查，将依法依规处理，结果另行告知。",
)
WAIVE_REASONS = (
    "经核实，该事项不涉及该单位职责，免除其协办。",
    "牵头单位已一并处理完毕，该协办部分无需另行答复。",
)
HAND_DOWN_NOTES = ("请社区上门核实情况并答复群众。", "属社区网格事项，请社区就地处置。", "")
HAND_BACK_REASON = "该事项涉及多个社区，需由街道统筹处理。"
PLAIN_STEPS = frozenset({"sign", "contact", "reply", "revisit", "rate"})


def _last_dispatch(p) -> int | None:
    found = [k for k, step in enumerate(p.steps) if step[1] == "dispatch"]
    return found[-1] if found else None


class LevelPlanner:
    """Adds the co-departments' part steps and the streets' hand-downs to the plans."""

    def __init__(self, rng, org, now):
        self.rng, self.org, self.now = rng, org, now
        self.counts = {"parts": 0, "parts_answered": 0, "parts_waived": 0, "handed_down": 0, "handed_back": 0}

    def plan(self, plans: list) -> dict:
        """Plan the parts and hand-downs of ``plans``; how many of each."""
        handed_back = False
        for p in plans:
            m = milestones(p, self.now)
            k = _last_dispatch(p)
            if m is None or k is None:
                continue
            co = p.steps[k][3].get("co_departments") or []
            for n, department in enumerate(co):
                self._part(p, m, department, waive=n == 0 and self.rng.random() < WAIVE_SHARE)
            share = HAND_DOWN_SHARE if p.status == Status.CLOSED else OPEN_HAND_DOWN_SHARE
            if self._may_hand_down(p, m) and self.rng.random() < share:
                handed_back |= self._hand_down(p, m, back=not handed_back)
        return self.counts

    def _part(self, p, m, department, waive: bool) -> None:
        rng, handler = self.rng, self.org.handler(department)
        self.counts["parts"] += 1
        until = m.reply if m.reply is not None else m.end
        window = until - m.dispatch - 2 * MINUTE
        if window < 6 * MINUTE:
            waive = m.reply is not None  # no time to answer before the reply: a supervisor waives it
            if not waive:
                return
        if waive:
            self.counts["parts_waived"] += 1
            add(p, until - MINUTE, "waive_part", self.org.users["supervisor"], part=_PartOf(department),
                reason=rng.choice(WAIVE_REASONS))  # fmt: skip
            return
        answered = m.reply is not None or rng.random() < OPEN_ANSWERED
        speed = performance(department).speed  # a slow bureau signs and answers its parts late more often
        sign = m.dispatch + min(window * 0.3, timedelta(minutes=rng.uniform(3, 110) * speed))
        add(p, sign, "sign_part", handler, note="")
        if rng.random() < CONTACT_SHARE:
            contact = min((until - sign) * 0.4, timedelta(minutes=rng.uniform(5, 6 * 60) * speed))
            add(p, sign + contact, "contact_part", handler, note="已电话联系诉求人，了解涉及本单位的情况。")
        if answered:
            self.counts["parts_answered"] += 1
            add(p, sign + (until - sign) * rng.uniform(0.5, 0.95), "answer_part", handler,
                text=rng.choice(PART_TEXTS))  # fmt: skip

    def _may_hand_down(self, p, m) -> bool:
        community = p.fields.get("community")
        k = _last_dispatch(p)
        after = [step[1] for step in p.steps[k + 1 :]]
        plain = set(after) <= PLAIN_STEPS and after.count("reply") <= 1  # no redo, reopen or instrument
        return (
            p.lead.kind == DepartmentKind.STREET
            and community is not None
            and community.parent_id == p.lead.id
            and plain
        )

    def _hand_down(self, p, m, back: bool) -> bool:
        rng, street_handler = self.rng, self.org.handler(p.lead)
        community = self.org.handler(p.fields["community"])
        first = m.signed if m.signed is not None else m.end
        at = m.dispatch + (first - m.dispatch) * rng.uniform(0.2, 0.7)
        if first - m.dispatch < 2 * MINUTE:
            return False
        self.counts["handed_down"] += 1
        add(p, at, "hand_down", street_handler, community=p.fields["community"].id,
            note=rng.choice(HAND_DOWN_NOTES))  # fmt: skip
        if back:
            self.counts["handed_back"] += 1
            add(p, at + (first - at) * 0.5, "take_back", community, reason=HAND_BACK_REASON)
            return True
        reviewed = p.lead.code not in SELF_REPLYING_STREETS
        steps = []
        for offset, action, actor, params in p.steps:
            if offset > at and action in ("sign", "contact"):
                actor = community
            if offset > at and action == "reply" and actor is street_handler:
                if reviewed:
                    steps.append((offset, "draft_reply", community, params))
                    later = [s[0] for s in p.steps if s[0] > offset]
                    gap = (later[0] if later else m.end) - offset
                    offset += min(timedelta(minutes=rng.uniform(30, 4 * 60)), gap * 0.5)
                else:
                    actor = community
            steps.append((offset, action, actor, params))
        p.steps = sorted(steps, key=lambda step: step[0])
        return False


class _PartOf:
    """A deferred ``part`` parameter: the id of ``department``'s part of the case, found when the step runs."""

    def __init__(self, department):
        self.department = department

    def __call__(self, case) -> str:
        return str(next(part.id for part in case.parts if part.department_id == self.department.id))


def plan_levels(plans: list, org, seed: int, now) -> dict:
    """Add the parts' and hand-downs' steps to ``plans``; how many of each were planned."""
    return LevelPlanner(random.Random(seed), org, now).plan(plans)


def configure_streets(org) -> None:
    """The streets that let their communities reply without a review say so."""
    for code in SELF_REPLYING_STREETS:
        org.departments[code].reviews_handed_down_replies = False
