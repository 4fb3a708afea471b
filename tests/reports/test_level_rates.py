"""依令考核, 协办按时率 and 专班办结率 counted by hand, per department and in all, live and from the rollup.

The week of Monday 2026-03-02 (T0 = 10:00 Beijing time), looked at on Friday 10:00; rows made directly.

令 (orders) from 甲一社区 and 甲街道 to the bureaus 区城管局 (BA) and 区住建局 (BB):
- O1 (Mon, CA → BA, BB). BA acknowledges, checks in staffed and reports in time; rated 满意 on Tuesday.
  BB acknowledges late, checks in at 12:30 under-staffed and never brings it up (its 报到 clock runs out
  at 13:00: late); rated 基本满意 on Wednesday.
- O2 (Tue, 甲街道 → BA). Acknowledged and checked in (staffed) in time; rated 不满意 on Wednesday; the
  outcome never comes (its 反馈 clock runs out on Thursday).
- O3 (Mon → BB), withdrawn before BB acknowledged it: its clocks are cancelled, not counted at all.
- O4 (Thu → BA): its 接令 clock runs to Saturday, not decided yet.
So BA: 接令 2/2, 报到 2/2, 到场 2/2, 反馈 1/2, 满意 1/2, late steps 1; BB: 0/1, 0/1, 0/1, —, 1/1, 2.

Co-handled parts (their own 办结 clocks): P (led by 甲街道): BB answers Monday in time, BA never (due
Wednesday: late). Q (led by BB): BA answers Tuesday 12:00, two hours late; 甲街道's part is waived on
Tuesday (its clock cancelled). R (not accepted): BB's part answered in time, not counted.
So 协办按时率 BB 1/1, BA 0/2, 甲街道 — (1 waived); in all 1/3.

即接即办: I1 closed Tuesday and I2 Wednesday, both answered at intake (no lead department); C3 (led by
甲街道) closed Wednesday; I4 answered at intake but not accepted; I5 answered at intake, not closed yet.
So 专班办结率 in all 2/3; for the intake team (department not set) 2/2; for 甲街道 0/1.
"""

import re
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy import update

from app.extensions import db
from app.reports import documents
from app.reports import drilldown
from app.reports import measures
from app.reports import periodic
from app.reports import rollup
from app.reports import score_schemes
from app.reports import scorecards
from app.reports import summaries
from app.reports.figures import Cut
from app.reports.figures import sums
from app.reports.rate_table import rate_rows
from app.timeutil import local_day
from models.case import Case
from models.case_part import CasePart
from models.case_part import PartStatus
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import Status
from models.field_order import FieldOrder
from models.field_order import FieldOrderClass
from models.field_order import FieldOrderTarget
from models.field_order import FieldTargetStatus
from models.report import DailyRollup
from models.report import ReportIssue
from models.report import RollupDirty
from tests.support.deadlines import T0
from tests.support.deadlines import new_case
from tests.support.factories import dept
from tests.support.factories import user

H, DAY = timedelta(hours=1), timedelta(days=1)
NOW = T0 + 4 * DAY
WEEK = Cut(local_day(T0), local_day(NOW))
BUILT = Cut(local_day(T0), local_day(NOW) - timedelta(days=1))  # Monday to Thursday: the days built
FIELD_RATES = ("field_ack", "field_check_in", "field_staffed", "field_feedback", "field_satisfaction")
LEVEL_MEASURES = [m for m in measures.MEASURES if m.startswith(("field_", "part")) or m.endswith("intake")]


def clock(stage, due, met=None, status=None, **owner) -> CaseDeadline:
    """A deadline row: met at ``met`` (or running), unless ``status`` says otherwise."""
    status = status or (DeadlineStatus.MET if met else DeadlineStatus.RUNNING)
    return CaseDeadline(stage=stage, clock="hours", started_at=due - H, due_at=due, met_at=met, status=status,
                        **owner)  # fmt: skip


