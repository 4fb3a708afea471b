"""Login throttles under attack: real threads against a live server (CSRF on), released together.

Regressions for the outside test: 48 parallel guesses were checked before the account locked, a burst of
19 wrong and 1 right logged in and reset the count, 20 parallel Argon2 checks took the server to 1.09 GB,
unknown usernames answered differently (and 40 times faster) than known ones, and any stranger could lock
any account.
"""

import statistics
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from limits import parse
from sqlalchemy import select

from app.auth.passwords import set_password
from app.extensions import db
from app.extensions import limiter
from models.user import User
from tests.support.factories import PASSWORD
from tests.support.live_server import live_server_fixture  # noqa: F401  (provides the live_server fixture)
from tests.support.web import Browser
from tests.support.web import at_once

WRONG = "wrong-password-1"


@pytest.fixture
def server(live_server):
    """The live server with fresh login counts and its usual settings afterwards."""
    config = live_server.app.config
    saved = {key: config[key] for key in config if key.startswith(("LOGIN_", "PASSWORD_HASH_"))}
    with live_server.app.app_context():
        limiter.reset()
    yield live_server
    config.update(saved)
    with live_server.app.app_context():
        limiter.reset()
        for account in db.session.scalars(select(User)):
            account.failed_logins, account.locked_until = 0, None
        db.session.commit()


def limit(server, setting: str) -> int:
    return parse(server.app.config[setting]).amount


def attempt(server, username: str, password: str, visitor: Browser | None = None):
    """Prepare one login attempt (page and token fetched); return how to send it."""
    visitor = visitor or Browser(server.url)
    token = visitor.token("/login")
    form = {"csrf_token": token, "username": username, "password": password}
    return lambda: visitor.request("POST", "/login", form)[0]


def account(server, username: str) -> User:
    with server.app.app_context():
        found = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(found)
        return found


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(server):
    statuses = at_once(40, lambda i: attempt(server, "clerk", WRONG))
    allowed = limit(server, "LOGIN_LIMIT_PER_ACCOUNT")
    assert statuses.count(401) == allowed
    assert statuses.count(429) == 40 - allowed
    clerk = account(server, "clerk")
    assert clerk.failed_logins == allowed and clerk.locked_until is not None
    assert attempt(server, "clerk", PASSWORD)() == 429  # locked: the right password is not checked


def test_a_burst_with_the_right_password_checks_no_more_than_the_limit(server):
    statuses = at_once(20, lambda i: attempt(server, "clerk", PASSWORD if i == 19 else WRONG))
    # at most the limit of wrong guesses is checked; a success gives its own place back, no more
    assert statuses.count(401) <= limit(server, "LOGIN_LIMIT_PER_ACCOUNT")
    assert statuses.count(302) <= 1 and statuses.count(429) == 20 - statuses.count(401) - statuses.count(302)
    if statuses.count(401) == limit(server, "LOGIN_LIMIT_PER_ACCOUNT"):
        assert attempt(server, "clerk", WRONG)() == 429  # the success did not reset the count


def test_one_address_is_limited_across_accounts(server):
    names = [f"nobody-{uuid.uuid4().hex[:8]}" for _ in range(40)]
    statuses = at_once(40, lambda i: attempt(server, names[i], WRONG))
    assert statuses.count(401) == limit(server, "LOGIN_LIMIT_PER_IP")
    assert statuses.count(429) == 40 - limit(server, "LOGIN_LIMIT_PER_IP")


def test_a_stranger_cannot_lock_the_owner_out_of_a_browser_used_before(server):
    owner = Browser(server.url)
    assert attempt(server, "clerk", PASSWORD, owner)() == 302
    owner.request("POST", "/logout", {"csrf_token": owner.token("/admin/case/")})
    assert "suqiu_device" in owner.cookies
    for _ in range(limit(server, "LOGIN_LIMIT_PER_ACCOUNT") + 3):
        attempt(server, "clerk", WRONG)()
    assert attempt(server, "clerk", PASSWORD)() == 429  # any new browser is locked out...
    assert attempt(server, "clerk", PASSWORD, owner)() == 302  # ...the owner's is not
    owner.request("POST", "/logout", {"csrf_token": owner.token("/admin/case/")})
    # and the device cookie is the account's only: it does not lift another account's throttle
    for _ in range(limit(server, "LOGIN_LIMIT_PER_ACCOUNT")):
        attempt(server, "supervisor", WRONG)()
    assert attempt(server, "supervisor", PASSWORD, owner)() == 429


