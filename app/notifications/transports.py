"""How one message leaves: an e-mail over SMTP, or a markdown message to a 企业微信 / 钉钉 group robot.

Settings (``MAIL_*``, ``WEBHOOK_TIMEOUT``) come from the app config (defaults in :mod:`app.config`). A
refusal by the receiving side raises :class:`DeliveryError` (or the transport's own exception); the
caller (:mod:`app.notifications.delivery`) records it against the outbox row.
"""

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate
from email.utils import getaddresses
from email.utils import make_msgid
from email.utils import parseaddr

from flask import current_app

WECOM_MAX_BYTES = 4096  # 企业微信 markdown content limit


def _setting(key):
    return current_app.config[key]


class DeliveryError(Exception):
    """A refusal by the receiving server, with the reason to store."""


# --- e-mail ------------------------------------------------------------------------------------


def build_email(to: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 message from ``MAIL_DEFAULT_SENDER`` to the addresses in ``to`` (comma or semicolon separated)."""
    sender = _setting("MAIL_DEFAULT_SENDER") or _setting("MAIL_USERNAME") or "suqiu@localhost"
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(addr for _name, addr in getaddresses([to.replace(";", ",")]) if addr)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, charset="utf-8", cte="base64")  # 7-bit safe on any relay
    return message


def send_email(to: str, subject: str, body: str) -> str | None:
    """Send one e-mail over SMTP; return a note on refused recipients, raise when nothing was accepted."""
    message = build_email(to, subject, body)
    if not message["To"]:
        raise DeliveryError("no recipient address")
    use_ssl, use_tls = bool(_setting("MAIL_USE_SSL")), bool(_setting("MAIL_USE_TLS"))
    port = _setting("MAIL_PORT") or (465 if use_ssl else 587 if use_tls else 25)
    host, timeout = _setting("MAIL_SERVER"), _setting("MAIL_TIMEOUT")
    context = ssl.create_default_context()
    if use_ssl:
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if use_tls and not use_ssl:
            client.starttls(context=context)
        if _setting("MAIL_USERNAME"):
            client.login(_setting("MAIL_USERNAME"), _setting("MAIL_PASSWORD") or "")
        refused = client.send_message(message)
    return f"refused: {', '.join(sorted(refused))}" if refused else None


# --- group robots ------------------------------------------------------------------------------


def is_dingtalk(url: str) -> bool:
    """钉钉 when "dingtalk" appears anywhere in the URL (host, path or query); 企业微信 otherwise."""
    return "dingtalk" in url.lower()


def _clip_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def webhook_payload(url: str, subject: str, body: str) -> dict:
    """The markdown message a 企业微信 or 钉钉 group robot expects."""
    if is_dingtalk(url):
        return {"msgtype": "markdown", "markdown": {"title": subject, "text": f"#### {subject}\n\n{body}"}}
    content = _clip_utf8(f"**{subject}**\n{body}", WECOM_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would turn the POST into a GET without the message."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_webhook(url: str, payload: dict) -> None:
    """POST ``payload`` as JSON; raise on a non-2xx answer or a reply with a non-zero ``errcode``."""
    if not url.lower().startswith(("http://", "https://")):
        raise DeliveryError("webhook URL must start with http:// or https://")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=_setting("WEBHOOK_TIMEOUT")) as response:
            status, text = response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}: {text[:500]}")
    try:
        reply = json.loads(text)
    except ValueError:
        return
    if isinstance(reply, dict) and reply.get("errcode") not in (None, 0, "0"):
        raise DeliveryError(f"errcode {reply['errcode']}: {reply.get('errmsg', '')}")
