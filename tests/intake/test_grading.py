"""Grading rules (分级规则): each condition, precedence, keyword normalisation, category parents, repeat count,
the suggestion on every channel, the clerk's different grade (refused without a reason, kept with it) and a
later edit of the grade."""

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.cases.staff_intake import IntakeRefusal
from app.deadlines.policies import seed_default_policies
from app.intake import grading
from app.intake import repeats
from app.intake.grading_rules import DEFAULT_RULES
from app.intake.grading_rules import seed_default_rules
from app.intake.submission import CitizenRequest
from app.intake.submission import receive
from app.volunteers import clues
from models.case import Case
from models.enums import Channel
from models.enums import Grade
from models.grading import GradeSuggestion
from models.grading import GradingRule
from models.org import Category
from tests.support.factories import dept
from tests.support.factories import make_clue
from tests.support.factories import make_mailbox
from tests.support.factories import make_volunteer
from tests.support.factories import user

CLERK_FORM = {
    "channel": "hotline",
    "request_type": "complaint",
    "title": "小区门口占道经营",
    "content": "小区门口每天有摊贩占道，影响通行。",
    "citizen_name": "张三",
    "citizen_phone": "13900139000",
    "grade": "green",
}


def category(db, code: str) -> Category:
    return db.session.scalars(select(Category).where(Category.code == code)).one()


def rule(db, name="规则", grade=Grade.YELLOW, **conditions) -> GradingRule:
    row = GradingRule(
        name=name, grade=grade, active=True, priority=conditions.pop("priority", 0), **conditions
    )
    db.session.add(row)
    db.session.commit()
    return row


def case(**fields) -> Case:
    values = {"title": "占道经营", "content": "摊贩占道。", "channel": Channel.HOTLINE, **fields}
    return Case(**values)


def suggestion(db, case_id: int) -> GradeSuggestion:
    db.session.expire_all()
    return db.session.scalars(select(GradeSuggestion).where(GradeSuggestion.case_id == case_id)).one()


# --- matching ---------------------------------------------------------------------------------------


def test_no_rule_suggests_green_without_reasons(db):
    verdict = grading.suggest(case(people_involved=500))
    assert verdict.grade == Grade.GREEN and verdict.reasons == [] and verdict.rule_ids == []


def test_people_threshold(db):
    row = rule(db, "涉及人数30人以上", Grade.RED, min_people=30)
    assert grading.suggest(case(people_involved=29)).grade == Grade.GREEN
    assert grading.suggest(case(people_involved=None)).grade == Grade.GREEN
    verdict = grading.suggest(case(people_involved=30))
    assert verdict.grade == Grade.RED and verdict.rule_ids == [row.id]
    assert verdict.reasons == ["规则“涉及人数30人以上”建议红色：涉及 30 人（不少于 30 人）。"]


def test_amount_threshold_in_yuan(db):
    rule(db, "金额", Grade.YELLOW, min_amount=Decimal(100_000))
    assert grading.suggest(case(money_involved=Decimal("99999.99"))).grade == Grade.GREEN
    verdict = grading.suggest(case(money_involved=Decimal("120000")))
    assert verdict.grade == Grade.YELLOW
    assert "12万元" in verdict.reasons[0] and "不少于 10万元" in verdict.reasons[0]


def test_keywords_match_title_or_content_after_normalisation(db):
    rule(db, "讨薪", Grade.YELLOW, keywords=["讨薪", "ABC公司"])
    assert grading.suggest(case(title="工地讨 薪")).grade == Grade.YELLOW  # blanks ignored
    assert grading.suggest(case(content="ＡＢＣ公司拖欠")).grade == Grade.YELLOW  # full-width letters
    assert grading.suggest(case(content="abc公司拖欠")).grade == Grade.YELLOW  # letter case
    assert grading.suggest(case(content="工资按时发放")).grade == Grade.GREEN


def test_full_width_keyword_in_the_rule_matches_half_width_text(db):
    rule(db, "全角", Grade.YELLOW, keywords=["１２３４５"])
    assert grading.suggest(case(content="热线12345转来")).grade == Grade.YELLOW


def test_a_level_one_category_matches_its_children(db):
    parent = category(db, "CSGL")
    child = category(db, "CSGL-ZDJY")
    rule(db, "城管类", Grade.YELLOW, categories=[parent])
    assert grading.suggest(case(category_id=child.id)).grade == Grade.YELLOW
    assert grading.suggest(case(category_id=parent.id)).grade == Grade.YELLOW
    assert grading.suggest(case(category_id=category(db, "CXJS").id)).grade == Grade.GREEN
    assert grading.suggest(case(category_id=None)).grade == Grade.GREEN


def test_a_level_two_category_does_not_match_its_parent_or_siblings(db):
    child = category(db, "CSGL-ZDJY")
    rule(db, "占道", Grade.YELLOW, categories=[child])
    assert grading.suggest(case(category_id=child.id)).grade == Grade.YELLOW
    assert grading.suggest(case(category_id=child.parent_id)).grade == Grade.GREEN


