"""The case search index: bigram tokens, kept in step with every write of a case (new, edited, erased,
deleted), the reindex command for rows written around the session, and the rebuild after a bulk write."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

from app.cases import opening
from app.cases import search_index
from app.cases.search_text import QueryRun
from app.cases.search_text import index_tokens
from app.cases.search_text import query_runs
from app.extensions import db
from app.privacy.retention import anonymise
from app.timeutil import utcnow
from models.case import Case
from models.enums import Status
from tests.support.factories import make_case

ALL = search_index.COLUMNS


def found(term: str, columns=ALL) -> set[int]:
    ids = search_index.matching_ids(db.session, term, columns)
    return set() if ids is None else set(db.session.scalars(ids))


def indexed_terms(case_id: int) -> set[str]:
    """Every token the index holds for a case (SQLite: through an fts5vocab table; PostgreSQL: ts_stat)."""
    if search_index.dialect(db.session) == "postgresql":
        query = f"SELECT doc || number_doc FROM case_search WHERE case_id = {int(case_id)}"
        return set(db.session.scalars(text("SELECT word FROM ts_stat(:query)"), {"query": query}))
    db.session.execute(
        text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, case_fts, instance)")
    )
    return set(db.session.scalars(text("SELECT term FROM temp.terms WHERE doc = :id"), {"id": case_id}))


# --- the tokens -----------------------------------------------------------------------------------------


def test_a_text_becomes_bigrams_of_each_run_and_its_last_character():
    assert index_tokens("漏水管") == "漏水 水管 管"
    assert index_tokens("王 5号楼，ＡＢ-c") == "王 5号 号楼 楼 ab b c"  # NFKC, case-folded, runs cut at signs
    assert index_tokens(None) == "" and index_tokens("，。！") == ""
    assert index_tokens("漏" * 20_000).count(" ") == 15_000 - 1  # a long text: its beginning only


def test_a_term_becomes_a_phrase_per_run_and_a_prefix_for_one_character():
    assert query_runs("漏水管") == [QueryRun(("漏水", "水管"), False)]
    assert query_runs("王") == [QueryRun(("王",), True)]
    assert query_runs("５号-Ａ") == [QueryRun(("5号",), False), QueryRun(("a",), True)]
    assert query_runs("——") == []


# --- kept in step -------------------------------------------------------------------------------------


@pytest.fixture
def leak(db):
    return make_case(
        Status.DISPATCHED,
        title="楼上漏水",
        content="卫生间天花板渗水，邻居不配合维修。",
        citizen_name="欧阳娜娜",
        address="幸福路8号",
    )


def test_a_new_case_is_found_by_any_piece_of_each_text(leak):
    for term in ("漏水", "楼上漏水", "天花板", "欧阳", "娜", "幸福路8号", "8号"):
        assert found(term) == {leak.id}, term
    assert found("水漏") == set()  # the characters must stand in that order
    assert found("上漏水管") == set()
    assert found("天花板", ["title", "citizen_name", "address"]) == set()  # the column choice holds


def test_an_edit_moves_the_case_from_the_old_words_to_the_new(leak):
    leak.title = "噪音扰民"
    leak.content = "工地夜间施工"
    db.session.commit()
    assert found("漏水") == set() and found("天花板") == set()
    assert found("噪音") == {leak.id} and found("夜间施工") == {leak.id}
    leak.title = "噪音扰民再次反映"  # a second edit removes exactly what the first one wrote
    db.session.commit()
    assert found("再次") == {leak.id} and found("噪音扰民") == {leak.id}
    # the index holds exactly the tokens of the texts as they stand: nothing of the old ones is left
    expected = {token for name in search_index.INDEXED for token in index_tokens(getattr(leak, name)).split()}
    assert indexed_terms(leak.id) == expected


def test_an_erased_citizen_is_no_longer_findable(leak):
    anonymise(leak, utcnow())
    db.session.commit()
    assert leak.citizen_name is None
    assert found("欧阳娜娜") == set() and found("幸福路") == set()
    assert found("漏水") == {leak.id}  # the matter itself stays searchable


def test_a_deleted_case_leaves_the_index(leak):
    other = make_case(Status.NEW, title="楼上漏水")
    db.session.delete(leak)
    db.session.commit()
    assert found("漏水") == {other.id}


def test_rows_written_around_the_session_are_indexed_by_the_command(app, leak):
    db.session.execute(update(Case).where(Case.id == leak.id).values(title="x"))  # what a bulk import does
    search_index.clear(db.session)
    db.session.commit()
    assert found("欧阳") == set()
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "1 cases indexed" in result.output
    assert found("欧阳") == {leak.id} and found("漏水") == set()
    again = app.test_cli_runner().invoke(args=["search", "reindex"])  # nothing left to do: resumes at the end
    assert "0 cases indexed" in again.output
    assert found("欧阳") == {leak.id}


def test_a_bulk_update_goes_through_rewriting(leak):
    with search_index.rewriting(db.session, [leak.id]):
        db.session.execute(update(Case).where(Case.id == leak.id).values(citizen_name=None, address=None))
    db.session.commit()
    assert found("欧阳") == set() and found("幸福路") == set() and found("漏水") == {leak.id}
    leak_row = db.session.execute(select(Case.title).where(Case.id == leak.id)).scalar_one()
    assert leak_row == "楼上漏水"


@pytest.mark.parametrize("few, one_in", [(5000, 20), (1, 10**9), (1, 1)])
def test_every_plan_finds_the_same_cases(client, login_as, monkeypatch, few, one_in):
    """SQLite picks its plan by the number of matches (read by id, gathered, probed row by row): forced
    here with tiny bounds, each gives the same page and count."""
    monkeypatch.setattr(search_index, "FEW", few)
    monkeypatch.setattr(search_index, "MANY_ONE_IN", one_in)
    leaks = {make_case(Status.DISPATCHED, lead="SA", title=f"楼上漏水{i}").number for i in range(3)}
    make_case(Status.DISPATCHED, lead="SA", title="噪音扰民")
    make_case(Status.DISPATCHED, lead="SB", title="楼上漏水")
    login_as("handler", "SA")
    html = client.get("/admin/case/", query_string={"search": "漏水"}).get_data(as_text=True)
    assert set(re.findall(r"SQ\d{8}-\d{6,}", html)) == leaks
    assert "列表 (3)" in html


def test_a_case_written_by_the_intake_s_direct_insert_is_indexed(db):
    """Public letters and Open311 requests are written with Core INSERTs (app.cases.direct_insert)."""
    case = Case(
        channel="api", request_type="complaint", title="楼道燃气味", content="请尽快检查", citizen_name="赵六"
    )
    opening.open_case(case, None, direct=True)
    db.session.commit()
    assert found("燃气") == {case.id} and found("赵六") == {case.id}
    assert found(case.number[-6:], ["number"]) == {case.id}


def test_a_very_long_content_is_saved_and_its_beginning_found(db):
    case = make_case(Status.NEW, content="开头说明" + "内容很长很长" * 5000)  # 30,004 characters
    assert found("开头说明") == {case.id} and found("很长很长") == {case.id}
