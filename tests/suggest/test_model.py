"""The category suggestion: training on closed cases, unseen phrasings, cold start from keyword hints, the
model stored in the database, the CLI, and the record of what was suggested against what was chosen."""

import json

from sqlalchemy import select

from app import suggest
from app.extensions import db
from app.suggest import hints
from app.suggest import model
from app.suggest import training
from app.suggest.text import normalise
from app.timeutil import utcnow
from models.suggest import CategoryHint
from models.suggest import RoutingSuggestion
from models.suggest import SuggestModel
from tests.suggest.corpus import CORPUS
from tests.support import factories


def test_text_is_normalised():
    """Full-width letters, case, phone and case numbers do not reach the model."""
    text = normalise("ＫＴＶ噪音", "电话13800138000，件号SQ-2026-000123，已经３次")
    assert "ktv噪音" in text
    assert not any(ch.isdigit() for ch in text)
    assert "sq" not in text


def test_unseen_phrasings_have_their_category_in_the_top_three(closed_cases):
    """Trained on the office's closed cases, each unseen phrasing finds its category among the three."""
    row = training.train(utcnow())
    db.session.commit()
    assert row is not None and row.cases_used == 40 and row.categories == 5
    misses, firsts = [], 0
    for code, (_name, _lead, _seen, unseen) in CORPUS.items():
        for text in unseen:
            result = suggest.suggest("", text)
            codes = [c["code"] for c in result["categories"]]
            firsts += codes[0] == code
            if code not in codes:
                misses.append((text, codes))
    assert misses == []
    assert firsts >= 8, firsts  # of 10: among five categories the top three alone would prove little
    wage = suggest.suggest("讨薪", "干完活了工头不给钱")
    assert wage["categories"][0]["code"] == "LDSB-QX"
    assert wage["department"]["code"] == "BA"  # the category's default lead department
    assert len(wage["categories"]) == 3
    assert wage["categories"][0]["score"] >= wage["categories"][1]["score"]


def test_held_out_split_is_stratified_and_measured(closed_cases):
    """Each category gives about a fifth of its cases to the held-out split; the figures are stored."""
    _codes, labels = training.closed_cases()
    train_ids, test_ids = model.split(labels)
    assert len(test_ids) == 10 and sorted(train_ids + test_ids) == list(range(40))
    assert {labels[i] for i in test_ids} == set(CORPUS)
    row = training.train(utcnow())
    assert row.held_out == 10
    assert row.top3 is not None and row.top3 >= 0.8
    assert row.top1 <= row.top3


def test_cold_start_from_hints_alone(catalogue):
    """With no closed case, the keywords suggest at once, and a model can be trained on them alone."""
    db.session.add_all(
        [
            CategoryHint(category=catalogue["LDSB-QX"], keywords="欠薪\n拖欠工资\n工钱"),
            CategoryHint(category=catalogue["CSGL-PSXT"], keywords="下水道、排水、积水、污水"),
            CategoryHint(category=catalogue["STHJ-ZS"], keywords="噪音\n噪声\n吵"),
        ]
    )
    db.session.commit()
    before = suggest.suggest("", "老板拖欠工资不给工钱")
    assert before["categories"][0]["code"] == "LDSB-QX" and before["version"] is None
    row = training.train(utcnow())
    db.session.commit()
    assert row.cases_used == 0 and row.hint_documents > 0 and row.top1 is None
    after = suggest.suggest("", "小区下水道堵了，污水流到路上")
    assert after["categories"][0]["code"] == "CSGL-PSXT" and after["version"] == row.version


def test_nothing_to_learn_from(catalogue):
    """No cases and no hints: no model, no suggestion."""
    assert training.train(utcnow()) is None
    assert suggest.suggest("标题", "一段内容") is None


def test_hints_seeded_once_from_the_starting_list(catalogue, monkeypatch):
    """The starting keywords fill an empty table at the first training, for categories that exist."""
    monkeypatch.setattr(hints, "HINTS", {"LDSB-QX": ["欠薪", "工资"], "NOPE-XX": ["无"]})
    assert hints.seed() == 1
    assert hints.seed() == 0
    assert db.session.scalar(select(CategoryHint.keywords)) == "欠薪\n工资"


