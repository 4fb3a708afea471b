"""Security headers on every response: a Content-Security-Policy without inline script, no framing,
nosniff, a same-origin referrer, ``no-store`` on pages (they may show personal data), and secure cookies
when the site is served over https.

Own code rather than Flask-Talisman: the site sits behind the office's proxy on an intranet, so Talisman's
main features (forcing https, HSTS) must stay off, and what remains is this one hook plus the nonce that
Flask-Admin's own inline scripts carry (``Admin(csp_nonce_generator=csp_nonce)``). Our pages load every
script from a file (``static/suqiu.js``), so ``script-src`` allows only this origin and that nonce. Styles
keep ``'unsafe-inline'``: Flask-Admin's widgets and a few templates set style attributes, and a style cannot
run code.
"""

import secrets

from flask import Flask
from flask import g
from flask import request

POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def csp_nonce() -> str:
    """This response's script nonce (one per request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _secure(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", POLICY.format(nonce=csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if "/static/" not in request.path:
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response, expose ``csp_nonce()`` to templates, secure the cookies on https."""
    app.after_request(_secure)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    if str(app.config.get("PUBLIC_BASE_URL", "")).lower().startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