def order(number: str, issuer: str, at, parts: dict) -> FieldOrder:
    """A 令 with one part per bureau code: {code: (FieldOrderTarget fields, [(stage, due, met, status)])}."""
    kind = db.session.scalar(select(FieldOrderClass)) or FieldOrderClass(
        name="紧急", ack_amount=1, ack_unit="hours", check_in_amount=3, check_in_unit="hours",
        feedback_amount=1, feedback_unit="working_days", min_level="section_chief", min_headcount=2,
    )  # fmt: skip
    made = FieldOrder(number=number, order_class=kind, matter="联合执法", place="甲一社区东门",
                      issuing_department=dept(issuer), issued_at=at, rules={})  # fmt: skip
    for code, (fields, clocks) in parts.items():
        target = FieldOrderTarget(department=dept(code), **fields)
        for stage, due, met, status in clocks:
            target.deadlines.append(clock(stage, due, met, status))
        made.targets.append(target)
    db.session.add(made)
    return made


ACK, CHECK_IN, FEEDBACK = Stage.ORDER_ACK, Stage.CHECK_IN, Stage.FEEDBACK


def orders() -> None:
    ba_o1 = {"status": FieldTargetStatus.RATED, "checked_in_at": T0 + 2 * H, "staffed": True,
             "reported_at": T0 + 20 * H, "rating": "satisfied", "rated_at": T0 + 25 * H}  # fmt: skip
    bb_o1 = {"status": FieldTargetStatus.RATED, "checked_in_at": T0 + 2.5 * H, "staffed": False,
             "rating": "basically_satisfied", "rated_at": T0 + 2 * DAY}  # fmt: skip
    order("L-1", "CA", T0, {
        "BA": (ba_o1, [(ACK, T0 + H, T0 + 0.5 * H, None), (CHECK_IN, T0 + 3 * H, T0 + 2 * H, None),
                       (FEEDBACK, T0 + DAY, T0 + 20 * H, None)]),
        "BB": (bb_o1, [(ACK, T0 + H, T0 + 2 * H, None), (CHECK_IN, T0 + 3 * H, None, None)]),
    })  # fmt: skip
    tue = T0 + DAY
    ba_o2 = {"status": FieldTargetStatus.RATED, "checked_in_at": tue + H, "staffed": True,
             "rating": "unsatisfied", "rated_at": tue + DAY + 3 * H}  # fmt: skip
    order("L-2", "SA", tue, {
        "BA": (ba_o2, [(ACK, tue + H, tue + 0.5 * H, None), (CHECK_IN, tue + 2 * H, tue + H, None),
                       (FEEDBACK, tue + 2 * DAY, None, None)]),
    })  # fmt: skip
    withdrawn = {"status": FieldTargetStatus.WITHDRAWN}
    order("L-3", "CA", T0, {
        "BB": (withdrawn, [(ACK, T0 + H, None, DeadlineStatus.CANCELLED),
                           (CHECK_IN, T0 + 3 * H, None, DeadlineStatus.CANCELLED)]),
    })  # fmt: skip
    thu = T0 + 3 * DAY
    order(
        "L-4", "SA", thu, {"BA": ({"status": FieldTargetStatus.ISSUED}, [(ACK, thu + 2 * DAY, None, None)])}
    )


def part(case: Case, code: str, due, met=None, **fields) -> CasePart:
    """A co-department's part of ``case`` with its own 办结 clock."""
    made = CasePart(department=dept(code), assigned_at=T0, status=fields.pop("status", PartStatus.SIGNED),
                    **fields)  # fmt: skip
    case.parts.append(made)
    status = fields.get("waived_at") and DeadlineStatus.CANCELLED
    made.deadlines.append(clock(Stage.RESOLVE, due, met, status, case=case))
    return made


def led(code: str, **fields) -> Case:
    case = new_case(T0, **fields)
    case.lead_department_id = dept(code).id
    return case


def co_handled() -> dict:
    p, q, r = led("SA"), led("BB"), led("SA")
    part(p, "BB", T0 + DAY, T0 + 5 * H, status=PartStatus.ANSWERED, answered_at=T0 + 5 * H)
    part(p, "BA", T0 + 2 * DAY)
    part(q, "BA", T0 + DAY, T0 + DAY + 2 * H, status=PartStatus.ANSWERED, answered_at=T0 + DAY + 2 * H)
    part(q, "SA", T0 + DAY, status=PartStatus.WAIVED, waived_at=T0 + DAY - H, waive_reason="无需协办")
    part(r, "BB", T0 + DAY, T0 + H, status=PartStatus.ANSWERED, answered_at=T0 + H)
    r.status, r.closed_at = Status.REJECTED, T0 + 2 * H
    return {"P": p, "Q": q, "R": r}