def test_model_round_trips_through_the_database(closed_cases):
    """The stored bytes load into a pipeline that ranks as the one trained; the newest version is used."""
    first = training.train(utcnow())
    db.session.commit()
    training._loaded.update(key=None, pipeline=None)  # as another app server would start
    version, pipeline = training.current()
    assert version == first.version
    text = normalise("", "健身房关门了卡里的钱退不了")
    hint_map = hints.hint_map()
    assert model.rank(pipeline, text, hint_map)[0][0] == "SCJG-YFK"
    second = training.train(utcnow())
    db.session.commit()
    assert training.current()[0] == second.version == first.version + 1
    assert db.session.scalar(select(SuggestModel.blob).where(SuggestModel.version == second.version))


def test_record_follows_the_clerks_choice(closed_cases, catalogue):
    """The suggestion kept at intake is marked right or wrong as the case's category is set and changed."""
    training.train(utcnow())
    case = factories.make_case(title="工钱", content="干完活了工头不给钱")
    suggestion = suggest.suggest(case.title, case.content)
    suggest.record(case, suggestion, utcnow())
    db.session.commit()
    row = db.session.scalar(select(RoutingSuggestion).where(RoutingSuggestion.case_id == case.id))
    assert row.chosen_category_id is None and row.top1_right is None
    case.category = catalogue["LDSB-QX"]
    db.session.commit()
    db.session.refresh(row)
    assert row.chosen_category_id == catalogue["LDSB-QX"].id and row.top1_right and row.top3_right
    assert case.category.code == "LDSB-QX"  # loaded: setting the key alone must still count
    case.category_id = catalogue["CSGL-ZDJY"].id
    db.session.commit()
    db.session.refresh(row)
    assert row.top1_right is False
    assert row.department_right is None  # no lead department yet
    case.lead_department = factories.dept("BA")  # as dispatch sets it: the suggested LDSB-QX lead
    db.session.commit()
    db.session.refresh(row)
    assert row.department_right is True and row.chosen_department_id == factories.dept("BA").id
    figures = suggest.tracking.recent_accuracy(utcnow(), 30)
    assert figures["count"] == 1 and figures["top1"] == 0.0 and figures["department"] == 1.0


def test_cli_train_and_text(app, closed_cases):
    """``suggest train`` prints the held-out figures; ``suggest text`` prints the JSON of the issue."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["suggest", "train"])
    assert result.exit_code == 0, result.output
    assert "top-1" in result.output and "top-3" in result.output and "Held out 10" in result.output
    result = runner.invoke(args=["suggest", "text", "楼下广场舞音响太吵了，晚上没法休息"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"categories", "department"}
    assert len(data["categories"]) == 3
    assert set(data["categories"][0]) == {"code", "name", "score"}
    assert data["categories"][0] == {
        "code": "STHJ-ZS",
        "name": "噪声污染",
        "score": data["categories"][0]["score"],
    }
    assert data["department"] == {"code": "BB", "name": "区住建局"}
    assert "噪声污染" in result.output  # ensure_ascii=False


def test_suggesting_is_fast(closed_cases):
    """One suggestion takes a few milliseconds once the model is loaded."""
    import time

    training.train(utcnow())
    suggest.suggest("", "预热")
    started = time.perf_counter()
    for _ in range(20):
        suggest.suggest("工资", "公司拖欠工资三个月不发")
    assert (time.perf_counter() - started) / 20 < 0.05


def test_unreadable_model_falls_back_to_the_hints(catalogue):
    """A stored model that cannot be loaded (e.g. another scikit-learn) leaves the keywords to suggest."""
    db.session.add(CategoryHint(category=catalogue["LDSB-QX"], keywords="拖欠工资"))
    db.session.add(SuggestModel(trained_at=utcnow(), blob=b"not a model"))
    db.session.commit()
    result = suggest.suggest("", "公司拖欠工资")
    assert result["categories"][0]["code"] == "LDSB-QX" and result["version"] is None
