"""``/healthz`` and ``/livez`` for load balancers and monitors, ``/metrics`` for Prometheus.

The health pages need no login and show only check names and figures. ``/metrics`` answers only a bearer
token equal to METRICS_TOKEN (compared in constant time) or an address in METRICS_ALLOW_NETWORKS; with
neither configured it does not exist (404).
"""

import hmac
import ipaddress
import os

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import jsonify
from flask import request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import generate_latest
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from app.extensions import db
from app.ops import health
from app.ops import requestlog
from app.timeutil import utcnow

bp = Blueprint("ops", __name__)


def _answer(results: dict) -> Response:
    failing = sorted(name for name, result in results.items() if not result["ok"])
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": results}
    response = jsonify(body)
    response.status_code = 503 if failing else 200
    return response


def _run(checks: dict) -> dict:
    results = {}
    for name, check in checks.items():
        try:
            ok, details = check()
        except Exception as error:  # a health page reports a broken part, it does not become one
            ok, details = False, {"error": type(error).__name__}
        db.session.rollback()  # read-only; also ends a failed statement's transaction for the next check
        results[name] = {"ok": ok, **details}
    return results


@bp.get("/healthz")
def healthz():
    """Every check (database, migrations, scheduler lease, outbox, work calendar): 200, or 503 naming the failing."""
    return _answer(_run(health.checks(utcnow())))


@bp.get("/livez")
def livez():
    """The database alone: for a load balancer, which should not drop every server when the scheduler stops."""
    return _answer(_run({"database": health.database}))


class OutboxGauges:
    """Gauges read from the database at scrape time: outbox backlog, oldest undelivered age, failed rows."""

    def __init__(self, figures: dict):
        self.figures = figures

    def collect(self):
        """The three outbox gauges."""
        figures = self.figures
        yield GaugeMetricFamily("suqiu_outbox_backlog", "Undelivered outbox rows.", value=figures["backlog"])
        yield GaugeMetricFamily(
            "suqiu_outbox_oldest_undelivered_seconds",
            "Age of the oldest undelivered outbox row (0 when none).",
            value=figures["oldest_age_s"] or 0,
        )
        yield GaugeMetricFamily(
            "suqiu_outbox_failed", "Outbox rows given up after every attempt.", value=figures["failed"]
        )


def _allowed() -> None:
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    allowed = (config.get("METRICS_ALLOW_NETWORKS") or "").split(",")
    networks = [ipaddress.ip_network(n.strip(), strict=False) for n in allowed if n.strip()]
    if not token and not networks:
        abort(404)
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        address = None
    if address is not None and any(address in network for network in networks):
        return
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        if hmac.compare_digest(given[len("Bearer ") :].strip().encode(), token.encode()):
            return
        abort(403)
    if token:
        abort(Response("bearer token required\n", 401, {"WWW-Authenticate": "Bearer"}))
    abort(403)


@bp.get("/metrics")
def metrics():
    """The Prometheus text exposition: this process's (or every worker's, in multiprocess mode) metrics."""
    _allowed()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    outbox = CollectorRegistry(auto_describe=False)
    try:
        outbox.register(OutboxGauges(health.outbox_figures(utcnow())))
    finally:
        db.session.rollback()
    return Response(generate_latest(registry) + generate_latest(outbox), content_type=CONTENT_TYPE_LATEST)


def register(app) -> None:
    """Mount the health and metrics pages and the request log."""
    requestlog.init_app(app)
    app.register_blueprint(bp)
