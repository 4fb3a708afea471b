"""A gunicorn process serving the app on a free loopback port: another web server in a multi-server test,
with a cookie-keeping client of its own (urllib, no extra dependency)."""

import http.cookiejar
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.redis_server import free_port
from tests.support.redis_server import wait_for_port

ROOT = Path(__file__).resolve().parents[2]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to look at, not to follow


class AppServer:
    """``gunicorn -w 1`` on the SQLite file ``db_path`` with ``settings``; its log goes to ``log``."""

    def __init__(self, db_path: Path, settings: dict, log: Path):
        self.port, self.log = free_port(), log
        env = {**os.environ, "SUQIU_TEST_DB": str(db_path), "SUQIU_TEST_SETTINGS": json.dumps(settings),
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        env.pop("SUQIU_SCHEDULER", None)
        command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}",
                   "--log-level", "warning", "tests.support.wsgi_app:app"]  # fmt: skip
        with open(log, "ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        if not wait_for_port(self.port, 60):
            self.stop()
            raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-2000:]}")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        """GET (or POST ``data`` as a form) ``path``; the status and the body."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> None:
        """Stop gunicorn and its worker."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
