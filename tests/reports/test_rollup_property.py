"""Property: after any sequence of case actions and edits, the corrected rollup equals a full recount.

Hypothesis draws cases received on random days, random lifecycle actions at later instants (refused ones
are skipped, as a user's would be), and random edits of an old case's category, grade, street and
channel. The rollup is built before the changes; then the correction job runs once, and every built day
must hold exactly what counting that day from scratch gives.
"""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.cases.actions import TransitionError
from app.extensions import db
from app.refusal import Refusal
from app.reports import measures
from app.reports import rollup
from app.timeutil import local_day
from models.deadline import Unit
from models.org import Category
from models.report import DailyRollup
from tests.support.deadlines import LONG
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import deadline
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import dept

NOW = T0 + timedelta(days=18)
# What may come next in each status (the op's number picks one): cases move along, with every branch.
NEXT = {
    "new": ("register", "register", "reject"),
    "registered": ("dispatch", "dispatch", "reject"),
    "dispatched": ("sign", "sign", "return"),
    "in_progress": ("contact", "reply", "reply"),
    "replied": ("revisit", "revisit_bad"),
    "closed": ("reopen",),
    "rejected": (),
    "merged": (),
}
EDITS = ("category", "grade", "street", "channel")


@pytest.fixture
def setting(app):
    stage_policies(
        sign=(60, Unit.MINUTES), contact=(3, Unit.HOURS), first_reply=(1, Unit.NATURAL_DAYS),
        resolve=(2, Unit.WORKING_DAYS), revisit=LONG,
    )  # fmt: skip
    codes = db.session.scalars(select(Category.id)).all()
    db.session.get(Category, codes[-1]).is_dispute = True
    db.session.commit()
    return {"categories": codes, "streets": [dept("SA").id, dept("SB").id, None]}


def stored(day) -> dict:
    rows = db.session.scalars(select(DailyRollup).where(DailyRollup.day == day)).all()
    return {
        tuple(getattr(row, name) for name in rollup.KEY): {m: getattr(row, m) for m in measures.MEASURES}
        for row in rows
    }


def same(built: dict, counted: dict) -> bool:
    if built.keys() != counted.keys():
        return False
    for key, sums in counted.items():
        for name in measures.MEASURES:
            if float(built[key][name]) != pytest.approx(float(sums.get(name, 0))):
                return False
    return True


def step(case, action: str, when, lead: str) -> None:
    params = {}
    if action == "revisit_bad":
        action, params = "revisit", {"satisfaction": "unsatisfied"}
    try:
        act(case, action, when, lead=lead, **params)
    except (TransitionError, Refusal, ValueError, AttributeError):
        db.session.rollback()  # refused, as a user would be: nothing written


def catch_up() -> None:
    while rollup.apply_corrections(NOW):
        db.session.commit()
    db.session.commit()


operation = st.one_of(
    st.tuples(st.just("act"), st.integers(0, 5), st.integers(0, 5), st.integers(0, 60 * 24 * 3)),
    st.tuples(st.just("edit"), st.integers(0, 5), st.sampled_from(EDITS), st.integers(0, 10)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    received=st.lists(st.integers(0, 60 * 24 * 8), min_size=2, max_size=6),
    before=st.lists(operation, max_size=30),
    after=st.lists(operation, min_size=1, max_size=20),
)
def test_the_corrected_rollup_equals_a_recount(setting, received, before, after):
    cases = [new_case(T0 + timedelta(minutes=m), category_id=setting["categories"][0]) for m in received]
    clock = {case.id: case.received_at for case in cases}
    leads = ["SA", "SB", "BA"]

    def run(ops):
        for kind, index, what, value in ops:
            case = cases[index % len(cases)]
            if kind == "act":
                choices = NEXT[str(case.status)]
                if not choices:
                    continue
                clock[case.id] = clock[case.id] + timedelta(minutes=value)
                action = choices[what % len(choices)]
                step(case, action, min(clock[case.id], NOW - timedelta(days=1)), leads[index % 3])
            else:
                if what == "category":
                    case.category_id = setting["categories"][value % len(setting["categories"])]
                elif what == "grade":
                    case.grade = ("red", "yellow", "green")[value % 3]
                elif what == "street":
                    case.street_id = setting["streets"][value % 3]
                else:
                    case.channel = ("hotline", "wechat", "walk_in")[value % 3]
                db.session.commit()

    run(before)
    for _day in rollup.build_missing(NOW, limit=1000):
        db.session.commit()
    catch_up()  # the built days are right, and nothing is left waiting
    run(after)
    catch_up()
    built = rollup.built_days(T0.date() - timedelta(days=1), NOW.date())
    assert built
    for day in sorted(built):
        assert same(stored(day), rollup.day_rows(day, NOW)), day


def test_a_redo_moves_the_closing_due_day_and_the_old_day_loses_the_case(setting):
    case = new_case(T0, category_id=setting["categories"][0])
    for action in ("register", "dispatch", "sign", "contact", "reply"):
        act(case, action, T0 + timedelta(hours=1), lead="SA")
    old_due = local_day(deadline(case, "resolve").due_at)
    for _day in rollup.build_missing(NOW, limit=1000):
        db.session.commit()
    catch_up()
    assert sum(row["resolve_due"] for row in stored(old_due).values()) == 1
    act(case, "revisit", T0 + timedelta(days=1), satisfaction="unsatisfied")  # the closing clock restarts
    assert local_day(deadline(case, "resolve").due_at) != old_due
    catch_up()
    assert sum(row["resolve_due"] for row in stored(old_due).values()) == 0
    assert same(stored(old_due), rollup.day_rows(old_due, NOW))