def test_repeat_count(db):
    rule(db, "重复", Grade.YELLOW, min_repeats=2)
    assert grading.suggest(case(), repeat_count=1).grade == Grade.GREEN
    verdict = grading.suggest(case(), repeat_count=3)
    assert verdict.grade == Grade.YELLOW and "此前已反映 3 次" in verdict.reasons[0]


def test_all_set_conditions_must_hold(db):
    rule(db, "群体讨薪", Grade.RED, min_people=10, keywords=["讨薪"])
    assert grading.suggest(case(people_involved=50)).grade == Grade.GREEN
    assert grading.suggest(case(title="讨薪")).grade == Grade.GREEN
    assert grading.suggest(case(title="讨薪", people_involved=50)).grade == Grade.RED


def test_inactive_rules_and_rules_without_conditions_suggest_nothing(db):
    off = rule(db, "停用", Grade.RED, min_people=1)
    off.active = False
    rule(db, "空规则", Grade.RED)
    db.session.commit()
    assert grading.suggest(case(people_involved=100)).grade == Grade.GREEN


def test_most_severe_grade_wins_and_equal_grades_list_every_reason(db):
    yellow = rule(db, "十人", Grade.YELLOW, min_people=10)
    red_low = rule(db, "关键词", Grade.RED, keywords=["跳楼"], priority=1)
    red_high = rule(db, "三十人", Grade.RED, min_people=30, priority=5)
    verdict = grading.suggest(case(title="扬言跳楼", people_involved=40))
    assert verdict.grade == Grade.RED
    assert verdict.rule_ids == [red_high.id, red_low.id]  # the higher priority's reason first
    assert len(verdict.reasons) == 2 and "三十人" in verdict.reasons[0] and "“跳楼”" in verdict.reasons[1]
    assert yellow.id not in verdict.rule_ids
    assert grading.suggest(case(people_involved=12)).rule_ids == [yellow.id]


def test_default_rules_seed_once(db):
    assert seed_default_rules() == len(DEFAULT_RULES)
    db.session.commit()
    assert seed_default_rules() == 0
    verdict = grading.suggest(case(title="农民工集体讨薪", people_involved=12))
    assert verdict.grade == Grade.YELLOW and len(verdict.reasons) == 2
    assert grading.suggest(case(content="他扬言要跳楼", people_involved=3)).grade == Grade.RED
    assert grading.suggest(case(money_involved=Decimal(1_500_000))).grade == Grade.RED


def test_intake_reads_the_rules_in_one_query(db, app):
    from sqlalchemy import event

    rule(db, "a", Grade.YELLOW, categories=[category(db, "CSGL")], keywords=["x"])
    rule(db, "b", Grade.RED, min_people=3)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        grading.suggest(case(people_involved=5))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if "grading_rule" in s]) == 1


# --- every channel ----------------------------------------------------------------------------------


@pytest.fixture
def red_rule(db):
    return rule(db, "扬言极端", Grade.RED, keywords=["跳楼"])


def test_public_form_case_takes_the_suggestion(client, db, red_rule):
    seed_default_policies()
    db.session.commit()
    make_mailbox("qzxx", real_name_required=True)
    data = {
        "request_type": "complaint",
        "title": "拖欠工资",
        "content": "老板拖欠工资，有工友扬言要跳楼。",
        "citizen_name": "李四",
        "citizen_phone": "13900139000",
        "street": dept("SA").id,
        "community": dept("CA").id,
        "submission_key": uuid.uuid4().hex,
    }
    response = client.post("/m/qzxx", data=data, content_type="multipart/form-data")
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    db.session.expire_all()
    new = db.session.scalars(select(Case).where(Case.title == "拖欠工资")).one()
    assert new.grade == Grade.RED and new.channel == Channel.MAILBOX
    row = suggestion(db, new.id)
    assert row.suggested_grade == Grade.RED and row.final_grade == Grade.RED and not row.differed
    assert row.rule_ids == [red_rule.id] and "跳楼" in row.reasons[0] and row.decided_by_id is None


def test_api_case_through_receive_takes_the_suggestion(db, red_rule):
    request = CitizenRequest(
        channel=Channel.API, request_type="complaint", title="有人要跳楼", content="请速处理"
    )
    new = receive(request)
    db.session.commit()
    assert new.grade == Grade.RED and suggestion(db, new.id).rule_ids == [red_rule.id]


def test_converted_clue_takes_the_suggestion(db, red_rule):
    clue = make_clue(make_volunteer(), description="楼顶有人扬言跳楼，情绪激动。")
    new = clues.convert_to_case(clue, user("clerk"))
    db.session.commit()
    assert new.channel == Channel.VOLUNTEER and new.grade == Grade.RED
    assert suggestion(db, new.id).suggested_grade == Grade.RED


def test_receive_counts_repeats_for_the_rules(db, monkeypatch):
    rule(db, "重复", Grade.YELLOW, min_repeats=2)
    monkeypatch.setattr(repeats, "prior_count", lambda case: 2)
    new = receive(
        CitizenRequest(channel=Channel.API, request_type="complaint", title="又来了", content="第三次")
    )
    assert new.grade == Grade.YELLOW


