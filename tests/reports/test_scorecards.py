"""Scorecards against scores counted by hand; schemes kept per period; a published period frozen for good.

The cases are the hand-counted ones of tests/reports/test_rates.py (A to E, received 2026-03-02), placed
in areas: A in 甲街道/甲一社区, B in 甲街道 (no community), C and E in 乙街道/乙一社区. Looked at on
2026-04-02, when March has ended, B's restarted closing limit (due 03-05, met) counts too. March, by the
cases each department leads, with the default scheme (响应 20, 按时答复 30, 办结 20, 满意 30; 1 point
off per missed time limit, 2 per case sent back, at most 20):

- 甲街道 (A, B): 响应 1/2, 答复 1/2, 办结 2/2, 满意 2/3 → 10 + 15 + 20 + 20 = 65; off 3 × 1 + 1 × 2 = 5 → 60.
- 乙街道 (C): 响应 0/1, 答复 0/1, 办结 0/1, 满意 — (left out, its 30 shared) → 0; off 3 → −3.
- 区住建局 (E): everything in time, 满意 → 100; nothing off → 100.
By street: 甲街道 (A, B) 60; 乙街道 (C, E): 响应 1/2, 答复 1/2, 办结 1/2, 满意 1/1 → 65 − 3 = 62.
By community: 甲一社区 (A) 100; 乙一社区 (C, E) 62 (B has no community and is in no community's row).
"""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy import update

from app.extensions import db
from app.refusal import Refusal
from app.reports import rollup
from app.reports import scorecards
from app.reports.rate_table import figures_of
from app.reports.rates import BY_KEY
from app.reports.rates import RATES
from app.reports.score_schemes import SchemeInput
from app.reports.score_schemes import SchemeRefusal
from app.reports.score_schemes import published_periods
from app.reports.score_schemes import save_scheme
from app.reports.score_schemes import scheme_for
from models.audit import ConfigChange
from models.scorecard import ScorePeriod
from models.scorecard import ScoreScheme
from tests.support.deadlines import at
from tests.support.factories import dept
from tests.support.factories import user
from tests.support.scorecards import NOW
from tests.support.scorecards import placed_cases
from tests.support.scorecards import scores

MARCH = date(2026, 3, 1)


@pytest.fixture
def cases(app):
    return placed_cases()


def scheme(day: date, weights: dict, deductions=None, cap=None) -> ScoreScheme:
    """A scheme saved through the domain (committed)."""
    data = SchemeInput(
        day,
        {k: Decimal(v) for k, v in weights.items()},
        {k: Decimal(v) for k, v in (deductions or {}).items()},
        None if cap is None else Decimal(cap),
    )
    made = save_scheme(None, data, user("admin"), NOW)
    db.session.commit()
    return made


def test_department_scores_and_ranks_match_the_hand_count(cases):
    shown = scorecards.card("month", MARCH, "department", NOW)
    assert shown["status"] == "draft" and shown["scheme"]["effective_from"] == "2000-01-01"
    assert scores(shown) == [(1, "BB", 100.0, "red"), (2, "SA", 60.0, None), (3, "SB", -3.0, "black")]
    sa = shown["rows"][1]
    assert sa["rates"]["closure"] == {"value": 1.0, "numerator": 2, "denominator": 2, "points": 20.0}
    assert sa["deductions"] == {"late": {"count": 3, "points": 3}, "sent_back": {"count": 1, "points": 2}}
    sb = shown["rows"][2]
    assert (
        sb["rates"]["satisfaction"]["value"] is None and sb["weighted"] == 0
    )  # 满意 left out, not full marks


def test_streets_and_communities_are_scored_by_the_cases_in_their_area(cases):
    streets = scorecards.card("month", MARCH, "street", NOW)
    assert scores(streets) == [(1, "SB", 62.0, "red"), (2, "SA", 60.0, "black")]
    communities = scorecards.card("month", MARCH, "community", NOW)
    assert scores(communities) == [(1, "CA", 100.0, "red"), (2, "CB", 62.0, "black")]


