"""The per-grain summaries give the same figures as the full rollup, for every grouping and filter they answer."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.reports import rollup
from app.reports import summaries
from app.reports.figures import GROUPS
from app.reports.figures import Cut
from app.reports.figures import sums
from app.timeutil import local_day
from tests.support.deadlines import T0
from tests.support.factories import dept
from tests.support.reports import category
from tests.support.reports import hand_counted_cases

NOW = T0 + timedelta(days=4)
D0 = local_day(T0)
WEEK = Cut(D0, D0 + timedelta(days=3))  # built days only: today (day 4) is counted live either way


@pytest.fixture
def built(app):
    hand_counted_cases()
    assert len(list(rollup.build_missing(NOW))) == 4
    db.session.commit()


def full_rollup(monkeypatch, cut, group):
    with monkeypatch.context() as patch:
        patch.setattr(summaries, "grain_for", lambda *args: None)
        return sums(cut, NOW, group)


@pytest.mark.parametrize("group", [None, "day", "month", *GROUPS])
def test_every_grouping_agrees_with_the_full_rollup(built, monkeypatch, group):
    for role in ("lead", "co"):
        cut = Cut(WEEK.start, WEEK.end, role=role)
        assert sums(cut, NOW, group) == full_rollup(monkeypatch, cut, group), (group, role)


@pytest.mark.parametrize(
    "cut",
    [
        Cut(WEEK.start, WEEK.end, department_id=-1),  # replaced below with a real department
        Cut(WEEK.start, WEEK.end, role="co", department_id=-1),
        Cut(WEEK.start, WEEK.end, channel="hotline"),
        Cut(WEEK.start, WEEK.end, grade="green"),
        Cut(WEEK.start, WEEK.end, category_ids=(-1,)),
        Cut(WEEK.start, WEEK.end, department_id=-1, category_ids=(-1,)),  # a department's 化解率
        Cut(WEEK.start, WEEK.end, role="co", category_ids=(-2,)),  # the dispute subject BB co-handles (A)
    ],
)
def test_one_filter_agrees_with_the_full_rollup(built, monkeypatch, cut):
    from dataclasses import replace

    if cut.department_id == -1:
        cut = replace(cut, department_id=dept("SA" if cut.role == "lead" else "BB").id)
    if cut.category_ids == (-1,):
        cut = replace(cut, category_ids=(category("CSGL-ZDJY").id,))
    if cut.category_ids == (-2,):
        cut = replace(cut, category_ids=(category("CXJS").id,))
    for group in (None, "day", "department" if cut.department_id or cut.category_ids else None):
        figures = sums(cut, NOW, group)
        assert figures and figures == full_rollup(monkeypatch, cut, group)
    assert any(v for row in sums(cut, NOW).values() for v in row.values())  # not an empty comparison


def test_which_grain_answers_which_cut():
    assert summaries.grain_for(set(), None, "lead") == "all"
    assert summaries.grain_for(set(), "day", "co") == "department"
    assert summaries.grain_for({"department"}, "month", "lead") == "department"
    assert summaries.grain_for(set(), "parent_category", "lead") == "category"
    assert summaries.grain_for({"street"}, "street", "lead") == "street"
    assert summaries.grain_for({"department"}, "street", "lead") is None  # two dimensions: the full rollup
    assert summaries.grain_for({"category"}, "department", "lead") == "department_category"  # but this pair
    assert summaries.grain_for({"category"}, None, "co") == "department_category"
    assert summaries.grain_for({"channel"}, None, "co") is None
