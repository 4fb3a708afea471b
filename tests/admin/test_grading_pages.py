"""The 分级规则 page (administrators only): creating and checking rules, the audit trail, the figures of how
often clerks graded otherwise with links to the cases; and the intake form's grade hint."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.timeutil import utcnow
from models.audit import ConfigChange
from models.enums import Grade
from models.enums import Status
from models.grading import GradeSuggestion
from models.grading import GradingRule
from models.org import Category
from tests.support.factories import make_case

RULE_FORM = {"name": "群体讨薪", "grade": "yellow", "priority": "3", "active": "y"}


def rules(db) -> list[GradingRule]:
    db.session.expire_all()
    return list(db.session.scalars(select(GradingRule).order_by(GradingRule.id)))


def test_admin_creates_a_rule_with_keywords_typed_in_any_separator(client, login_as, db):
    login_as("admin")
    parent = db.session.scalars(select(Category).where(Category.code == "CSGL")).one()
    data = {
        **RULE_FORM,
        "keywords": "讨薪、欠薪，拖欠工资\n集体, ＡＢＣ  \n讨薪",
        "min_people": "10",
        "min_amount": "100000",
        "categories": str(parent.id),
    }
    response = client.post("/admin/grading_rule/new/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [rule] = rules(db)
    assert rule.keywords == ["讨薪", "欠薪", "拖欠工资", "集体", "ABC"]  # NFKC, blanks dropped, once each
    assert rule.min_people == 10 and rule.min_amount == Decimal(100000) and rule.grade == Grade.YELLOW
    assert [c.code for c in rule.categories] == ["CSGL"]
    [audit] = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "grading_rule")).all()
    assert audit.action == "create" and audit.after["keywords"] == "讨薪、欠薪、拖欠工资、集体、ABC"
    # the edit form shows the keywords one per line
    html = client.get(f"/admin/grading_rule/edit/?id={rule.id}").get_data(as_text=True)
    assert "讨薪\n欠薪\n拖欠工资" in html
    # and the list shows them with 、, the amount in 万元
    html = client.get("/admin/grading_rule/").get_data(as_text=True)
    assert "讨薪、欠薪、拖欠工资" in html and "10万元" in html and 'id="grading-help"' in html
    assert "红色高于黄色" in html
    html = client.get(f"/admin/grading_rule/details/?id={rule.id}").get_data(as_text=True)
    assert "讨薪、欠薪、拖欠工资" in html and "城市管理" in html and "10万元" in html


def test_an_edit_is_audited_old_and_new(client, login_as, db):
    login_as("admin")
    rule = GradingRule(name="十人", grade=Grade.YELLOW, min_people=10)
    db.session.add(rule)
    db.session.commit()
    data = {**RULE_FORM, "name": "十人", "min_people": "12", "keywords": ""}
    assert client.post(f"/admin/grading_rule/edit/?id={rule.id}", data=data).status_code == 302
    [audit] = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "grading_rule")).all()
    assert audit.action == "update" and audit.before["min_people"] == 10 and audit.after["min_people"] == 12


@pytest.mark.parametrize(
    "change, message",
    [
        ({}, "请至少设置一个条件"),
        ({"min_people": "0"}, "数值大小必须介于 1 到 1000000 之间"),
        ({"min_amount": "-5"}, "数值大小必须介于 0.01 到"),
        ({"keywords": "、，\n"}, "请至少设置一个条件"),
        ({"keywords": "长" * 51}, "每个关键词最多 50 个字"),
        ({"name": "", "min_people": "5"}, "必填"),
    ],
)
def test_bad_rules_are_refused_with_a_chinese_message(client, login_as, db, change, message):
    login_as("admin")
    response = client.post("/admin/grading_rule/new/", data={**RULE_FORM, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert rules(db) == []


def test_rules_cannot_be_deleted_only_switched_off(client, login_as, db):
    login_as("admin")
    rule = GradingRule(name="十人", grade=Grade.YELLOW, min_people=10)
    db.session.add(rule)
    db.session.commit()
    client.post("/admin/grading_rule/delete/", data={"id": rule.id})
    assert len(rules(db)) == 1


@pytest.mark.parametrize("role", ["clerk", "supervisor", "handler", "leader"])
def test_non_admins_get_403(client, login_as, db, role):
    login_as(role, "SA" if role == "handler" else None)
    assert client.get("/admin/grading_rule/").status_code == 403
    assert client.post("/admin/grading_rule/new/", data={**RULE_FORM, "min_people": "3"}).status_code == 403
    assert rules(db) == []


def _suggestion(case, suggested, final, rule_ids, days_ago, reason=None):
    return GradeSuggestion(
        case_id=case.id,
        suggested_grade=suggested,
        final_grade=final,
        differed=suggested != final,
        clerk_reason=reason,
        rule_ids=rule_ids,
        reasons=[],
        created_at=utcnow() - timedelta(days=days_ago),
        decided_at=utcnow() - timedelta(days=days_ago),
    )


def test_disagreement_figures_overall_and_per_rule_with_links(client, login_as, db):
    red = GradingRule(name="扬言极端", grade=Grade.RED, keywords=["跳楼"])
    yellow = GradingRule(name="十人以上", grade=Grade.YELLOW, min_people=10)
    db.session.add_all([red, yellow])
    db.session.commit()
    cases = [make_case(Status.REGISTERED, title=f"案件{i}") for i in range(5)]
    db.session.add_all(
        [
            _suggestion(cases[0], Grade.RED, Grade.GREEN, [red.id], 3, "核实为玩笑"),
            _suggestion(cases[1], Grade.RED, Grade.RED, [red.id], 5),
            _suggestion(cases[2], Grade.YELLOW, Grade.RED, [yellow.id], 10, "情绪激烈"),
            _suggestion(cases[3], Grade.GREEN, Grade.GREEN, [], 40),
            _suggestion(cases[4], Grade.GREEN, Grade.YELLOW, [], 60, "多次来电"),
        ]
    )
    db.session.commit()
    login_as("admin")
    html = client.get("/admin/grading_rule/").get_data(as_text=True)
    section = html[html.index('id="grading-disagreement"') :]
    last30, last90 = section.split('data-window="90"')
    assert "共 3 件，其中 2 件与建议不同（66.7%）：调高 1 件，调低 1 件。" in last30
    assert "共 5 件，其中 3 件与建议不同（60.0%）：调高 2 件，调低 1 件。" in last90
    assert "扬言极端" in last30 and "未触发规则" not in last30 and "未触发规则" in last90
    assert f"/admin/case/details/?id={cases[0].id}" in last30 and "核实为玩笑" in last30
    assert f"/admin/case/details/?id={cases[1].id}" not in section  # as suggested: not listed
    assert f"/admin/case/details/?id={cases[4].id}" in last90 and "多次来电" in last90


def test_grade_hint_suggests_as_the_clerk_types(client, login_as, db):
    db.session.add(GradingRule(name="扬言极端", grade=Grade.RED, keywords=["跳楼"]))
    db.session.add(GradingRule(name="十人以上", grade=Grade.YELLOW, min_people=10))
    db.session.commit()
    login_as("clerk")
    answer = client.post("/admin/grade_hint/", data={"title": "欠薪", "people_involved": "１２"}).get_json()
    assert answer["grade"] == "yellow" and answer["label"] == "黄色" and "十人以上" in answer["reasons"][0]
    answer = client.post(
        "/admin/grade_hint/", data={"content": "扬言跳楼", "people_involved": "x"}
    ).get_json()
    assert answer["grade"] == "red" and len(answer["reasons"]) == 1
    answer = client.post("/admin/grade_hint/", data={"title": "路灯不亮"}).get_json()
    assert answer == {"grade": "green", "label": "绿色", "reasons": []}
    assert client.get("/admin/grade_hint/").status_code == 405  # never in an address
    db.session.expire_all()
    assert db.session.scalars(select(GradeSuggestion)).first() is None  # nothing written


@pytest.mark.parametrize("role", ["handler", "leader"])
def test_grade_hint_is_for_intake_roles_only(client, login_as, db, role):
    login_as(role, "SA" if role == "handler" else None)
    assert client.post("/admin/grade_hint/", data={"title": "跳楼"}).status_code == 403


def test_intake_form_carries_the_grade_hint(client, login_as, db):
    login_as("clerk")
    html = client.get("/admin/case/new/").get_data(as_text=True)
    assert 'id="grade-hint-source"' in html and "grade_suggest.js" in html