def test_a_rate_without_a_denominator_shares_its_weight_and_deductions_are_capped():
    values = {"sign_on_time": 3, "sign_decided": 4, "resolve_due_closed": 1, "resolve_due": 2, "late": 25}
    figures = {rate.key: figures_of(rate, values) for rate in RATES}
    plan = {"weights": {"response": 20, "reply": 30, "closure": 20, "satisfaction": 30}}
    plan |= {"deductions": {"late": 1, "sent_back": 2}, "max_deduction": 20}
    row = scorecards.score_row(figures, plan)
    # 答复 and 满意 have nothing to count: 20 × 0.75 + 20 × 0.5 over the 40 counted = 62.5; 25 off, capped at 20
    assert row["weighted"] == 62.5 and row["deducted"] == 20 and row["score"] == 42.5
    assert row["rates"]["response"]["points"] == 37.5 and row["rates"]["reply"]["points"] is None
    redo = scorecards.score_row(figures | {"redo": figures_of(BY_KEY["redo"], {"sent_back": 1, "replies": 4})},
                                {"weights": {"redo": 100}, "deductions": {}, "max_deduction": None})  # fmt: skip
    assert redo["score"] == 75.0  # lower is better: 1 − 1/4


def test_ties_are_ranked_by_name_and_a_unit_with_nothing_weighted_is_not_ranked(cases):
    scheme(MARCH, {"closure": 100})
    shown = scorecards.card("month", MARCH, "department", NOW)
    # 区住建局 and 甲街道 both closed all that fell due (100); 区 sorts before 甲
    assert scores(shown) == [(1, "BB", 100.0, "red"), (2, "SA", 100.0, None), (3, "SB", 0.0, "black")]

    scheme(date(2026, 3, 2), {"contact": 50, "satisfaction": 50})  # from March 2: not March's scheme
    scheme(date(2026, 2, 1), {"contact": 50, "satisfaction": 50})
    assert scorecards.card("month", MARCH, "department", NOW)["scheme"]["effective_from"] == "2026-03-01"
    february = scorecards.card("month", date(2026, 2, 1), "department", NOW)
    assert february["scheme"]["effective_from"] == "2026-02-01" and february["rows"] == []


def test_unscored_units_are_listed_last_without_a_rank(cases):
    scheme(MARCH, {"contact": 50, "satisfaction": 50})
    shown = scorecards.card("month", MARCH, "department", NOW)
    # no deductions in this scheme; 甲街道: 50 × 1/2 + 50 × 2/3 = 58.33; 乙街道 had no contact clock nor a rating
    assert scores(shown) == [(1, "BB", 100.0, "red"), (2, "SA", 58.33, "black"), (None, "SB", None, None)]


def test_a_published_period_never_changes_when_cases_are_corrected(cases):
    list(rollup.build_missing(NOW))
    db.session.commit()
    period = scorecards.period_row("month", MARCH, "department")
    published = scorecards.publish(period, user("supervisor"), NOW)
    db.session.commit()
    frozen = scorecards.card("month", MARCH, "department", NOW)
    assert frozen == published and frozen["status"] == "published"
    quarter_before = scorecards.card("quarter", MARCH, "department", NOW)

    cases["C"].lead_department_id = dept("BB").id  # C was 乙街道's: now 区住建局 leads it
    db.session.commit()
    assert rollup.apply_corrections(NOW)  # the built March days are rebuilt
    db.session.commit()

    later = scorecards.card("month", MARCH, "department", NOW)
    assert later == frozen
    assert scores(later) == [(1, "BB", 100.0, "red"), (2, "SA", 60.0, None), (3, "SB", -3.0, "black")]
    # the same period still in draft (and the quarter, not published) are counted again: 区住建局 has C now
    redo = scorecards.live_card("month", MARCH, "department", NOW)
    assert scores(redo) == [(1, "BB", 62.0, "red"), (2, "SA", 60.0, "black")]
    assert scores(scorecards.card("quarter", MARCH, "department", NOW)) != scores(quarter_before)


def test_reading_a_published_period_never_counts(cases, monkeypatch):
    period = scorecards.period_row("month", MARCH, "street")
    scorecards.publish(period, user("admin"), NOW)
    db.session.commit()

    def no_counting(*args, **kwargs):
        raise AssertionError("a published card was counted again")

    monkeypatch.setattr(scorecards, "rate_rows", no_counting)
    assert scores(scorecards.card("month", MARCH, "street", NOW))[0] == (1, "SB", 62.0, "red")


