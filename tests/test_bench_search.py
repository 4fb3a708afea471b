"""``python -m bench.search`` on a small generated database: the index is built for every generated case (they
are written around the session), the rare word is planted, and each timed page lists what it should."""

import argparse

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from bench import bench_config
from bench import database_url
from bench.search import RARE
from bench.search import RARE_CASES
from bench.search import goals_table
from bench.search import measure
from models.case import Case

SIZE = 2000


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        url = database_url(SIZE, tmp_path_factory.mktemp("bench"))
    return url, measure(url, SIZE, argparse.Namespace(runs=2, warmup=1), log=lambda message: None)


def test_every_generated_case_is_indexed_and_each_search_lists_matching_cases(result):
    url, found = result
    assert found["indexed"] == SIZE
    pages = {page["term"]: page for page in found["pages"]}
    assert pages[None]["page"] == "default list" and len(pages[None]["numbers"]) == 20
    assert pages["燃气泄漏"]["numbers"] == []
    app = create_app(bench_config(url))
    with app.app_context():
        for term, page in pages.items():
            if term is None or term.isdigit():
                continue
            rows = db.session.execute(
                select(Case.title, Case.content).where(Case.number.in_(page["numbers"]))
            )
            assert all(term in title + content for title, content in rows), term
        planted = db.session.scalars(select(Case.id).where(Case.title.contains(RARE))).all()
        tail = [p for t, p in pages.items() if t and t.isdigit()][0]
        last4 = db.session.scalars(
            select(Case.citizen_phone_last4).where(Case.number.in_(tail["numbers"]))
        ).all()
        db.engine.dispose()
    assert len(planted) == RARE_CASES and len(pages[RARE]["numbers"]) == 20
    assert tail["numbers"] and any(value == tail["term"] for value in last4)
    table, _ok = goals_table([found])
    assert table.count("\n") == len(found["pages"]) + 1
