"""``/healthz``: 200 when every check passes; 503 naming the failing check (stale scheduler lease, an old
undelivered message, next year's calendar missing in December, a database behind the code); figures only,
no personal data; no login, no rate limit. ``/livez`` asks the database alone."""

import calendar
import json
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy import text

from app.deadlines.calendar_seed import generate_year
from app.extensions import db
from app.ops import health
from app.timeutil import local_day
from app.timeutil import utcnow
from jobs import lease
from jobs.scheduler import LEASE
from models.deadline import WorkCalendarDay
from models.notification import Channel
from models.notification import DeliveryStatus
from models.notification import Notification
from tests.conftest import FreshContextClient
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (pg_app: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401

PHONE = "13912345678"


def calendar_until_next_year() -> None:
    today = local_day(utcnow())
    generate_year(today.year)
    generate_year(today.year + 1)


@pytest.fixture
def healthy(app):
    """A running scheduler, a calendar through next year, an empty outbox, the database at the code's head."""
    calendar_until_next_year()
    db.session.commit()
    lease.acquire(LEASE, "web-1:123:abcd")


def webhook_row(age: timedelta, status=DeliveryStatus.PENDING) -> Notification:
    """An outbox row for a group robot, written ``age`` ago, naming a citizen and her phone."""
    row = Notification(
        kind="deadline",
        channel=Channel.WEBHOOK,
        address="https://robot.example/hook",
        subject=f"提醒 王五 {PHONE}",
        body=f"王五 {PHONE}",
        status=status,
        created_at=utcnow() - age,
        next_attempt_at=utcnow() + timedelta(minutes=5),
    )
    db.session.add(row)
    db.session.commit()
    return row


def get(client, path="/healthz"):
    response = client.get(path)
    return response.status_code, response.get_json()


def test_healthy_is_200_with_every_check(client, healthy):
    status, body = get(client)
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "migrations", "scheduler", "outbox", "work_calendar"}
    assert body["checks"]["scheduler"]["age_s"] <= 5
    assert body["checks"]["migrations"]["database"] == body["checks"]["migrations"]["code"]


def test_stale_lease_fails_the_scheduler_check(app, client, healthy):
    stale = utcnow() - timedelta(seconds=app.config["HEALTH_LEASE_MAX_AGE_S"] + 60)
    lease.acquire(LEASE, "web-1:123:abcd", ttl_seconds=app.config["SCHEDULER_LEASE_SECONDS"], now=stale)
    status, body = get(client)
    assert status == 503 and body["failing"] == ["scheduler"]
    assert body["checks"]["scheduler"]["age_s"] >= app.config["HEALTH_LEASE_MAX_AGE_S"] + 60


def test_no_scheduler_ever_fails_the_scheduler_check(client, app):
    calendar_until_next_year()
    db.session.commit()
    status, body = get(client)
    assert status == 503 and body["failing"] == ["scheduler"]


def test_old_undelivered_message_fails_the_outbox_check_without_personal_data(app, client, healthy):
    webhook_row(timedelta(seconds=60))
    status, body = get(client)
    assert status == 200 and body["checks"]["outbox"]["backlog"] == 1
    webhook_row(timedelta(seconds=app.config["HEALTH_OUTBOX_MAX_AGE_S"] + 60))
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503 and body["failing"] == ["outbox"]
    assert body["checks"]["outbox"]["backlog"] == 2
    assert body["checks"]["outbox"]["oldest_age_s"] >= app.config["HEALTH_OUTBOX_MAX_AGE_S"] + 60
    page = response.get_data(as_text=True)
    for personal in (PHONE, "王五", "robot.example", "提醒"):
        assert personal not in page and personal not in json.dumps(body, ensure_ascii=False)


def test_failed_and_sent_rows_are_not_a_backlog(app, client, healthy):
    old = timedelta(seconds=app.config["HEALTH_OUTBOX_MAX_AGE_S"] + 60)
    webhook_row(old, status=DeliveryStatus.FAILED)
    webhook_row(old, status=DeliveryStatus.SENT)
    status, body = get(client)
    assert status == 200 and body["checks"]["outbox"]["backlog"] == 0


def test_missing_next_year_calendar_fails_from_november(app, client, healthy, monkeypatch):
    today = local_day(utcnow())
    db.session.execute(delete(WorkCalendarDay).where(WorkCalendarDay.day > date(today.year, 12, 31)))
    db.session.commit()
    monkeypatch.setattr(health, "local_day", lambda now: date(today.year, 10, 31))
    assert get(client)[0] == 200  # before November, next year may still be missing
    monkeypatch.setattr(health, "local_day", lambda now: date(today.year, 11, 1))
    status, body = get(client)
    assert status == 503 and body["failing"] == ["work_calendar"]
    days = 366 if calendar.isleap(today.year + 1) else 365
    assert body["checks"]["work_calendar"]["missing_days"] == {str(today.year + 1): days}


def test_database_behind_the_code_fails_the_migrations_check(client, healthy):
    db.session.execute(text("UPDATE alembic_version SET version_num = '0021_suggestions'"))
    db.session.commit()
    status, body = get(client)
    assert status == 503 and body["failing"] == ["migrations"]
    assert body["checks"]["migrations"]["database"] == ["0021_suggestions"]


def test_broken_check_is_a_503_not_a_500(client, healthy, monkeypatch):
    def broken():
        raise RuntimeError("connection refused to db.internal:5432 as suqiu")

    monkeypatch.setattr(health, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["failing"] == ["database"]
    assert response.get_json()["checks"]["database"] == {"ok": False, "error": "RuntimeError"}
    assert "db.internal" not in response.get_data(as_text=True)


def test_health_needs_no_login_and_is_not_rate_limited(client, healthy):
    for _ in range(50):
        response = client.get("/healthz")
        assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" in response.headers and response.headers["Cache-Control"] == "no-store"


def test_livez_asks_only_the_database(client):
    status, body = get(client, "/livez")  # no scheduler, no calendar: still alive
    assert status == 200 and body == {"status": "ok", "failing": [], "checks": {"database": {"ok": True}}}


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_health_on_postgres(pg_app):
    """The same checks on PostgreSQL (statement_timeout, the backlog query), healthy then a stale outbox."""
    pg_app.test_client_class = FreshContextClient
    client = pg_app.test_client()
    calendar_until_next_year()
    db.session.commit()
    lease.acquire(LEASE, "jobs-1:99:beef")
    status, body = get(client)
    assert status == 200, body
    webhook_row(timedelta(seconds=pg_app.config["HEALTH_OUTBOX_MAX_AGE_S"] + 60))
    status, body = get(client)
    assert status == 503 and body["failing"] == ["outbox"] and body["checks"]["outbox"]["backlog"] == 1
