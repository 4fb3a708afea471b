"""``/metrics`` (Prometheus text): hidden without configuration, a bearer token or an allowed network;
request latency per endpoint (never the raw path), the sweep's duration and fired rungs, the outbox gauges,
submissions and refusals by reason. And the request log line: request id, user, endpoint, status, time."""

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.deadlines.policies import seed_default_policies
from app.extensions import db
from app.timeutil import utcnow
from jobs import runner
from models.deadline import Unit
from models.notification import Channel
from models.notification import DeliveryStatus
from models.notification import Notification
from models.org import Category
from tests.support.deadlines import at
from tests.support.deadlines import drive
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import dept
from tests.support.factories import make_mailbox
from tests.support.open311 import api_key_fixture  # noqa: F401  (fixture `key`: (row, plaintext))

TOKEN = "s3cret-metrics-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PHONE = "13912345678"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config():
    return {"METRICS_TOKEN": TOKEN}


def scrape(client) -> dict:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.parametrize("app_config", [{}])
def test_metrics_do_not_exist_without_a_token_or_network(client, app_config):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 404


def test_metrics_refuse_a_missing_or_wrong_token(client):
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert b"suqiu_" not in client.get("/metrics", headers={"Authorization": "Bearer x"}).data


@pytest.mark.parametrize("app_config", [{"METRICS_ALLOW_NETWORKS": "10.0.0.0/8, 127.0.0.1/32"}])
def test_metrics_answer_an_allowed_network_without_a_token(client, app_config):
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    elsewhere = client.get("/metrics", environ_overrides={"REMOTE_ADDR": "192.168.1.9"})
    assert elsewhere.status_code == 403


def test_latency_histogram_per_endpoint_never_the_path(client):
    before = scrape(client)
    labels = {"endpoint": "public.track", "method": "GET", "status": "2xx"}
    assert client.get(f"/track?phone={PHONE}").status_code == 200
    after = scrape(client)
    assert value(after, "suqiu_request_duration_seconds_count", **labels) == (
        value(before, "suqiu_request_duration_seconds_count", **labels) + 1
    )
    assert value(after, "suqiu_request_duration_seconds_bucket", le="+Inf", **labels) >= 1
    page = client.get("/metrics", headers=AUTH).get_data(as_text=True)
    assert PHONE not in page and "/track" not in page


def test_a_sweep_run_counts_its_duration_and_fired_rungs(client):
    stage_policies(sign=(10, Unit.MINUTES), resolve=(1, Unit.WORKING_DAYS))
    monday = at("2026-03-02 10:00")
    drive(new_case(monday, title="占道经营"), monday, "register", "dispatch")  # signing due at 10:10
    before = scrape(client)
    result = runner.run_job("sweep", at("2026-03-03 08:29"))
    assert result["fired"] == 1
    after = scrape(client)
    assert value(after, "suqiu_sweep_fired_total") == value(before, "suqiu_sweep_fired_total") + 1
    assert (
        value(after, "suqiu_sweep_missed_total")
        == value(before, "suqiu_sweep_missed_total") + result["missed"]
    )
    count = "suqiu_job_duration_seconds_count"
    assert value(after, count, job="sweep") == value(before, count, job="sweep") + 1


def test_outbox_gauges_are_read_at_scrape_time(client):
    before = scrape(client)
    for status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
        db.session.add(
            Notification(
                kind="deadline",
                channel=Channel.WEBHOOK,
                subject="s",
                body="b",
                status=status,
                created_at=utcnow() - timedelta(minutes=10),
                next_attempt_at=utcnow(),
            )
        )
    db.session.commit()
    after = scrape(client)
    assert value(after, "suqiu_outbox_backlog") == value(before, "suqiu_outbox_backlog") + 1
    assert value(after, "suqiu_outbox_failed") == value(before, "suqiu_outbox_failed") + 1
    assert value(after, "suqiu_outbox_oldest_undelivered_seconds") >= 600


def letter(**changes) -> dict:
    """A valid letter to the mailbox ``metrics`` (form data)."""
    data = {
        "request_type": "complaint",
        "title": "幸福路夜市摊贩占道经营",
        "content": "每天晚上七点以后，幸福路口有十多个摊贩占用人行道经营，行人只能走机动车道。",
        "category": db.session.query(Category.id).filter_by(code="CSGL-ZDJY").scalar(),
        "street": dept("SA").id,
        "community": dept("CA").id,
        "citizen_name": "李四",
        "citizen_phone": PHONE,
        "submission_key": uuid.uuid4().hex,
    }
    data.update(changes)
    return data