# --- the clerk's choice -----------------------------------------------------------------------------


def test_check_choice_refuses_a_different_grade_without_reason(db, red_rule):
    typed = case(title="扬言跳楼", grade=Grade.GREEN)
    verdict = grading.suggest(typed)
    with pytest.raises(IntakeRefusal) as refused:
        grading.check_choice(typed, verdict)
    assert refused.value.field == "grade_reason" and "红色" in refused.value.message
    typed.grade_reason = "   "
    with pytest.raises(IntakeRefusal):
        grading.check_choice(typed, verdict)
    typed.grade_reason = "来电人已平复，系误会"
    grading.check_choice(typed, verdict)  # a reason given: accepted
    typed.grade, typed.grade_reason = Grade.RED, None
    grading.check_choice(typed, verdict)  # as suggested: no reason needed


def test_staff_form_refuses_a_lower_grade_without_reason_and_writes_nothing(client, login_as, db, red_rule):
    login_as("clerk")
    data = {**CLERK_FORM, "content": "来电人称要跳楼", "street": dept("SA").id, "community": dept("CA").id}
    response = client.post("/admin/case/new/", data=data)
    assert response.status_code == 200
    assert "分级规则建议为红色" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Case).where(Case.title == CLERK_FORM["title"])).first() is None
    assert db.session.scalars(select(GradeSuggestion)).first() is None


def test_staff_form_keeps_a_different_grade_with_its_reason(client, login_as, db, red_rule):
    clerk = login_as("clerk")
    data = {
        **CLERK_FORM,
        "content": "来电人称邻居扬言跳楼，经核实为玩笑话",
        "grade_reason": "已电话核实，无现实危险",
        "street": dept("SA").id,
        "community": dept("CA").id,
    }
    assert client.post("/admin/case/new/", data=data).status_code == 302
    db.session.expire_all()
    new = db.session.scalars(select(Case).where(Case.title == CLERK_FORM["title"])).one()
    assert new.grade == Grade.GREEN
    row = suggestion(db, new.id)
    assert row.suggested_grade == Grade.RED and row.final_grade == Grade.GREEN and row.differed
    assert row.clerk_reason == "已电话核实，无现实危险" and row.decided_by_id == clerk.id
    html = client.get(f"/admin/case/details/?id={new.id}").get_data(as_text=True)
    panel = html[html.index('id="grade-suggestion"') :]
    assert "扬言极端" in panel and "已电话核实，无现实危险" in panel and 'data-differed="yes"' in html


def test_staff_form_as_suggested_is_kept_without_reason(client, login_as, db):
    rule(db, "十人", Grade.YELLOW, min_people=10)
    login_as("clerk")
    data = {**CLERK_FORM, "people_involved": "15", "grade": "yellow", "street": dept("SA").id}
    assert client.post("/admin/case/new/", data=data).status_code == 302
    new = db.session.scalars(select(Case).where(Case.title == CLERK_FORM["title"])).one()
    row = suggestion(db, new.id)
    assert row.final_grade == Grade.YELLOW and not row.differed and row.clerk_reason is None


def _edit_form(client, case_id: int) -> dict:
    from tests.support.factories import parse_page

    page = parse_page(client.get(f"/admin/case/edit/?id={case_id}").get_data(as_text=True))
    return {k: v for k, v in page.values.items() if v is not None}


def test_an_edit_of_the_grade_updates_the_suggestion(client, login_as, db):
    rule(db, "十人", Grade.YELLOW, min_people=10)
    login_as("clerk")
    data = {**CLERK_FORM, "people_involved": "15", "grade": "yellow", "street": dept("SA").id}
    assert client.post("/admin/case/new/", data=data).status_code == 302
    new = db.session.scalars(select(Case).where(Case.title == CLERK_FORM["title"])).one()
    editor = login_as("clerk", "SA")
    # raised to red without a reason: refused, the suggestion unchanged
    form = _edit_form(client, new.id)
    response = client.post(
        f"/admin/case/edit/?id={new.id}", data={**form, "grade": "red", "grade_reason": ""}
    )
    assert response.status_code == 200 and "分级规则建议为黄色" in response.get_data(as_text=True)
    assert not suggestion(db, new.id).differed
    # with the reason: kept
    form = _edit_form(client, new.id)
    response = client.post(
        f"/admin/case/edit/?id={new.id}", data={**form, "grade": "red", "grade_reason": "群众情绪激烈"}
    )
    assert response.status_code == 302
    row = suggestion(db, new.id)
    assert row.final_grade == Grade.RED and row.differed and row.clerk_reason == "群众情绪激烈"
    assert row.decided_by_id == editor.id
    # back to the suggested grade: no longer counted as differing
    form = _edit_form(client, new.id)
    assert client.post(f"/admin/case/edit/?id={new.id}", data={**form, "grade": "yellow"}).status_code == 302
    row = suggestion(db, new.id)
    assert row.final_grade == Grade.YELLOW and not row.differed and row.clerk_reason is None
