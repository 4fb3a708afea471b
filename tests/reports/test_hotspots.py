"""Hot spots (弱信号预警): the Poisson tail, an alert for 3 欠薪 cases from one community in two days (and
none without them), one alert per cluster across days, notices to supervisors and leaders only, the alert
page's access and cases, 已知悉, the CLI and the daily report's section."""

import random
from datetime import date
from datetime import timedelta
from decimal import Decimal
from decimal import getcontext

import pytest
from sqlalchemy import select

from app.auth.access import scope_query
from app.reports import documents
from app.reports import hotspots
from app.reports import issues
from app.reports.hotspot_stats import bh_cutoff
from app.reports.hotspot_stats import poisson_sf
from models.case import Case
from models.enums import Role
from models.hotspot import HotspotAlert
from models.hotspot import HotspotStatus
from models.notification import Notification
from models.user import User
from tests.support.factories import dept
from tests.support.factories import user
from tests.support.hotspots import Cases
from tests.support.hotspots import category
from tests.support.hotspots import ids_of
from tests.support.hotspots import scan_time

CLUSTER_DAY = date(2026, 11, 18)  # a Wednesday


def _reference_sf(k: int, lam: float) -> float:
    """P(X ≥ k) by 60-digit decimals: 1 − Σ_{i<k} e^−λ λ^i / i!, an independent way to the same number."""
    getcontext().prec = 60
    lam_d, term, lower = Decimal(lam), Decimal(-lam).exp(), Decimal(0)
    for i in range(k):
        lower += term
        term = term * lam_d / (i + 1)
    return float(1 - lower)


@pytest.mark.parametrize(
    ("k", "lam"), [(0, 1.0), (1, 1.0), (3, 0.1), (3, 0.6), (10, 2.0), (5, 5.0), (40, 20.0), (150, 100.0)]
)
def test_poisson_tail_matches_an_exact_sum(k, lam):
    assert poisson_sf(k, lam) == pytest.approx(_reference_sf(k, lam), rel=1e-9, abs=1e-15)


def test_poisson_tail_keeps_tiny_values_and_edges():
    assert poisson_sf(3, 0.1) == pytest.approx(1.546531e-4, rel=1e-6)  # 1 − e^−0.1 (1 + 0.1 + 0.005)
    tiny = poisson_sf(60, 1.0)  # ≈ e^−1 / 60! ≈ 4.4e-83: one minus a sum would say 0
    assert 0 < tiny < 1e-80
    assert tiny == pytest.approx(2.7182818284590452**-1 / 8.320987112741390e81, rel=1e-6)
    assert poisson_sf(2, 0.0) == 0.0 and poisson_sf(0, 0.0) == 1.0


def test_benjamini_hochberg_cutoff():
    assert bh_cutoff([0.001, 0.02, 0.03, 0.5], 0.05) == 0.03  # 0.03 ≤ 0.05·3/4
    assert bh_cutoff([0.03, 0.5], 0.05) == -1.0  # 0.03 > 0.05·1/2 and 0.5 > 0.05·2/2


@pytest.fixture
def wages(app):
    """劳动保障 / 欠薪 and eight weeks of quiet history: street nuisances daily, 欠薪 twice in eight weeks."""
    rng = random.Random(7)
    labour = category("LDBZ", "劳动保障")
    arrears = category("LDBZ-QX", "欠薪", parent="LDBZ")
    nuisance = category("CSGL-ZDJY", "占道经营", parent="CSGL")
    cases = Cases(rng)
    for back in range(1, 60):
        day = CLUSTER_DAY - timedelta(days=back)
        for community in ("CA", "CB"):
            for _ in range(rng.choice((0, 1, 1, 2))):
                cases.at(day, nuisance.id, community)
    cases.at(CLUSTER_DAY - timedelta(days=30), arrears.id, "CA")
    cases.at(CLUSTER_DAY - timedelta(days=11), arrears.id, "CB")
    cases.flush()
    return {"cases": cases, "arrears": arrears, "labour": labour}


def _cluster(wages, count=3, day=CLUSTER_DAY, community="CA"):
    sa = dept("SA")
    numbers = [
        wages["cases"].at(day, wages["arrears"].id, community, hour=9 + i, lead_department_id=sa.id)
        for i in range(count)
    ]
    wages["cases"].flush()
    return numbers


def test_three_wage_arrears_cases_from_one_community_in_two_days_alert(db, wages):
    numbers = _cluster(wages)
    result = hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=1)))
    alerts = db.session.scalars(select(HotspotAlert)).all()
    assert result["raised"] == 1 and len(alerts) == 1  # one cluster, one alert (not also 劳动保障 or 甲街道)
    alert = alerts[0]
    assert (alert.category_id, alert.department_id) == (wages["arrears"].id, dept("CA").id)
    assert alert.observed == 3 and alert.case_ids == ids_of(numbers)
    assert alert.expected < 0.2 and alert.p_value < 1e-3
    assert alert.status == HotspotStatus.OPEN


def test_quiet_history_raises_nothing(db, wages):
    for back in range(0, 14):  # two weeks of daily scans over the same history
        assert hotspots.scan(scan_time(CLUSTER_DAY - timedelta(days=back)))["raised"] == 0
    assert db.session.scalar(select(HotspotAlert.id)) is None


def test_two_cases_are_not_enough(db, wages):
    _cluster(wages, count=2)
    assert hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=1)))["raised"] == 0


def test_no_scan_without_two_weeks_of_history(db, app):
    cases = Cases(random.Random(1))
    arrears = category("LDBZ-QX", "欠薪", parent=category("LDBZ", "劳动保障").code)
    for i in range(5):
        cases.at(CLUSTER_DAY, arrears.id, "CA", hour=9 + i)
    cases.flush()
    assert hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=1))) == {"skipped": "not enough history"}


