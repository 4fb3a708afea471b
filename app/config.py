"""Configuration: defaults here, then ``instance/config.py``, then environment variables."""

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


class DefaultConfig:
    """Settings every deployment starts from."""

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # The hard limit on a request body, far above the attachment limits below: a letter with a file over
    # those is still read, so the citizen gets the form back with the text and a message about the file.
    MAX_CONTENT_LENGTH = 100 * 1024 * 1024
    # Reverse proxies in front of the app (nginx: 1; env TRUSTED_PROXIES). 0 reads the socket's address, so a
    # client cannot choose the address its rate limits and bans are counted under (deploy/nginx/suqiu.conf).
    TRUSTED_PROXIES = 0
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Login throttles (app.auth.login), counted before any password is checked. Browsers that logged in
    # to an account before carry a device cookie and have their own count, so a stranger's failures
    # cannot lock the owner out; other browsers share the per-account count.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_DEVICE = "5 per 15 minutes"
    LOGIN_LIMIT_PER_IP = "30 per 15 minutes"
    LOGIN_DEVICE_DAYS = 180
    # Argon2 checks running at once per process (64 MiB each), and how long a login waits for one.
    PASSWORD_HASH_CONCURRENCY = 2
    PASSWORD_HASH_WAIT_SECONDS = 10
    PASSWORD_HASH_CHEAP = False
    # The 民情日报 of yesterday: built at, then sent to leaders and supervisors at (Beijing time, "HH:MM");
    # in between a supervisor may add an editor's note.
    REPORT_BUILD_TIME = "07:30"
    REPORT_SEND_TIME = "08:00"
    # Today's figures are counted live; a process reuses its count for up to this many seconds unless a
    # case changed in it meanwhile (other processes' changes show within this time). 0: count every time.
    LIVE_FIGURES_SECONDS = 60
    # The case list counts at most this many rows and then shows "N+" (COUNT(*) on a big table is slow).
    LIST_COUNT_CAP = 10000
    SEARCH_COUNT_CAP = 100  # a searched list counts its matches up to here ("100+": narrow the search)
    EXPORT_MAX_ROWS = 50000
    FLASK_ADMIN_SWATCH = "cerulean"
    # Background jobs: the morning digest's local send time, and how long the scheduler lease lasts.
    DIGEST_TIME = "08:30"
    SCHEDULER_LEASE_SECONDS = 90
    # The office that signs the printed case documents (办理单, 答复告知书, 延期告知书) and the SMS texts;
    # unset: the name of the top district department (app.org.office.office_name).
    OFFICE_NAME = None
    # Where citizens and staff reach this server from outside: links in e-mails, QR codes, posters.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Citizens' uploads: kept under instance/uploads unless UPLOAD_FOLDER says otherwise.
    UPLOAD_FOLDER = None
    # Where attachments' bytes live (app.intake.storage): "local" (files under UPLOAD_FOLDER; one server, or a
    # shared folder) or "database" (chunks of ATTACHMENT_CHUNK_BYTES in the attachment_chunk table, reached
    # by every server and carried by every database backup). Move existing files with
    # `flask --app app storage migrate --to database|local`.
    ATTACHMENT_STORAGE = os.environ.get("ATTACHMENT_STORAGE", "local")
    ATTACHMENT_CHUNK_BYTES = 1024 * 1024
    UPLOAD_MAX_FILE_BYTES = 10 * 1024 * 1024
    UPLOAD_MAX_CASE_BYTES = 30 * 1024 * 1024
    UPLOAD_MAX_FILES = 9
    # Rate limits (Flask-Limiter / limits notation). Storage: memory, or e.g. redis://127.0.0.1:6379/0.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STRATEGY = "fixed-window"  # counters: app.ratelimit.give_back returns a place
    # Redis (or any shared storage) that does not answer within half a second counts as away (app.ratelimit):
    # limits are then counted per process, each process taking its share of every limit.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    RATELIMIT_FALLBACK_WORKERS = int(os.environ.get("WEB_CONCURRENCY", "1"))  # gunicorn's own variable
    RATELIMIT_RETRY_SECONDS = 30
    SUBMIT_LIMIT_PER_IP = "20/hour"
    SUBMIT_LIMIT_PER_PHONE = "5/hour"
    TRACK_FAILURE_LIMIT = "10/15minute"
    # 来电历史 look-ups per staff user: enough for typing numbers in, too few to harvest the citizens' list.
    CALLER_HISTORY_LIMIT = "60/minute"
    # 重复件: how many days back intake looks for the same caller or the same matter (app.intake.repeats).
    REPEAT_WINDOW_DAYS = 180
    # 弱信号预警: the false discovery rate of the daily hot-spot test (Benjamini–Hochberg; app.reports.hotspots).
    HOTSPOT_FDR = 0.05
    OPEN311_LIMIT_PER_KEY = "600/minute"
    # Clues sent through volunteers' personal links (/v/<token>): per volunteer and per IP.
    CLUE_LIMIT_PER_VOLUNTEER = "10/hour"
    CLUE_LIMIT_PER_IP = "30/hour"
    # Volunteer roster import: file and row limits; parsed uploads wait for confirmation under
    # instance/roster_imports (unless ROSTER_IMPORT_FOLDER says otherwise) for at most the TTL.
    ROSTER_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    ROSTER_IMPORT_MAX_ROWS = 20000
    ROSTER_IMPORT_FOLDER = None
    ROSTER_IMPORT_TTL_SECONDS = 2 * 3600
    # 平安奖励金: the smallest and largest reward one clue may earn (yuan).
    REWARD_MIN_YUAN = 50
    REWARD_MAX_YUAN = 5000
    # Separation of duties: a reward's proposer may not approve it, nor its approver record its payment.
    REWARD_SEPARATE_PROPOSER_APPROVER = True
    REWARD_SEPARATE_APPROVER_PAYER = True
    # Outbox delivery (app.notifications): e-mail over SMTP and group robots, retried with back-off.
    MAIL_SERVER = None  # unset: e-mail is held until a server is configured
    MAIL_PORT = None  # unset: 465 with MAIL_USE_SSL, 587 with MAIL_USE_TLS, else 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the first byte (SMTPS)
    MAIL_USERNAME = None
    MAIL_PASSWORD = None  # from instance/config.py or the environment, never from the repository
    MAIL_DEFAULT_SENDER = None  # unset: MAIL_USERNAME, else suqiu@localhost
    MAIL_TIMEOUT = 10
    WEBHOOK_TIMEOUT = 5
    DELIVERY_MAX_ATTEMPTS = 6
    DELIVERY_BACKOFF_MINUTES = (1, 5, 15, 60, 240)
    DELIVERY_CLAIM_MINUTES = 10  # lease on a claimed row; far longer than one send may take
    # Texts to citizens at 受理 and 答复 (app.notifications.sms), retried like the outbox. "log": written to
    # the app log only; "http": POSTed as JSON to SMS_HTTP_URL (bearer SMS_HTTP_TOKEN, provider template id
    # SMS_HTTP_TEMPLATE). The signature heads every text; unset: 【OFFICE_NAME】.
    SMS_GATEWAY = "log"
    SMS_HTTP_URL = None
    SMS_HTTP_TOKEN = None  # from instance/config.py or the environment, never from the repository
    SMS_HTTP_TEMPLATE = None
    SMS_HTTP_TIMEOUT = 5
    SMS_SIGNATURE = None
    # 群众评价: how many days after a reply the citizen may still rate it on /track once a revisit closed it.
    CITIZEN_RATING_DAYS = 30
    # Operations (app.ops, README "Operations"). /healthz fails a check past these limits:
    HEALTH_DB_TIMEOUT_MS = 2000  # PostgreSQL statement_timeout of its SELECT 1
    # The scheduler renews its lease at every job run (deliveries every 30 s); five minutes without one
    # means no jobs process is running, or it is stuck.
    HEALTH_LEASE_MAX_AGE_S = 300
    # The oldest undelivered e-mail or group-robot message (held e-mail without MAIL_SERVER is not
    # counted): half an hour means a channel is down or the delivery job is not running.
    HEALTH_OUTBOX_MAX_AGE_S = 1800
    HEALTH_OUTBOX_MAX_BACKLOG = 5000
    # /metrics: a bearer token, and/or networks allowed without one ("127.0.0.1/32,10.0.0.0/8").
    # Neither set: /metrics answers 404.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    METRICS_ALLOW_NETWORKS = os.environ.get("METRICS_ALLOW_NETWORKS", "")
    # The request log (logger suqiu.request, standard error): "text", or "json" for one object per line.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # Backups (app.backups): the nightly job writes one under BACKUP_DIR (unset: instance/backups) and keeps
    # the newest of each of the last N days, ISO weeks and months. BACKUP_ENABLED unset: on, except in tests.
    BACKUP_ENABLED = None
    BACKUP_DIR = None
    BACKUP_KEEP_DAILY = 7
    BACKUP_KEEP_WEEKLY = 4
    BACKUP_KEEP_MONTHLY = 12


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict:
    """Engine settings per database kind."""
    if url.startswith("postgresql+psycopg"):
        # psycopg prepares a statement on its 5th run and PostgreSQL may then switch to a generic plan
        # that ignores which department is asked for; the scoped case list needs the custom plan.
        return {"connect_args": {"prepare_threshold": None}}
    return {}


def ensure_secret_key(instance_path: str) -> str:
    """Return the SECRET_KEY from ``instance/config.py``, generating and saving one when absent."""
    path = Path(instance_path) / "config.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    namespace: dict = {}
    if path.exists():
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    if namespace.get("SECRET_KEY"):
        return namespace["SECRET_KEY"]
    key = secrets.token_hex(32)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"\n# Generated on first run; keep it secret, keep it stable.\nSECRET_KEY = {key!r}\n")
    os.chmod(path, 0o600)
    return key


def public_url(path: str) -> str:
    """``path`` under the configured PUBLIC_BASE_URL (for links that leave the app: mail, QR codes)."""
    from flask import current_app

    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/" + path.lstrip("/")


def public_base_url_is_local(url: str | None) -> bool:
    """True when PUBLIC_BASE_URL is empty or names this machine: useless in a QR code, a poster or an e-mail."""
    host = (urlsplit(str(url or "").strip()).hostname or "").lower()
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
