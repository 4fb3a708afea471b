"""The case list's search by number, tracking code, phone and its last four digits on a real PostgreSQL 15:
the same tests as on SQLite (tests/admin/test_case_search.py); there an index condition OR a piece of the
case number is written as a union of ids (see admin_views.cases.search)."""

import pytest

from tests.admin.test_case_search import cases  # noqa: F401  (fixture)
from tests.admin.test_case_search import test_a_leader_cannot_search_by_the_masked_phone  # noqa: F401
from tests.admin.test_case_search import test_by_a_piece_of_the_case_number  # noqa: F401
from tests.admin.test_case_search import test_by_the_phone_s_last_four_digits  # noqa: F401
from tests.admin.test_case_search import test_by_tracking_code_in_any_case  # noqa: F401
from tests.admin.test_case_search import test_search_stays_in_the_scope  # noqa: F401
from tests.admin.test_case_search import test_the_masked_rule_as_sql  # noqa: F401
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

pytestmark = [pytest.mark.pg, pytest.mark.xdist_group("pg")]


@pytest.fixture
def app(pg_app):
    """Every test here runs on PostgreSQL."""
    return pg_app