def at_intake() -> dict:
    made = {
        name: new_case(T0, answered_at_intake=name.startswith("I")) for name in ("I1", "I2", "C3", "I4", "I5")
    }
    made["C3"].lead_department_id = dept("SA").id
    for name, closed, status in (("I1", T0 + DAY, Status.CLOSED), ("I2", T0 + 2 * DAY, Status.CLOSED),
                                 ("C3", T0 + 2 * DAY, Status.CLOSED), ("I4", T0 + H, Status.REJECTED)):  # fmt: skip
        made[name].status, made[name].closed_at = status, closed
    made["I5"].status = Status.REPLIED
    return made


@pytest.fixture
def data(app):
    orders()
    made = co_handled() | at_intake()
    db.session.commit()
    return made


def by_department(cut=WEEK, now=NOW) -> dict:
    rows = rate_rows(cut, now, group="department")
    return {code: rows.get(dept(code).id if code else 0) for code in ("BA", "BB", "SA", None)}


def counts(figure) -> tuple:
    return figure.numerator, figure.denominator


def test_orders_per_bureau_and_in_all(data):
    rows = by_department()
    ba, bb = rows["BA"], rows["BB"]
    assert [counts(ba[key]) for key in FIELD_RATES] == [(2, 2), (2, 2), (2, 2), (1, 2), (1, 2)]
    assert [counts(bb[key]) for key in FIELD_RATES] == [(0, 1), (0, 1), (0, 1), (0, 0), (1, 1)]
    assert ba["field_feedback"].value == 0.5 and bb["field_feedback"].value is None
    assert (ba["field_overdue"].value, bb["field_overdue"].value) == (1, 2)
    assert ba["field_ack"].meets_target and bb["field_check_in"].meets_target is False
    total = rate_rows(WEEK, NOW)[None]
    assert [counts(total[key]) for key in FIELD_RATES] == [(2, 3), (2, 3), (2, 3), (1, 2), (2, 3)]
    assert total["field_overdue"].value == 3
    # a 令 has no case: no street, category or channel counts it, only its bureau and the whole district
    street = rate_rows(Cut(WEEK.start, WEEK.end, street_id=dept("SA").id), NOW)[None]
    assert street["field_ack"].denominator == 0
    assert rate_rows(Cut(WEEK.start, WEEK.end, role="co"), NOW)[None]["field_ack"].denominator == 0


def test_co_handled_parts_are_counted_for_the_co_department_apart_from_led_cases(data):
    rows = by_department()
    assert counts(rows["BB"]["co_handling"]) == (1, 1) and counts(rows["BA"]["co_handling"]) == (0, 2)
    assert counts(rows["SA"]["co_handling"]) == (0, 0) and rows["SA"]["parts_waived"].value == 1
    total = rate_rows(WEEK, NOW)[None]
    assert counts(total["co_handling"]) == (1, 3) and total["parts_waived"].value == 1
    # the parts' own clocks are not the lead's: no case of these is due to close, none is overdue
    assert rows["SA"]["closure"].denominator == 0 and rows["BA"]["overdue"].value == 0
    assert rows["BB"]["overdue"].value == 0 and rows["BA"]["closure"].value is None


def test_a_department_s_part_figures_list_the_cases_it_answered_for(data):
    def listed(measure, code):
        cut = Cut(WEEK.start, WEEK.end, department_id=dept(code).id)
        condition = drilldown.case_condition(measure, cut, NOW)
        return set(db.session.scalars(select(Case.id).where(condition)))

    assert listed("part_decided", "BA") == {data["P"].id, data["Q"].id}  # P is led by 甲街道, Q by BB
    assert listed("part_on_time", "BB") == {data["P"].id}
    assert listed("parts_waived", "SA") == {data["Q"].id}


def test_closed_at_intake_counts_for_the_intake_team_and_in_all(data):
    rows = by_department()
    assert counts(rows[None]["at_intake"]) == (2, 2) and counts(rows["SA"]["at_intake"]) == (0, 1)
    assert counts(rate_rows(WEEK, NOW)[None]["at_intake"]) == (2, 3)


def values(cut, now=NOW, group=None) -> dict:
    return {key: {k: f.value for k, f in row.items()} for key, row in rate_rows(cut, now, group).items()}


