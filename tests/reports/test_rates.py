"""Each rate against cases counted by hand: on time and late, rejected, sent back, disputes, co-handled.

Five cases received on Monday 2026-03-02 at 10:00 (T0), looked at three days later (T0 + 72 h), with
time limits of 60 minutes to sign, 2 hours to contact, 24 hours to reply first and 48 hours to close:

- A (甲街道 leads, 区住建局 co-handles, a dispute subject): everything in time, outcome 支持, 满意.
- B (甲街道): signed 2 h late, contacted 1 h late, first reply 2 h late, 不满意 (sent back), replied
  again and 基本满意 the next day.
- C (乙街道): dispatched and never signed.
- D: not accepted (rejected) ten minutes after receipt: counted as received, nowhere else.
- E (区住建局, a dispute subject): everything in time, outcome 不支持, 满意.
"""

from datetime import timedelta

import pytest

from app.extensions import db
from app.reports import rollup
from app.reports.figures import Cut
from app.reports.figures import scoped
from app.reports.figures import sums
from app.reports.rate_table import rate_rows
from app.reports.rates import BY_KEY
from app.timeutil import local_day
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import new_case
from tests.support.factories import dept
from tests.support.factories import user
from tests.support.reports import category
from tests.support.reports import hand_counted_cases

H = timedelta(hours=1)
M = timedelta(minutes=1)
NOW = T0 + 72 * H
D0 = local_day(T0)
PERIOD = Cut(D0, D0 + timedelta(days=3))


@pytest.fixture
def cases(app):
    """The five cases above, driven through the state machine at their instants."""
    return hand_counted_cases()


def values(cut=PERIOD, now=NOW) -> dict:
    return {key: figure.value for key, figure in rate_rows(cut, now)[None].items()}


# no 批示, 督办 or 包案 among these cases (tests/reports/test_command_rates.py counts those)
NO_ORDERS = {"instruction": None, "supervision": None, "settlement": None, "orders_overdue": 0}
# no 令 either, no case answered at intake; 区住建局 answered its part of A in time (tests/reports/test_level_rates.py)
LEVELS = {
    **dict.fromkeys(("field_ack", "field_check_in", "field_staffed", "field_feedback", "field_satisfaction")),
    "field_overdue": 0,
    "co_handling": 1.0,
    "parts_waived": 0,
    "at_intake": 0.0,
}
EXPECTED = {
    "response": 2 / 4,  # A and E in time; B late; C never signed (decided late when its hour ran out)
    "contact": 2 / 3,  # A and E in time, B late; C has no contact clock (never signed)
    "reply": 2 / 4,  # A and E in time on day 0; B late and C unanswered on day 1
    "closure": 2 / 3,  # due on day 2: A and E closed, C open (B's restarted limit is not due yet)
    "satisfaction": 3 / 4,  # A 满意, E 满意, B 不满意 then 基本满意
    "redo": 1 / 4,  # one sent back (B) of four replies (A, E, B twice)
    "dispute": 1 / 2,  # A 支持 and E 不支持, both closed, both of the dispute subject
    "overdue": 6,  # sign B, C; contact B; first reply B, C; closing C
    "hours": (6 + 2 + 29) / 3,  # A 6 h, E 2 h, B 29 h, all on working days (Mon, Tue)
    **NO_ORDERS,
    **LEVELS,
}


def test_each_rate_matches_the_hand_count(cases):
    assert values() == pytest.approx(EXPECTED)


def test_merged_reopened_and_extended_cases_follow_the_same_rules(cases):
    """G is merged into A; A is reopened on day 1; J's contact limit is extended, and J is met in time."""
    g = new_case(T0, category_id=category("CSGL-ZDJY").id)
    act(g, "merge", T0 + 20 * M, target=cases["A"], note="同一事项")
    act(cases["A"], "reopen", T0 + 30 * H)  # a supervisor reopens it: sent back, no longer closed
    j = new_case(T0, category_id=category("CSGL-ZDJY").id)
    act(j, "register", T0)
    act(j, "dispatch", T0, lead="SA")
    act(j, "sign", T0 + 10 * M)  # its contact limit runs to T0 + 130 min
    act(j, "request_extension", T0 + H, stage="contact", amount=60, reason="群众在外地，约定时间回电")
    act(j, "approve_extension", T0 + H + 5 * M, note="同意")
    act(j, "contact", T0 + 3 * H)  # late by the first limit, in time by the extended one
    assert values() == pytest.approx(
        {
            "response": 3 / 5,  # J signed in time
            "contact": 3 / 4,  # J in time thanks to the extension
            "reply": 2 / 5,  # J never replied: late on day 1
            "closure": 1 / 3,  # due on day 2: E closed; C and J open; A's restarted limit is not due yet
            "satisfaction": 3 / 4,  # the ratings given stay given
            "redo": 2 / 4,  # B sent back, A reopened
            "dispute": 0.0,  # only E is a closed dispute now, and not 支持
            "overdue": 8,  # the six before, and J's first reply and closing
            "hours": (2 + 29) / 2,  # E and B are the closed ones
            **NO_ORDERS,
            **LEVELS,
        }
    )
    assert sums(PERIOD, NOW)[None]["received"] == 7  # the merged G still counts as received


