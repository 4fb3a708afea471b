"""The case search index on a real PostgreSQL 15 (weighted tsvector of bigrams under GIN): the same tests as
on SQLite (tests/cases/test_search_index.py, tests/admin/test_case_search_scale.py), and the plan."""

import pytest
from sqlalchemy import text

from app.cases import search_index
from app.extensions import db
from tests.admin.test_case_search_scale import cases  # noqa: F401  (fixture)
from tests.admin.test_case_search_scale import test_masked_roles_search_no_digits_in_free_text  # noqa: F401
from tests.admin.test_case_search_scale import test_the_scope_holds_for_the_list_its_count_and_the_export  # noqa: F401
from tests.admin.test_case_search_scale import test_words_in_title_content_name_and_address  # noqa: F401
from tests.cases.test_search_index import leak  # noqa: F401  (fixture)
from tests.cases.test_search_index import test_a_bulk_update_goes_through_rewriting  # noqa: F401
from tests.cases.test_search_index import test_a_case_written_by_the_intake_s_direct_insert_is_indexed  # noqa: F401
from tests.cases.test_search_index import test_a_deleted_case_leaves_the_index  # noqa: F401
from tests.cases.test_search_index import test_a_new_case_is_found_by_any_piece_of_each_text  # noqa: F401
from tests.cases.test_search_index import test_a_very_long_content_is_saved_and_its_beginning_found  # noqa: F401
from tests.cases.test_search_index import test_an_edit_moves_the_case_from_the_old_words_to_the_new  # noqa: F401
from tests.cases.test_search_index import test_an_erased_citizen_is_no_longer_findable  # noqa: F401
from tests.cases.test_search_index import test_rows_written_around_the_session_are_indexed_by_the_command  # noqa: F401
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

pytestmark = [pytest.mark.pg, pytest.mark.xdist_group("pg")]


@pytest.fixture
def app(pg_app):
    """Every test here runs on PostgreSQL."""
    return pg_app


def test_the_simple_parser_keeps_each_bigram_one_token(app):
    """Under the tests' ``--locale=C`` cluster too: CJK pairs, a digit and a character, Latin pairs."""
    tokens = db.session.scalars(
        text("SELECT token FROM ts_debug('simple', '漏水 水管 5号 号 ab ǎb 1e')")
    ).all()
    assert [t for t in tokens if t.strip()] == ["漏水", "水管", "5号", "号", "ab", "ǎb", "1e"]


def test_the_search_walks_the_gin_index(app, leak):  # noqa: F811
    db.session.execute(
        text("SET LOCAL enable_seqscan = off")
    )  # a tiny table: ask whether the index can serve
    ids = search_index.matching_ids(db.session, "漏水", search_index.COLUMNS)
    compiled = ids.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_case_search_doc" in plan
