"""The suggestion's pages: the intake form's look-up, the case page panel, the settings page with its
retrain button and the keyword editor; who may reach each."""

import pytest
from sqlalchemy import select

from app import suggest
from app.extensions import db
from app.suggest import training
from app.timeutil import utcnow
from models.suggest import CategoryHint
from models.suggest import RoutingSuggestion
from models.suggest import SuggestModel
from tests.suggest import corpus
from tests.support import factories
from tests.support.web import logged_in


@pytest.fixture
def trained(app, monkeypatch):
    """The small corpus as closed cases and a model trained on it; the categories by code."""
    categories = corpus.make_catalogue(monkeypatch)
    corpus.make_closed_cases(categories)
    training.train(utcnow())
    db.session.commit()
    return categories


def test_intake_lookup_suggests_as_the_clerk_types(client, login_as, trained):
    """Three categories with their ids (to choose in the dropdown), labels and scores, and the department."""
    login_as("clerk")
    response = client.post("/admin/routing_hint/", data={"title": "讨薪", "content": "干完活了工头不给钱"})
    assert response.status_code == 200
    data = response.get_json()
    assert len(data["categories"]) == 3
    first = data["categories"][0]
    assert first["id"] == trained["LDSB-QX"].id and first["code"] == "LDSB-QX" and first["label"] == "欠薪"
    assert data["department"] == {"name": "区城管局"}
    short = client.post("/admin/routing_hint/", data={"title": "", "content": "你好"}).get_json()
    assert short == {"categories": [], "department": None}
    assert client.get("/admin/routing_hint/").status_code == 405


@pytest.mark.parametrize("role, code", [("handler", "SA"), ("leader", None)])
def test_intake_lookup_is_for_intake_roles(client, login_as, trained, role, code):
    """Handlers and leaders do not register cases: 403."""
    login_as(role, code)
    assert client.post("/admin/routing_hint/", data={"content": "公司拖欠工资"}).status_code == 403


@pytest.fixture
def app_config(request):
    """CSRF on for the test of the token (the others post without one)."""
    return {"WTF_CSRF_ENABLED": True} if request.node.name.endswith("need_the_token") else {}


def test_intake_lookup_and_retrain_need_the_token(client, trained):
    """Without the form's token the look-up and the retrain button are refused; with it they work."""
    token = logged_in(client, "admin")
    assert client.post("/admin/routing_hint/", data={"content": "公司拖欠工资"}).status_code == 400
    ok = client.post("/admin/routing_hint/", data={"content": "公司拖欠工资"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json()["categories"]
    assert client.post("/admin/suggest_model/retrain/").status_code == 400
    assert client.post("/admin/suggest_model/retrain/", data={"csrf_token": token}).status_code == 302


def test_intake_form_carries_the_lookup(client, login_as, trained):
    """The new-case form loads the script and names the look-up's address."""
    login_as("clerk")
    html = client.get("/admin/case/new/").get_data(as_text=True)
    assert 'id="routing-suggest-lookup"' in html and "routing_suggest.js" in html
    assert "/admin/routing_hint/" in html


def test_case_page_panel_shows_what_was_suggested_and_chosen(client, login_as, trained):
    """The panel lists the suggestions kept at intake and marks the category the case was given."""
    case = factories.make_case(title="工钱", content="干完活了工头不给钱")
    suggest.record(case, suggest.suggest(case.title, case.content), utcnow())
    case.category = trained["LDSB-QX"]
    db.session.commit()
    login_as("clerk")
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="routing-suggestion"' in html
    panel = html[html.index('id="routing-suggestion"') :]
    assert "欠薪" in panel and "区城管局" in panel
    assert "badge-success" in panel[: panel.index("</table>")]
    login_as("handler", "SA")  # the case is led by SA: the handler sees the case, not the intake aid
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="routing-suggestion"' not in html


def test_staff_intake_records_the_suggestion(client, login_as, trained):
    """A case registered on the intake form keeps its suggestion, already measured against the clerk's choice."""
    login_as("clerk")
    response = client.post(
        "/admin/case/new/",
        data={
            "channel": "hotline",
            "request_type": "complaint",
            "category": trained["CSGL-PSXT"].id,
            "title": "下水道堵了",
            "content": "小区的污水管堵住了，脏水流到路上，臭气熏天",
            "grade": "green",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    row = db.session.scalars(select(RoutingSuggestion).order_by(RoutingSuggestion.id.desc())).first()
    assert row is not None and row.categories[0]["code"] == "CSGL-PSXT"
    assert row.chosen_category_id == trained["CSGL-PSXT"].id and row.top1_right is True


def test_settings_page_and_retrain(client, login_as, trained):
    """The admin sees the model's figures and the clerks' recent choices, and can retrain."""
    login_as("admin")
    html = client.get("/admin/suggest_model/").get_data(as_text=True)
    assert 'id="model-version">1<' in html
    assert "recent-30" in html and "recent-90" in html
    response = client.post("/admin/suggest_model/retrain/")
    assert response.status_code == 302
    assert db.session.scalar(select(SuggestModel.version).order_by(SuggestModel.version.desc())) == 2


@pytest.mark.parametrize("role, code", [("supervisor", None), ("clerk", None), ("handler", "SA")])
def test_settings_are_for_administrators(client, login_as, trained, role, code):
    """Other roles get 403 on the page, the retrain button and the keyword list."""
    login_as(role, code)
    assert client.get("/admin/suggest_model/").status_code == 403
    assert client.post("/admin/suggest_model/retrain/").status_code == 403
    assert client.get("/admin/category_hint/").status_code == 403
    assert db.session.scalar(select(SuggestModel.version).order_by(SuggestModel.version.desc())) == 1


def test_keyword_editor(client, login_as, trained):
    """An admin adds keywords for a category (stored one per line); a second row for it is refused."""
    login_as("admin")
    category = trained["SCJG-YFK"]
    response = client.post(
        "/admin/category_hint/new/", data={"category": category.id, "keywords": "预付卡、退费\n 会员卡 "}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(CategoryHint.keywords)) == "预付卡\n退费\n会员卡"
    listing = client.get("/admin/category_hint/").get_data(as_text=True)
    assert "预付卡、退费、会员卡" in listing
    again = client.post("/admin/category_hint/new/", data={"category": category.id, "keywords": "储值卡"})
    assert again.status_code == 200
    assert db.session.scalar(select(db.func.count(CategoryHint.id))) == 1