def test_old_periods_keep_the_scheme_they_were_scored_with(cases):
    period = scorecards.period_row("month", MARCH, "department")
    scorecards.publish(period, user("supervisor"), NOW)
    db.session.commit()
    default = scheme_for(MARCH)
    with pytest.raises(SchemeRefusal) as refused:  # a scheme dated back over a published period
        scheme(MARCH, {"closure": 100})
    assert refused.value.field == "effective_from"
    db.session.rollback()
    new = scheme(date(2026, 4, 1), {"closure": 100})
    assert scorecards.card("month", date(2026, 4, 1), "department", NOW)["scheme"]["id"] == new.id
    # even a scheme slipped in behind the rules (a database edit) changes nothing that was published
    db.session.add(ScoreScheme(effective_from=MARCH, weights={"closure": 100}, deductions={}, note=""))
    db.session.commit()
    shown = scorecards.card("month", MARCH, "department", NOW)
    assert shown["scheme"]["id"] == default.id and shown["scheme"]["weights"]["reply"] == 30
    assert scores(shown)[1] == (2, "SA", 60.0, None)
    assert scorecards.live_card("month", MARCH, "department", NOW)["scheme"]["weights"] == {"closure": 100}
    assert [p.id for p in published_periods(default.id)] == [period.id]
    with pytest.raises(SchemeRefusal):  # the scheme that scored it cannot be changed
        save_scheme(default, SchemeInput(MARCH, {"closure": Decimal(100)}, {}), user("admin"), NOW)


def test_publishing_twice_or_too_early_is_refused(cases):
    period = scorecards.period_row("month", MARCH, "department")
    with pytest.raises(Refusal):
        scorecards.publish(period, user("supervisor"), at("2026-03-31 23:00"))  # March has not ended
    scorecards.publish(period, user("supervisor"), NOW)
    db.session.commit()
    with pytest.raises(Refusal):
        scorecards.publish(period, user("admin"), NOW)
    # two at once: the other request's publish landed after this one read the row as a draft
    other = scorecards.period_row("month", MARCH, "street")
    db.session.execute(
        update(ScorePeriod).where(ScorePeriod.id == other.id).values(status="published", snapshot={"rows": []})
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    assert other.status == "draft"
    with pytest.raises(Refusal):
        scorecards.publish(other, user("admin"), NOW)
    db.session.rollback()
    audited = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "score_period")).all()
    assert [(row.entity_key, row.action, row.after["status"]) for row in audited] == [
        (str(period.id), "publish", "published")
    ]


def test_a_handler_sees_only_the_own_department(cases):
    shown = scorecards.card("month", MARCH, "department", NOW)
    mine = scorecards.for_user(shown, user("handler", "SB"))
    assert scores(mine) == [(3, "SB", -3.0, "black")] and mine["red"] == [] and mine["own_only"]
    assert scorecards.for_user(shown, user("handler", "CA"))["rows"] == []
    assert scorecards.for_user(shown, user("leader")) == shown | {"own_only": False}


@pytest.mark.parametrize(
    "weights, deductions, field",
    [
        ({"response": 20, "reply": 30, "closure": 20, "satisfaction": 20}, {}, None),  # adds up to 90
        ({"response": 120, "reply": -20}, {}, "weight_response"),
        ({"response": 100}, {"late": -1}, "deduct_late"),
        ({"response": Decimal("33.333"), "reply": Decimal("66.667")}, {}, "weight_response"),
    ],
)
def test_bad_schemes_are_refused_and_nothing_is_written(app, weights, deductions, field):
    data = SchemeInput(date(2027, 1, 1), {k: Decimal(v) for k, v in weights.items()},
                       {k: Decimal(v) for k, v in deductions.items()})  # fmt: skip
    with pytest.raises(SchemeRefusal) as refused:
        save_scheme(None, data, user("admin"), NOW)
    db.session.rollback()
    assert refused.value.field == field
    assert (
        db.session.scalar(select(ScoreScheme).where(ScoreScheme.effective_from == date(2027, 1, 1))) is None
    )
    assert db.session.scalars(select(ConfigChange)).all() == []


def test_scheme_changes_are_audited(app):
    made = scheme(date(2027, 1, 1), {"response": 50, "satisfaction": 50}, {"late": 1}, 10)
    data = SchemeInput(
        date(2027, 2, 1), {"response": Decimal(40), "satisfaction": Decimal(60)}, {"late": Decimal(1)}
    )
    save_scheme(made, data, user("admin"), NOW)
    db.session.commit()
    rows = db.session.scalars(
        select(ConfigChange).where(ConfigChange.entity == "score_scheme").order_by(ConfigChange.id)
    ).all()
    assert [row.action for row in rows] == ["create", "update"]
    assert rows[1].before["weights"] == {"response": 50, "satisfaction": 50}
    assert rows[1].after == {
        "effective_from": "2027-02-01",
        "weights": {"response": 40, "satisfaction": 60},
        "deductions": {"late": 1},
        "max_deduction": None,
        "note": "",
    }
    with pytest.raises(SchemeRefusal) as taken:
        scheme(date(2000, 1, 1), {"response": 100})
    assert taken.value.field == "effective_from"
