"""The command tests need leaders of every rank."""

import pytest

from tests.support.factories import make_ranked_leaders


@pytest.fixture(autouse=True)
def ranked_leaders(request):
    """Leaders of each rank in whichever database the test uses (SQLite, or PostgreSQL for ``pg`` tests)."""
    request.getfixturevalue("pg_app" if "pg_app" in request.fixturenames else "app")
    make_ranked_leaders()
