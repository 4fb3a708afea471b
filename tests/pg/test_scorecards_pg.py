"""Scorecards on a real PostgreSQL 15: the default scheme from the migration, publishing once (the conditional
UPDATE counts its row there too), and the snapshot read back unchanged after the cases change."""

from datetime import date

import pytest

from app.extensions import db
from app.refusal import Refusal
from app.reports import rollup
from app.reports import scorecards
from app.reports.score_schemes import scheme_for
from tests.support.factories import dept
from tests.support.factories import user
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)
from tests.support.scorecards import NOW
from tests.support.scorecards import placed_cases
from tests.support.scorecards import scores

MARCH = date(2026, 3, 1)


@pytest.fixture
def app(pg_app):
    """Every test here runs on PostgreSQL."""
    return pg_app


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_a_published_card_is_frozen_on_postgres(app):
    assert db.engine.dialect.name == "postgresql"
    assert scheme_for(MARCH).weights == {"response": 20, "reply": 30, "closure": 20, "satisfaction": 30}
    cases = placed_cases()
    list(rollup.build_missing(NOW))
    db.session.commit()
    period = scorecards.period_row("month", MARCH, "department")
    published = scorecards.publish(period, user("supervisor"), NOW)
    db.session.commit()
    with pytest.raises(Refusal):
        scorecards.publish(scorecards.period_row("month", MARCH, "department"), user("admin"), NOW)
    db.session.rollback()

    cases["C"].lead_department_id = dept("BB").id
    db.session.commit()
    rollup.apply_corrections(NOW)
    db.session.commit()
    frozen = scorecards.card("month", MARCH, "department", NOW)
    assert frozen == published
    assert scores(frozen) == [(1, "BB", 100.0, "red"), (2, "SA", 60.0, None), (3, "SB", -3.0, "black")]
    assert scores(scorecards.live_card("month", MARCH, "department", NOW))[0] == (1, "BB", 62.0, "red")
