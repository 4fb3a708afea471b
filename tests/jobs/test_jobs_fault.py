"""``kill -9`` of the jobs process in the middle of a sweep: a second jobs process takes the lease once it
has expired and finishes the sweep; every rung fires once, and every reminder reaches each person once,
exactly as a sweep that was never interrupted (run on a copy of the same database)."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from app.extensions import db
from app.timeutil import utcnow
from jobs import tasks
from models.deadline import Unit
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies

pytestmark = pytest.mark.xdist_group("servers")

ROOT = Path(__file__).resolve().parents[2]
CASES = 120
LEASE_SECONDS = 4
NUMBER = re.compile(r"SQ\d{8}-\d+")


def start_jobs(path: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SUQIU_TEST_DB": str(path), "PYTHONPATH": str(ROOT),
           "SUQIU_TEST_SETTINGS": json.dumps({"SCHEDULER_LEASE_SECONDS": LEASE_SECONDS})}  # fmt: skip
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.support.jobs_process"], cwd=ROOT, env=env, stdout=out, stderr=out
        )


def query(path: Path, sql: str) -> list:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).all()
    finally:
        engine.dispose()


def fires(path: Path) -> set:
    return set(query(path, "SELECT deadline_id, step, deadline_version FROM deadline_fire"))


def reminders(path: Path) -> Counter:
    """How often each person (and channel) was told about each case."""
    told = Counter()
    for user_id, channel, body in query(path, "SELECT user_id, channel, body FROM notification"):
        for number in set(NUMBER.findall(body)):
            told[(user_id, channel, number)] += 1
    return told


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_a_killed_sweeper_is_replaced_and_nothing_is_lost_or_sent_twice(app, tmp_path):
    stage_policies(register=(10, Unit.MINUTES))
    received = utcnow() - timedelta(hours=10)  # every rung of the register clock is long due
    for i in range(CASES):
        new_case(received + timedelta(seconds=i), title=f"占道经营{i}")
    db.session.commit()
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    db.session.remove()
    clean = tmp_path / "clean.db"
    with sqlite3.connect(path) as source, sqlite3.connect(clean) as copy:
        source.backup(copy)  # with what is still in the write-ahead log

    first = start_jobs(path, tmp_path / "jobs-a.log")
    try:
        wait_until(lambda: len(fires(path)) >= 30, 60, "the first process fired three batches")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at, fired_by_first = time.monotonic(), len(fires(path))
        assert fired_by_first < CASES, "the kill came after the sweep ended: no fault was tested"
        second = start_jobs(path, tmp_path / "jobs-b.log")
        try:
            wait_until(lambda: len(fires(path)) >= CASES, 60, "the second process finished the sweep")
            taken_over_after = time.monotonic() - killed_at
            time.sleep(2)  # a sweep or two more: nothing fires again
        finally:
            second.send_signal(signal.SIGINT)
            try:
                second.wait(timeout=30)
            finally:
                if second.poll() is None:  # never leave a scheduler running behind a failed test
                    second.kill()
    finally:
        if first.poll() is None:
            first.kill()
    leases = query(path, "SELECT expires_at < CURRENT_TIMESTAMP FROM job_lock WHERE name = 'scheduler'")
    assert leases == [(1,)]  # one lease row, given back by the second process when it stopped
    assert taken_over_after < LEASE_SECONDS + 15
    print(
        f"first process fired {fired_by_first} of {CASES}; finished by the second {taken_over_after:.1f} s after the kill"
    )

    # the same sweep, never interrupted, on the copy
    from app import create_app
    from tests.conftest import make_config

    with create_app(make_config(clean)).app_context():
        tasks.sweep(utcnow(), batch=10)
        db.session.remove()
        db.engine.dispose()
    assert fires(path) == fires(clean) and len(fires(path)) >= CASES
    told, expected = reminders(path), reminders(clean)
    assert told == expected
    assert max(told.values()) == 1  # nobody heard of a case twice on one channel