def test_submissions_and_refusals_by_reason(client):
    seed_default_policies()
    db.session.commit()
    make_mailbox("metrics", real_name_required=True)
    before = scrape(client)
    assert client.post("/m/metrics", data=letter()).status_code == 302
    assert client.post("/m/metrics", data=letter(website="http://spam.example")).status_code == 400
    assert client.post("/m/metrics", data=letter(title="")).status_code == 400
    after = scrape(client)
    submitted, refused = "suqiu_submissions_total", "suqiu_submission_refusals_total"
    assert value(after, submitted, channel="mailbox") == value(before, submitted, channel="mailbox") + 1
    for reason in ("honeypot", "invalid_form"):
        labels = {"channel": "mailbox", "reason": reason}
        assert value(after, refused, **labels) == value(before, refused, **labels) + 1, reason
    assert value(after, refused, channel="mailbox", reason="banned") == value(
        before, refused, channel="mailbox", reason="banned"
    )


def test_open311_posts_are_counted_with_their_refusal_reasons(client, key):
    _row, plaintext = key
    post = {"service_code": "CSGL-ZDJY", "description": "小区门口夜市占道经营，影响通行。",
            "address_string": "甲街道幸福路 8 号", "attribute[request_type]": "complaint"}  # fmt: skip
    before = scrape(client)
    assert client.post("/open311/v2/requests.json", data={**post, "api_key": plaintext}).status_code == 201
    assert client.post("/open311/v2/requests.json", data={**post, "api_key": "wrong"}).status_code == 403
    unknown = {**post, "api_key": plaintext, "service_code": "NOPE"}
    assert client.post("/open311/v2/requests.json", data=unknown).status_code == 404
    after = scrape(client)
    submitted, refused = "suqiu_submissions_total", "suqiu_submission_refusals_total"
    assert value(after, submitted, channel="open311") == value(before, submitted, channel="open311") + 1
    for reason in ("bad_key", "unknown_service"):
        labels = {"channel": "open311", "reason": reason}
        assert value(after, refused, **labels) == value(before, refused, **labels) + 1, reason


# --- the request log ---------------------------------------------------------------------------------


def test_request_log_line_has_id_user_endpoint_status_and_time(client, capsys):
    capsys.readouterr()
    response = client.get(f"/track?phone={PHONE}", headers={"X-Request-ID": "lb-7f3a9c01"})
    assert response.headers["X-Request-ID"] == "lb-7f3a9c01"
    line = [entry for entry in capsys.readouterr().err.splitlines() if "suqiu.request" in entry][-1]
    assert "request_id=lb-7f3a9c01" in line and "user_id=-" in line and "endpoint=public.track" in line
    assert "method=GET" in line and "status=200" in line and "duration_ms=" in line
    assert PHONE not in line and "/track" not in line


def test_an_unsafe_request_id_is_replaced(client):
    for unsafe in ("<script>alert(1)</script>", "a" * 65, "short", "13912345678 李四"):
        response = client.get("/livez", headers={"X-Request-ID": unsafe})
        assert response.headers["X-Request-ID"] != unsafe and len(response.headers["X-Request-ID"]) == 32


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json", "METRICS_TOKEN": TOKEN}])
def test_json_log_is_one_object_per_line(client, login_as, capsys, app_config):
    user = login_as("clerk", "SA")
    capsys.readouterr()
    response = client.get("/track")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    entry = [line for line in lines if line.get("logger") == "suqiu.request"][-1]
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert entry["endpoint"] == "public.track" and entry["method"] == "GET" and entry["status"] == 200
    assert entry["user_id"] == str(user.id) and isinstance(entry["duration_ms"], float)


def test_multiprocess_mode_sums_every_process(client, tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR, a scrape answered by one worker counts what every process counted."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    count = "from app import metrics; metrics.refused('mailbox', 'banned'); metrics.submitted('mailbox')"
    for _ in range(2):  # two other processes (gunicorn workers, the jobs process)
        subprocess.run(
            [sys.executable, "-c", count],
            env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)},
            cwd=ROOT,
            check=True,
            timeout=60,
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    samples = scrape(client)
    assert value(samples, "suqiu_submission_refusals_total", channel="mailbox", reason="banned") == 2
    assert value(samples, "suqiu_submissions_total", channel="mailbox") == 2
    assert value(samples, "suqiu_outbox_backlog") == 0  # the database gauges are still there
