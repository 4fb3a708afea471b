"""A real HTTP server for browser tests: the app on a copy of the template database, CSRF on.

Use it from a test module with ``from tests.support.live_server import live_server_fixture  # noqa: F401``
and ask for the ``live_server`` fixture; it yields a :class:`LiveServer` (``url`` and ``app``).
"""

import shutil
import threading
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import make_config


@dataclass(frozen=True)
class LiveServer:
    """Where the server answers, and the app it serves (push ``app.app_context()`` to read its DB)."""

    url: str
    app: Flask

    def __call__(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.url + path


@pytest.fixture(scope="module", name="live_server")
def live_server_fixture(template_db, tmp_path_factory):
    """Serve a fresh copy of the template database on 127.0.0.1 and a free port, in a background thread."""
    path = tmp_path_factory.mktemp("live") / "suqiu.db"
    shutil.copy(template_db, path)
    app = create_app(make_config(path, WTF_CSRF_ENABLED=True))
    # Port 0: the OS picks a free port at bind time, so parallel workers never collide.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
