"""Suqiu 诉求通: the application factory, the one composition root that may import every package."""

import os
from pathlib import Path

from flask import Flask
from flask import render_template
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import headers
from app.config import DefaultConfig
from app.config import engine_options
from app.config import ensure_secret_key
from app.config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment, then ``test_config``."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    for name in ("DATABASE_URL", "PUBLIC_BASE_URL", "SECRET_KEY", "OFFICE_NAME", "RATELIMIT_STORAGE_URI"):
        if os.environ.get(name):
            app.config["SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name] = os.environ[name]
    if os.environ.get("TRUSTED_PROXIES"):
        app.config["TRUSTED_PROXIES"] = int(os.environ["TRUSTED_PROXIES"])
    if test_config is not None:
        app.config.update(test_config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(app.instance_path) / 'suqiu.db'}")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(app.instance_path)

    trust_proxies(app)
    register_extensions(app)
    headers.init_app(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    if os.environ.get("SUQIU_SCHEDULER") == "1" and not app.testing:
        from jobs.scheduler import start_in_process

        start_in_process(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies (nginx: 1), read the client's address, scheme and host from
    their X-Forwarded-* headers, so rate limits and bans see the citizen and not the proxy. Never more
    proxies than there are: each extra one lets a client choose the address it is counted under."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    """Bind the extensions created in ``app.extensions``, the session hooks, and build the admin."""
    import models  # noqa: F401  (registers every model with the metadata)
    from admin_views import init_admin
    from app.auth.sessions import load_user
    from app.auth.sessions import watch_account_changes
    from app.extensions import babel
    from app.extensions import csrf
    from app.extensions import db
    from app.extensions import limiter
    from app.extensions import login_manager
    from app.extensions import migrate
    from app.i18n import get_locale
    from app.i18n import get_timezone
    from app.org import refcache
    from app.reports.issues import register_attachments
    from app.reports.rollup import watch_case_changes

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=get_locale, timezone_selector=get_timezone)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    watch_account_changes()  # password, role, department or active changes end the sessions
    register_attachments()  # e-mails of the 民情日报 carry its Word file
    watch_case_changes()  # a change to an old case is noted, and the job corrects that day's figures
    refcache.install()  # every process (web, jobs, CLI) bumps the reference-cache version on an edit
    init_admin(app)


def register_blueprints(app: Flask) -> None:
    """Health and metrics, login, language switching, the citizens' pages and the Open311 API."""
    from admin_views import login
    from app import i18n
    from app.open311 import blueprint as open311
    from app.ops import views as ops
    from app.public import blueprint as public

    ops.register(app)  # the request log and latency histogram cover every page
    app.register_blueprint(login.bp)
    app.register_blueprint(i18n.bp)
    public.register(app)
    open311.register(app)


def register_errorhandlers(app: Flask) -> None:
    """Friendly pages for 400, 403, 404, 405, 413, a refused CSRF token and an unreachable database (503),
    in the user's language."""
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import DBAPIError

    from app import unavailable

    def render_error(error):
        code = getattr(error, "code", 500)
        return render_template(
            "errors/error.html", code=code, description=getattr(error, "description", "")
        ), code

    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_error)
    app.register_error_handler(DBAPIError, unavailable.page)  # database out of reach: 503, typed text kept


def register_template_helpers(app: Flask) -> None:
    """Template filters and globals: local times, the enums (for labels), the language list, the bell."""
    from flask_babel import get_locale

    from app.notifications import bell
    from app.timeutil import format_local
    from models import enums

    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.globals["enums"] = enums
    app.jinja_env.globals["get_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["LANGUAGE_NAMES"] = {"zh_Hans_CN": "中文", "en": "English"}
    app.jinja_env.globals["notification_badges"] = bell.notification_badges


def register_commands(app: Flask) -> None:
    """Each domain's command group and the app's own commands (see :mod:`app.cli`)."""
    from app.cli import register

    register(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, use WAL, and wait for locks instead of failing."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
