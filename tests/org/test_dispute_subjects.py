"""The catalogue marks its dispute subjects (矛盾纠纷 …), which the 化解率 counts; others stay unmarked."""

from sqlalchemy import select

from app.extensions import db
from app.org.catalogue import ensure_categories
from models.org import Category


def test_the_default_catalogue_marks_the_dispute_subjects(app):
    ensure_categories(db.session)
    marked = {
        code.split("-")[-1] for code in db.session.scalars(select(Category.code).where(Category.is_dispute))
    }
    assert {"MDJF", "JJJF", "YHJF", "QX"} <= marked
    assert "SHZA" not in marked and "HJ" not in marked  # 社会治安, 户籍: no disputes


def test_an_administrator_marks_a_subject_as_a_dispute(client, login_as):
    login_as("admin")
    category = db.session.scalars(select(Category).where(Category.code == "CXJS")).one()
    page = client.get(f"/admin/category/edit/?id={category.id}").get_data(as_text=True)
    assert 'name="is_dispute"' in page and "矛盾纠纷类" in page
    form = {"code": "CXJS", "name": category.name, "is_dispute": "y", "active": "y", "sort_order": "0"}
    assert client.post(f"/admin/category/edit/?id={category.id}", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Category, category.id).is_dispute is True
