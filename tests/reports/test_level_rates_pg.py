"""The level figures on a real PostgreSQL 15: the 令, co-handled parts and answers at intake of
tests/reports/test_level_rates.py counted live, built into the rollup, and read back the same."""

import pytest

from app.extensions import db
from app.reports import rollup
from app.reports.rate_table import rate_rows
from tests.reports.test_level_rates import BUILT
from tests.reports.test_level_rates import FIELD_RATES
from tests.reports.test_level_rates import NOW
from tests.reports.test_level_rates import WEEK
from tests.reports.test_level_rates import at_intake
from tests.reports.test_level_rates import by_department
from tests.reports.test_level_rates import co_handled
from tests.reports.test_level_rates import counts
from tests.reports.test_level_rates import orders
from tests.reports.test_level_rates import values
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)


@pytest.fixture
def app(pg_app):
    """Every test here runs on PostgreSQL."""
    return pg_app


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_level_figures_on_postgres(app):
    assert db.engine.dialect.name == "postgresql"
    orders()
    co_handled()
    at_intake()
    db.session.commit()
    rows = by_department()
    assert [counts(rows["BA"][key]) for key in FIELD_RATES] == [(2, 2), (2, 2), (2, 2), (1, 2), (1, 2)]
    assert [counts(rows["BB"][key]) for key in FIELD_RATES] == [(0, 1), (0, 1), (0, 1), (0, 0), (1, 1)]
    assert counts(rows["BA"]["co_handling"]) == (0, 2) and rows["SA"]["parts_waived"].value == 1
    assert counts(rate_rows(WEEK, NOW)[None]["at_intake"]) == (2, 3)
    live = {group: values(BUILT, group=group) for group in (None, "department", "day")}
    list(rollup.build_missing(NOW))
    db.session.commit()
    assert {group: values(BUILT, group=group) for group in live} == live