def test_the_built_rollup_and_its_summaries_agree_with_live_counting(data, monkeypatch):
    live = {group: values(BUILT, group=group) for group in (None, "department", "day", "street")}
    assert len(list(rollup.build_missing(NOW))) == 4
    db.session.commit()
    for group, expected in live.items():
        assert values(BUILT, group=group) == expected, group
    with monkeypatch.context() as patch:
        patch.setattr(summaries, "grain_for", lambda *args: None)  # the full rollup
        full = {g: sums(BUILT, NOW, g) for g in (None, "department", "category", "day")}
        one = sums(Cut(BUILT.start, BUILT.end, department_id=dept("BA").id), NOW, "day")
    for group, expected in full.items():
        assert sums(BUILT, NOW, group) == expected, group
    assert sums(Cut(BUILT.start, BUILT.end, department_id=dept("BA").id), NOW, "day") == one
    assert {m for m in LEVEL_MEASURES if full[None][None][m]} >= {"field_ack_decided", "part_decided",
                                                                  "closed_at_intake", "parts_waived"}  # fmt: skip


def stored_equals_recount() -> None:
    for day in sorted(rollup.built_days(BUILT.start, BUILT.end)):
        recount = {
            key: {m: sums_.get(m, 0) for m in LEVEL_MEASURES}
            for key, sums_ in rollup.day_rows(day, NOW).items()
        }
        rows = db.session.scalars(select(DailyRollup).where(DailyRollup.day == day)).all()
        stored = {
            tuple(getattr(r, k) for k in rollup.KEY): {m: getattr(r, m) for m in LEVEL_MEASURES} for r in rows
        }
        assert stored == recount, day


def test_changes_to_orders_and_parts_correct_the_built_days(data):
    list(rollup.build_missing(NOW))
    rollup.apply_corrections(NOW)  # what making the rows noted: nothing waits now
    db.session.commit()
    assert db.session.scalar(select(RollupDirty.id)) is None
    target = db.session.scalar(select(FieldOrderTarget).join(FieldOrder).where(FieldOrder.number == "L-2"))
    target.department_id = dept("BB").id  # BA's part of O2 was BB's: its clocks (Tuesday, Thursday) and
    # rating move to BB, Thursday's only by its late 反馈 clock, which itself did not change
    bb = db.session.scalar(select(FieldOrderTarget).join(FieldOrder).where(FieldOrder.number == "L-1",
                                                                          FieldOrderTarget.department_id == dept("BB").id))  # fmt: skip
    bb.staffed = True  # brought up to standard: the check-in day (Monday) counts it staffed now
    waived = next(p for p in data["Q"].parts if p.status == PartStatus.WAIVED)
    waived.waived_at = T0 + 2 * DAY  # moved from Tuesday to Wednesday
    data["I2"].answered_at_intake = False
    db.session.commit()
    assert rollup.apply_corrections(NOW)
    db.session.commit()
    stored_equals_recount()
    rows = by_department(BUILT)
    assert counts(rows["BA"]["field_ack"]) == (1, 1) and counts(rows["BA"]["field_feedback"]) == (1, 1)
    assert counts(rows["BB"]["field_staffed"]) == (2, 2)  # O1 brought up to standard; O2's, from BA
    assert counts(rate_rows(BUILT, NOW)[None]["at_intake"]) == (1, 3)
    assert sums(Cut(local_day(T0 + 2 * DAY), local_day(T0 + 2 * DAY)), NOW)[None]["parts_waived"] == 1


def test_a_scheme_weights_the_new_rates_and_deducts_late_order_steps(data):
    weights = {key: Decimal(0) for key in (r.key for r in score_schemes.WEIGHTED_RATES)}
    weights |= {"field_ack": Decimal(40), "field_check_in": Decimal(30), "co_handling": Decimal(30)}
    data_in = score_schemes.SchemeInput(date(2026, 1, 1), weights, {"field_late": Decimal(1)})
    score_schemes.save_scheme(None, data_in, user("admin"), NOW)
    db.session.commit()
    card = scorecards.live_card("month", local_day(T0), "department", NOW)
    rows = {row["unit_id"]: row for row in card["rows"]}
    ba, bb = rows[dept("BA").id], rows[dept("BB").id]
    # BA: 40 × 1 + 30 × 1 + 30 × 0 = 70, less 1 late step; BB: 30 × 1 (co-handling) = 30, less 2
    assert (ba["weighted"], ba["deducted"], ba["score"]) == (70.0, 1, 69.0)
    assert (bb["weighted"], bb["deducted"], bb["score"]) == (30.0, 2, 28.0)
    assert rows[dept("SA").id]["score"] is None  # nothing counted in the weighted rates: not scored
    assert [r["unit_id"] for r in card["rows"][:2]] == [dept("BA").id, dept("BB").id]


