"""One log line per request (request id, user id, method, endpoint, status, milliseconds) and its latency.

The line names the Flask endpoint, never the path or query string (a tracking form or a search may carry
a phone number or a name in them). ``LOG_FORMAT=json`` writes each line as one JSON object. The request id
comes from a sane incoming ``X-Request-ID`` (a proxy's) or is made here, and goes back in the response.
"""

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask
from flask import g
from flask import request

from app import metrics

log = logging.getLogger("suqiu.request")
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (gunicorn's, or a test's capture)."""

    @property
    def stream(self):
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON."""
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        return json.dumps(line, ensure_ascii=False)


def configure(app: Flask) -> None:
    """Install the request log's handler (text or JSON, from LOG_FORMAT); replaces one installed before."""
    for handler in [h for h in log.handlers if isinstance(h, StderrHandler)]:
        log.removeHandler(handler)
    handler = StderrHandler()
    if str(app.config.get("LOG_FORMAT", "text")).lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    log.disabled = False  # alembic's fileConfig (migrations/env.py) disables the loggers it did not name


def start() -> None:
    """Before each request: its id and start time."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def user_id() -> str:
    """The id of the user this request loaded, or ``-`` (never loads one just for the log)."""
    user = g.get("_login_user")
    return str(user.id) if user is not None and getattr(user, "is_authenticated", False) else "-"


def finish(response):
    """After each request: the X-Request-ID header, the latency histogram and the log line."""
    started = g.get("request_started")
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    if started is None:
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "<unmatched>"
    metrics.REQUEST_SECONDS.labels(
        endpoint, request.method, metrics.status_class(response.status_code)
    ).observe(seconds)
    fields = {
        "request_id": request_id,
        "user_id": user_id(),
        "method": request.method,
        "endpoint": endpoint,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
    }
    log.info(" ".join(f"{key}={value}" for key, value in fields.items()), extra={"fields": fields})
    return response


def init_app(app: Flask) -> None:
    """Hook the request log into ``app``."""
    configure(app)
    app.before_request(start)
    app.after_request(finish)
