"""Attachment storage on a real PostgreSQL 15: the same tests as tests/intake/test_storage.py (bytea chunks,
the case page streaming from the database, migrate both ways, resume, a damaged chunk)."""

import pytest

from tests.intake.test_storage import app_config  # noqa: F401  (fixture: tiny chunks, own upload folder)
from tests.intake.test_storage import test_a_damaged_chunk_is_caught_and_its_file_stays  # noqa: F401
from tests.intake.test_storage import test_an_interrupted_migrate_carries_on  # noqa: F401
from tests.intake.test_storage import test_database_backend_serves_the_case_files_scoped  # noqa: F401
from tests.intake.test_storage import test_migrate_to_the_database_and_back_with_checksums  # noqa: F401
from tests.intake.test_storage import test_round_trip_in_chunks  # noqa: F401
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

pytestmark = [pytest.mark.pg, pytest.mark.xdist_group("pg")]


@pytest.fixture
def app(pg_app):
    """Every test here runs on PostgreSQL."""
    return pg_app
