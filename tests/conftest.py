"""Fixtures: an app on a migrated temporary SQLite database, a client, and ``login_as(role, department)``."""

import shutil
import tempfile
from pathlib import Path

import flask_migrate
import pytest
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db as _db
from tests.support import factories

ROOT = Path(__file__).resolve().parent.parent


def make_config(db_path, **overrides) -> dict:
    """Test settings for a SQLite file (or any URL given as ``SQLALCHEMY_DATABASE_URI``)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_CHEAP": True,
        "SERVER_NAME": None,
    }
    # Files a test writes stay beside its database, never in the checkout's instance/ folder.
    base = Path(db_path).parent if db_path else Path(tempfile.mkdtemp(prefix="suqiu-test-"))
    config["UPLOAD_FOLDER"] = str(base / "uploads")
    config["ROSTER_IMPORT_FOLDER"] = str(base / "roster_imports")
    config.update(overrides)
    return config


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (own ``g`` and DB session), as in production.

    Without this, requests would reuse the app context the test pushed, sharing ``g`` (the cached
    locale and logged-in user) and the test's own DB session across requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Compile the translation catalogs when stale, so a bare ``pytest`` sees the same UI as ``make test``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "app" / "translations").glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src, mo.open("wb") as dst:
                write_mo(dst, read_po(src))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A database built once per session through the real migrations, with the test org loaded."""
    path = tmp_path_factory.mktemp("template") / "suqiu.db"
    app = create_app(make_config(path))
    with app.app_context():
        flask_migrate.upgrade()
        factories.build_org()
        _db.engine.dispose()
    return path


@pytest.fixture
def app_config():
    """Per-test overrides; a test module may override this fixture."""
    return {}


@pytest.fixture
def app(template_db, tmp_path, app_config):
    """A fresh copy of the template database for each test, with an app context pushed."""
    path = tmp_path / "suqiu.db"
    shutil.copy(template_db, path)
    application = create_app(make_config(path, **app_config))
    application.test_client_class = FreshContextClient
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The Flask-SQLAlchemy handle."""
    return _db


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def login_as(app, client):
    """Log the client in as the test user with ``role`` (and department code); returns the user."""

    def _login(role: str, department: str | None = None):
        user = factories.make_user(role, department)
        _db.session.commit()
        client.post("/logout")
        response = client.post("/login", data={"username": user.username, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login
