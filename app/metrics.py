"""The Prometheus metric objects every layer may count into (prometheus-client), and their small helpers.

Kernel-level on purpose: the request hook, the job runner and the public pages count here without
importing one another. What is read from the database at scrape time (the outbox gauges) is not here but
in :mod:`app.ops.metrics_views`. With ``PROMETHEUS_MULTIPROC_DIR`` set before the process starts,
prometheus-client keeps these values in files there, so one scrape sees every gunicorn worker and the
jobs process (see README "Operations").
"""

from prometheus_client import Counter
from prometheus_client import Histogram

REQUEST_SECONDS = Histogram(
    "suqiu_request_duration_seconds",
    "Time to answer a request, by Flask endpoint, method and status class.",
    ["endpoint", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOB_SECONDS = Histogram(
    "suqiu_job_duration_seconds",
    'Time one background job run took (the sweep is job="sweep").',
    ["job"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
JOB_FAILURES = Counter("suqiu_job_failures", "Background job runs that raised.", ["job"])
SWEEP_FIRED = Counter("suqiu_sweep_fired", "Deadline rungs the sweep fired.")
SWEEP_MISSED = Counter("suqiu_sweep_missed", "Rungs skipped after downtime (only the highest one fires).")
SUBMISSIONS = Counter("suqiu_submissions", "Letters accepted from citizens, by channel.", ["channel"])
REFUSALS = Counter(
    "suqiu_submission_refusals",
    "Letters refused, by channel and reason (no personal data).",
    ["channel", "reason"],
)


def status_class(status: int) -> str:
    """``2xx``, ``4xx``…: the status label (a bounded set, unlike the codes themselves)."""
    return f"{status // 100}xx"


def job_finished(name: str, seconds: float, result, failed: bool) -> None:
    """Count one job run: its duration, a failure, and for the sweep the rungs it fired."""
    JOB_SECONDS.labels(name).observe(seconds)
    if failed:
        JOB_FAILURES.labels(name).inc()
    elif name == "sweep" and isinstance(result, dict):
        SWEEP_FIRED.inc(result.get("fired", 0))
        SWEEP_MISSED.inc(result.get("missed", 0))


def submitted(channel: str) -> None:
    """Count one accepted submission on ``channel``."""
    SUBMISSIONS.labels(channel).inc()


def refused(channel: str, reason: str) -> None:
    """Count one refused submission on ``channel`` for ``reason`` (a short fixed word, never user text)."""
    REFUSALS.labels(channel, reason).inc()