def test_the_rejected_case_counts_only_as_received(cases):
    totals = sums(PERIOD, NOW)[None]
    assert totals["received"] == 5
    assert totals["register_decided"] == 4  # D's register clock stopped when it was rejected: not counted


def test_rates_by_department_lead_and_co_handled_apart(cases):
    by_department = rate_rows(PERIOD, NOW, group="department")
    assert by_department[dept("SA").id]["response"].value == pytest.approx(1 / 2)  # A in time, B late
    assert by_department[dept("SB").id]["response"].value == 0  # C
    assert by_department[dept("BB").id]["response"].value == 1  # E
    co = rate_rows(Cut(D0, D0 + timedelta(days=3), department_id=dept("BB").id, role="co"), NOW)[None]
    assert co["response"].numerator == 1 and co["response"].denominator == 1  # A, co-handled by 区住建局
    assert co["satisfaction"].value == 1


def test_figures_are_counted_on_the_day_they_happen(cases):
    by_day = sums(PERIOD, NOW, group="day")
    assert by_day[D0]["first_reply_decided"] == 2 and by_day[D0]["first_reply_on_time"] == 2
    assert by_day[D0 + timedelta(days=1)]["first_reply_decided"] == 2
    assert by_day[D0 + timedelta(days=1)]["first_reply_on_time"] == 0
    assert by_day[D0 + timedelta(days=2)]["resolve_due"] == 3
    day_one = Cut(D0 + timedelta(days=1), D0 + timedelta(days=1))
    assert values(day_one)["satisfaction"] == pytest.approx(1 / 2)  # B: 不满意, then 基本满意
    assert values(day_one)["closure"] is None  # nothing was due to close that day


def test_a_period_boundary_splits_a_case_between_periods(cases):
    first, rest = Cut(D0, D0), Cut(D0 + timedelta(days=1), D0 + timedelta(days=3))
    assert sums(first, NOW)[None]["late"] + sums(rest, NOW)[None]["late"] == EXPECTED["overdue"]
    assert values(first)["reply"] == 1 and values(rest)["reply"] == 0


def test_the_built_rollup_gives_the_same_figures_as_a_live_count(cases):
    live = sums(PERIOD, NOW, group="department")
    built = list(rollup.build_missing(NOW))
    db.session.commit()
    assert sorted(built) == [D0 + timedelta(days=n) for n in range(3)]  # today (day 3) stays live
    assert sums(PERIOD, NOW, group="department") == live


def test_an_edit_to_an_old_case_corrects_the_built_days(cases):
    list(rollup.build_missing(NOW))
    db.session.commit()
    dispute_before = values()["dispute"]
    cases["E"].category_id = category("CSGL-ZDJY").id  # recategorised three days later: no longer a dispute
    db.session.commit()
    assert D0 in rollup.apply_corrections(NOW)  # the day it was closed (and its other days, rebuilt alike)
    db.session.commit()
    assert dispute_before == 0.5 and values()["dispute"] == 1.0


def test_a_handler_sees_only_the_own_department(cases):
    handler = user("handler", "SB")
    assert scoped(PERIOD, handler).department_id == dept("SB").id
    assert values(scoped(PERIOD, handler))["response"] == 0
    assert scoped(PERIOD, user("leader")) == PERIOD


def test_every_rate_has_a_formula_and_a_sense_of_direction():
    for rate in BY_KEY.values():
        assert str(rate.formula) and rate.label
        if rate.target is not None:
            good = rate.target + (0.01 if rate.higher_is_better else -0.01)
            assert rate.meets_target(good) and not rate.meets_target(2 * rate.target - good)