def test_the_periodic_report_has_a_table_of_orders_per_bureau(data):
    content = periodic.build("weekly", WEEK.start, WEEK.start + timedelta(days=6), NOW)
    assert content["orders_by_bureau"] == [
        ["区住建局", 0.0, 0.0, 0.0, None, 1.0, 2],  # most late steps first
        ["区城管局", 1.0, 1.0, 1.0, 0.5, 0.5, 1],
    ]
    assert content["orders_total"] == [0.6667, 0.6667, 0.6667, 0.5, 0.6667, 3]
    rates = {key: now for key, now, _before in content["rates"]}
    assert rates["at_intake"] == 0.6667 and rates["co_handling"] == 0.3333
    assert "接令及时率66.7%" in content["summary"]
    issue = ReportIssue(kind="weekly", first_day=WEEK.start, last_day=WEEK.end, content=content, built_at=NOW)
    section = next(s for s in documents.sections(issue) if "依令考核" in s.heading)
    assert section.rows[-1] == ["全部", "66.7%", "66.7%", "66.7%", "50.0%", "66.7%", "3"]
    old = dict(content, department_rates=None)  # an issue built before these rates still shows
    del old["department_rates"], old["orders_by_bureau"]
    old["by_department"] = [[name, *values[:4], values[-1]] for name, *values in content["by_department"]]
    headings = [s.heading for s in documents.sections(ReportIssue(kind="weekly", first_day=WEEK.start,
                                                                   last_day=WEEK.end, content=old))]  # fmt: skip
    assert not any("依令考核" in h for h in headings)


def test_the_rates_page_shows_order_counts_without_a_case_link(data, client, login_as):
    login_as("supervisor")
    html = client.get("/admin/rates/?period=custom&date=2026-03-02&end=2026-03-06&group=department").get_data(
        as_text=True
    )
    row = dict(re.findall(r'<tr[^>]*data-row="([^"]+)"[^>]*>(.*?)</tr>', html, re.S))[str(dept("BA").id)]
    ack = re.search(r'<td[^>]*data-rate="field_ack"[^>]*>(.*?)</td>', row, re.S).group(1)
    assert "100.0%" in ack and "href" not in ack and 'data-count="numerator">2<' in ack
    co = re.search(r'<td[^>]*data-rate="co_handling"[^>]*>(.*?)</td>', row, re.S).group(1)
    assert 'data-link="denominator"' in co  # parts have cases: a link to them
    assert "依令考核" in html
    help_html = client.get("/admin/rates/help").get_data(as_text=True)
    for key in ("field_ack", "field_check_in", "field_staffed", "field_feedback", "field_satisfaction",
                "co_handling", "at_intake"):  # fmt: skip
        assert f'id="rate-{key}"' in help_html


def test_a_check_in_written_by_an_update_is_noted_through_the_clock_it_starts(data):
    """The order steps are compare-and-set UPDATEs the flush never sees: a check-in entered on Friday for
    Tuesday (under-staffed) starts the 反馈 clock, and that clock brings Tuesday to be counted again."""
    late = order("L-5", "CA", T0, {"BB": ({"status": FieldTargetStatus.ACKNOWLEDGED}, [])}).targets[0]
    db.session.commit()
    list(rollup.build_missing(NOW))
    rollup.apply_corrections(NOW)
    db.session.commit()
    arrived = T0 + DAY - 1 * H  # Tuesday 09:00
    db.session.execute(
        update(FieldOrderTarget)
        .where(FieldOrderTarget.id == late.id)
        .values(status=FieldTargetStatus.CHECKED_IN, checked_in_at=arrived, staffed=False)
        .execution_options(synchronize_session=False)
    )
    late.deadlines.append(clock(FEEDBACK, arrived + DAY))  # due Wednesday 09:00: decided late then
    db.session.commit()
    rollup.apply_corrections(NOW)
    db.session.commit()
    stored_equals_recount()
    bb = by_department(BUILT)["BB"]
    assert counts(bb["field_staffed"]) == (0, 2) and counts(bb["field_feedback"]) == (0, 1)