def test_a_device_has_its_own_limit(server):
    owner = Browser(server.url)
    assert attempt(server, "clerk", PASSWORD, owner)() == 302
    owner.request("POST", "/logout", {"csrf_token": owner.token("/admin/case/")})
    statuses = at_once(12, lambda i: attempt(server, "clerk", WRONG, _copy(owner, server)))
    assert statuses.count(401) == limit(server, "LOGIN_LIMIT_PER_DEVICE")


def _copy(visitor: Browser, server) -> Browser:
    twin = Browser(server.url)
    twin.cookies = dict(visitor.cookies)
    return twin


def test_unknown_and_known_usernames_get_the_same_answers(server):
    known, unknown = [], []
    for _ in range(limit(server, "LOGIN_LIMIT_PER_ACCOUNT") + 2):
        known.append(_answer(server, "supervisor"))
        unknown.append(_answer(server, "no-such-person"))
    assert known == unknown
    allowed = limit(server, "LOGIN_LIMIT_PER_ACCOUNT")
    assert [status for status, _text in known] == [401] * allowed + [429] * 2


def _answer(server, username: str) -> tuple[int, str]:
    visitor = Browser(server.url)
    form = {"csrf_token": visitor.token("/login"), "username": username, "password": WRONG}
    status, html = visitor.request("POST", "/login", form)
    return status, html.split('role="alert">', 1)[1].split("<", 1)[0]


@contextmanager
def production_hash(server, username: str):
    """The account's password hashed with the production parameters while the block runs."""

    def rehash():
        with server.app.app_context():
            found = db.session.scalar(select(User).where(User.username == username))
            set_password(found, PASSWORD)
            db.session.commit()

    cheap = server.app.config["PASSWORD_HASH_CHEAP"]
    server.app.config["PASSWORD_HASH_CHEAP"] = False
    rehash()
    try:
        yield
    finally:
        server.app.config["PASSWORD_HASH_CHEAP"] = True
        rehash()
        server.app.config["PASSWORD_HASH_CHEAP"] = cheap


def test_an_unknown_username_costs_the_same_time_as_a_known_one(server):
    with production_hash(server, "clerk"):
        known = [_timed(server, "clerk") for _ in range(4)]
        unknown = [_timed(server, "no-such-person") for _ in range(4)]
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2, (known, unknown)


def _timed(server, username: str) -> float:
    send = attempt(server, username, WRONG)
    limiter_reset(server)
    started = time.perf_counter()
    assert send() == 401
    return time.perf_counter() - started


def limiter_reset(server):
    with server.app.app_context():
        limiter.reset()


def _peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def test_parallel_password_checks_are_bounded_in_memory(server):
    # the throttles would stop a burst on one account first: lift them to see the hashing bound itself
    server.app.config.update(
        PASSWORD_HASH_CHEAP=False, PASSWORD_HASH_CONCURRENCY=2, LOGIN_LIMIT_PER_ACCOUNT="100 per minute"
    )
    with production_hash(server, "clerk"):
        sends = [attempt(server, "clerk", WRONG) for _ in range(20)]
        Path("/proc/self/clear_refs").write_text("5")  # start the peak (VmHWM) from here
        before = _peak_rss()
        statuses = at_once(20, lambda i: sends[i])
        grown = _peak_rss() - before
    assert statuses == [401] * 20  # every check waited for its turn and was made
    # each check holds 64 MiB; two at a time, not twenty (1.25 GiB)
    assert grown < 300 * 2**20, f"peak grew by {grown / 2**20:.0f} MiB"


def test_checks_that_cannot_start_in_time_are_turned_away_and_not_counted(server):
    server.app.config.update(
        PASSWORD_HASH_CHEAP=False, PASSWORD_HASH_CONCURRENCY=1, PASSWORD_HASH_WAIT_SECONDS=0.001
    )
    allowed = limit(server, "LOGIN_LIMIT_PER_ACCOUNT")
    statuses = at_once(allowed, lambda i: attempt(server, "ghost", WRONG))  # unknown: a full-cost check
    assert 503 in statuses and set(statuses) <= {401, 503}
    busy = statuses.count(503)
    server.app.config["PASSWORD_HASH_WAIT_SECONDS"] = 10
    # the turned-away attempts gave their places back
    remaining = allowed - statuses.count(401)
    assert busy and [attempt(server, "ghost", WRONG)() for _ in range(remaining)] == [401] * remaining
    assert attempt(server, "ghost", WRONG)() == 429
