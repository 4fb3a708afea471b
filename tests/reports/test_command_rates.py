"""批示 and 督办 answered on time, late answers and the 销案 rate, counted by hand, per addressed department.

Three cases led by 甲街道 (SA), received on Monday 2026-03-02 10:00 (T0), looked at on Friday 10:00;
批示 and 督办单 are due 24:00 Wednesday (3 working days... set explicitly here):

- P: a 批示 to 区城管局 (BA) and 甲街道 (SA). BA answers Tuesday (on time); SA answers Thursday (late).
- Q: a 督办单 to 区住建局 (BB), never answered (late on Thursday 00:00); a 批示 to BA, sent back once and
  answered again Wednesday (on time: the same due time).
- R: closed on Tuesday, held by a street leader (包案) and settled; P closed on Tuesday with its 包案 not
  settled. So the 销案 rate of SA is 1 / 2.
"""

from datetime import timedelta

import pytest

from app.cases import lifecycle
from app.extensions import db
from app.reports import rollup
from app.reports.figures import Cut
from app.reports.rate_table import rate_rows
from app.reports.scorecards import score_row
from app.timeutil import local_day
from tests.support.deadlines import T0
from tests.support.deadlines import drive
from tests.support.deadlines import end_of
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import dept
from tests.support.factories import make_ranked_leaders
from tests.support.factories import user

DAY = timedelta(days=1)
NOW = T0 + 4 * DAY
DUE = end_of("2026-03-04")
PERIOD = Cut(local_day(T0), local_day(NOW))


def order(case, kind, codes, now=T0):
    actor = user("leader") if kind == "instruct" else user("supervisor")
    event = lifecycle.perform(case, kind, actor, now=now, content="请落实", departments=[dept(c) for c in codes],
                              due_date=DUE)  # fmt: skip
    return {
        t.department.code: t for t in next(o for o in case.orders if o.id == event.data["order_id"]).targets
    }


def answer(case, code, now):
    lifecycle.perform(case, "answer_order", user("handler", code), now=now, text=f"{code} 已落实")


def close(case, now):
    drive(case, now, "contact", "reply")
    lifecycle.perform(case, "revisit", user("clerk"), now=now, satisfaction="satisfied")


@pytest.fixture
def cases(app):
    stage_policies()
    make_ranked_leaders()
    p, q, r = (drive(new_case(T0), T0, "register", "dispatch", "sign") for _ in range(3))
    order(p, "instruct", ("BA", "SA"))
    answer(p, "BA", T0 + DAY)
    answer(p, "SA", T0 + 3 * DAY)
    order(q, "supervise", ("BB",))
    q_part = order(q, "instruct", ("BA",))["BA"]
    answer(q, "BA", T0 + DAY)
    lifecycle.perform(
        q, "return_order", user("supervisor"), now=T0 + DAY, target=str(q_part.id), reason="不全"
    )
    answer(q, "BA", T0 + 2 * DAY)
    for case in (p, r):
        lifecycle.perform(case, "package", user("supervisor"), now=T0, leader=str(user("leader", "street").id),
                          level="street")  # fmt: skip
        close(case, T0 + DAY)
    lifecycle.perform(r, "settle", user("leader", "street"), now=T0 + 2 * DAY, settlement="已化解")
    db.session.commit()
    return p, q, r


def by_department(now=NOW):
    rows = rate_rows(PERIOD, now, group="department")
    return {code: rows[dept(code).id] for code in ("SA", "BA", "BB")}


def test_order_answers_and_settlement_per_department(cases):
    rows = by_department()
    assert rows["BA"]["instruction"].value == 1.0  # two answers, both in time (one after a return)
    assert (rows["BA"]["instruction"].numerator, rows["BA"]["instruction"].denominator) == (2, 2)
    assert rows["SA"]["instruction"].value == 0.0 and rows["SA"]["orders_overdue"].value == 1
    assert rows["BB"]["supervision"].value == 0.0 and rows["BB"]["orders_overdue"].value == 1
    assert rows["BA"]["supervision"].value is None  # nothing asked of BA by a 督办单
    assert rows["SA"]["settlement"].value == 0.5  # R settled, P not (both closed, both held)
    assert rows["SA"]["overdue"].value == 0  # order answers are not the case's own time limits
    totals = rate_rows(PERIOD, NOW)[None]
    assert (totals["instruction"].numerator, totals["instruction"].denominator) == (2, 3)
    assert totals["orders_overdue"].value == 2


def test_the_built_rollup_agrees_and_a_later_settlement_corrects_it(cases):
    p, _, _ = cases
    live = {code: {k: f.value for k, f in row.items()} for code, row in by_department().items()}
    list(rollup.build_missing(NOW))
    db.session.commit()
    assert {code: {k: f.value for k, f in row.items()} for code, row in by_department().items()} == live
    lifecycle.perform(p, "settle", user("leader", "street"), now=NOW, settlement="补办销案")
    db.session.commit()
    rollup.apply_corrections(NOW)
    db.session.commit()
    assert by_department()["SA"]["settlement"].value == 1.0


def test_a_scheme_deducts_for_late_order_answers(cases):
    scheme = {"weights": {"instruction": 50, "settlement": 50}, "deductions": {"orders_late": 2},
              "max_deduction": None}  # fmt: skip
    sa = score_row(by_department()["SA"], scheme)
    assert sa["rates"]["instruction"]["points"] == 0 and sa["rates"]["settlement"]["points"] == 25
    assert sa["deductions"]["orders_late"] == {"count": 1, "points": 2}


def test_the_daily_report_lists_open_orders_overdue_first_and_packages_in_hand(cases):
    from app.reports import daily
    from app.reports import documents
    from models.report import ReportIssue

    p, q, r = cases
    content = daily.build(local_day(NOW) - DAY, NOW)
    assert [(row["number"], row["kind"], row["overdue"]) for row in content["orders"]] == [
        (p.number, "instruction", True),  # SA answered late; awaiting the check
        (q.number, "supervision", True),  # BB never answered
        (q.number, "instruction", False),  # BA answered in time, not yet accepted: still open, listed last
    ]
    assert content["orders_more"] == 0
    assert [(row["number"], row["unsettled"]) for row in content["packages"]] == [(p.number, True)]
    assert "个批示督办未办结" in content["summary"]
    issue = ReportIssue(
        kind="daily", first_day=local_day(NOW), last_day=local_day(NOW), content=content, built_at=NOW
    )
    titles = [section.heading for section in documents.sections(issue)]
    assert "未办结的批示督办" in titles and "领导包案" in titles