def test_a_cluster_still_rising_next_day_extends_its_alert_and_tells_nobody_again(db, wages):
    first = _cluster(wages)
    hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=1)))
    db.session.commit()
    told = db.session.query(Notification).filter_by(kind="hotspot").count()
    assert told > 0
    more = _cluster(wages, count=2, day=CLUSTER_DAY + timedelta(days=1))
    result = hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=2)))
    db.session.commit()
    assert result["raised"] == 0 and result["extended"] == 1
    alert = db.session.scalars(select(HotspotAlert)).one()
    assert alert.observed == 5 and alert.case_ids == ids_of(first + more)
    assert hotspots.window_text(alert) == "2026-11-17 至 2026-11-19"
    assert db.session.query(Notification).filter_by(kind="hotspot").count() == told
    # the same scan again changes nothing; a week without the cluster closes the alert
    hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=2)))
    assert db.session.query(HotspotAlert).count() == 1
    hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=11)))
    assert alert.status == HotspotStatus.CLOSED


def test_notices_go_to_supervisors_and_leaders_only_with_links(db, wages):
    _cluster(wages)
    hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=1)))
    db.session.commit()
    alert = db.session.scalars(select(HotspotAlert)).one()
    rows = db.session.query(Notification).filter_by(kind="hotspot", channel="inbox").all()
    told = {row.user_id for row in rows}
    expected = set(
        db.session.scalars(
            select(User.id).where(User.role.in_([Role.SUPERVISOR, Role.LEADER]), User.active.is_(True))
        )
    )
    assert told == expected and user("supervisor").id in told and user("leader").id in told
    assert user("clerk").id not in told and user("handler", "SA").id not in told
    row = rows[0]
    assert row.subject == "【弱信号预警】劳动保障 / 欠薪（甲街道 甲一社区）"
    assert "3 件" in row.body and "HS" in row.body
    paths = [each["path"] for each in row.data["links"]]
    assert paths[0] == f"/admin/hotspots/{alert.id}"
    assert {f"/admin/case/details/?id={i}" for i in alert.case_ids} <= set(paths)


def test_alert_page_lists_its_cases_for_leaders_and_refuses_handlers(db, wages, client, login_as):
    numbers = _cluster(wages)
    hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=1)))
    db.session.commit()
    alert_id = db.session.scalar(select(HotspotAlert.id))
    login_as("leader")
    page = client.get(f"/admin/hotspots/{alert_id}").get_data(as_text=True)
    assert all(number in page for number in numbers) and "欠薪" in page
    assert "甲一社区" in client.get("/admin/hotspots/").get_data(as_text=True)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert f'data-hotspot="{alert_id}"' in dashboard and f"/admin/hotspots/{alert_id}" in dashboard
    login_as("handler", "SA")
    assert client.get(f"/admin/hotspots/{alert_id}").status_code == 403
    assert client.post(f"/admin/hotspots/{alert_id}/acknowledge").status_code == 403
    assert f'data-hotspot="{alert_id}"' not in client.get("/admin/").get_data(as_text=True)


def test_alert_cases_follow_the_users_scope(db, wages):
    _cluster(wages)
    hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=1)))
    alert = db.session.scalars(select(HotspotAlert)).one()
    seen = {u: hotspots.alert_cases(alert, scope_query(Case, select(Case), user(*u))) for u in
            [("handler", "SA"), ("handler", "SB"), ("supervisor",)]}  # fmt: skip
    assert len(seen[("handler", "SA")]) == 3 and seen[("handler", "SB")] == []
    assert len(seen[("supervisor",)]) == 3


def test_acknowledge_once(db, wages, client, login_as):
    _cluster(wages)
    hotspots.scan(scan_time(CLUSTER_DAY + timedelta(days=1)))
    db.session.commit()
    alert_id = db.session.scalar(select(HotspotAlert.id))
    supervisor = login_as("supervisor")
    response = client.post(f"/admin/hotspots/{alert_id}/acknowledge", data={"next": "/admin/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    db.session.expire_all()
    alert = db.session.get(HotspotAlert, alert_id)
    assert alert.status == HotspotStatus.ACKNOWLEDGED and alert.acknowledged_by_id == supervisor.id
    again = client.post(f"/admin/hotspots/{alert_id}/acknowledge", follow_redirects=True)
    assert "已知悉或已结束" in again.get_data(as_text=True)
    page = client.get("/admin/").get_data(as_text=True)
    assert f'data-hotspot="{alert_id}" data-status="acknowledged"' in page


def test_cli_scan_and_daily_report_section(db, wages, app):
    numbers = _cluster(wages)
    moment = scan_time(CLUSTER_DAY + timedelta(days=1))
    result = app.test_cli_runner().invoke(args=["hotspots", "scan", "--now", moment.isoformat()])
    assert result.exit_code == 0 and '"raised": 1' in result.output
    issue = issues.build_daily(moment + timedelta(hours=5), CLUSTER_DAY)
    section = next(s for s in documents.sections(issue) if s.heading == "弱信号预警")
    assert len(section.rows) == 1
    assert section.rows[0][:4] == ["劳动保障 / 欠薪", "甲街道 甲一社区", "2026-11-17 至 2026-11-18", 3]
    assert section.rows[0][5] == "、".join(numbers)
    earlier = issues.build_daily(moment + timedelta(hours=5), CLUSTER_DAY - timedelta(days=3))
    assert next(s for s in documents.sections(earlier) if s.heading == "弱信号预警").rows == []
