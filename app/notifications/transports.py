"""How one message leaves: an e-mail over SMTP, or a markdown message to a 企业微信 / 钉钉 group robot.

Settings (``MAIL_*``, ``WEBHOOK_TIMEOUT``, ``PUBLIC_BASE_URL``) come from the app config (defaults in
:mod:`app.config`). A refusal by the receiving side raises :class:`DeliveryError` (or the transport's own
exception); the caller (:mod:`app.notifications.delivery`) records it against the outbox row.

A robot message treats its whole subject and body as untrusted text (they quote citizens' case titles and
content): :func:`escape_markdown` makes it inert before it goes inside the only markup we add ourselves,
the bold subject line (企业微信) or the ``####`` heading (钉钉); 钉钉's ``title`` is plain text and gets
full-width look-alikes instead (:func:`plain_title`). The rules, so a citizen's text can form no link,
image, heading, emphasis, list, quote, table, code span, HTML / ``<font>`` tag or ``<@userid>`` mention:

- a backslash before ``\\ ` * _ [ ] ( ) # ! | ~`` anywhere, and before ``- + =`` or the dot of ``12.``
  that opens a line. The backslash also stands between the characters, so ``](`` and ``![`` never touch
  even in a client that shows backslashes instead of honouring them;
- ``< > &`` become ``＜ ＞ ＆``: robots treat them as HTML, where a backslash means nothing and entities
  are not decoded reliably;
- addresses are defanged so no client auto-links them: ``://`` reads ``[:]//`` (``http[:]//evil.example``)
  and ``www.`` reads ``www[.]``. The one exception is a link under our own ``PUBLIC_BASE_URL`` (the case
  page in a reminder), kept verbatim up to the first character outside ``A-Z a-z 0-9 / ? = . % -``;
- CR and CRLF become LF; a subject loses its line breaks so it stays inside its wrapper.

企业微信 takes at most :data:`WECOM_MAX_BYTES`; the text is clipped after escaping, on a UTF-8 character
boundary and never between a backslash and the character it escapes, and the closing ``**`` is kept.
"""

import html
import json
import re
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

from app.notifications import links as message_links

WECOM_MAX_BYTES = 4096  # 企业微信 markdown content limit


def _setting(key):
    return current_app.config[key]


class DeliveryError(Exception):
    """A refusal by the receiving server, with the reason to store."""


def link_urls(links) -> list[tuple[str, str]]:
    """``(text, absolute URL)`` of a message's links (``data["links"]``); anything not an app path is dropped."""
    base = (_setting("PUBLIC_BASE_URL") or "").rstrip("/")
    return [(item["text"], base + item["path"]) for item in message_links.valid(links)]


# --- e-mail ------------------------------------------------------------------------------------


def _html_body(body: str, links) -> str:
    text = html.escape(body).replace("\n", "<br>\n")
    anchors = " ".join(f'<a href="{html.escape(url)}">{html.escape(label)}</a>' for label, url in links)
    return f"<html><body><p>{text}</p><p>{anchors}</p></body></html>"


def build_email(to: str, subject: str, body: str, files=(), links=()) -> EmailMessage:
    """A UTF-8 message from ``MAIL_DEFAULT_SENDER`` to the addresses in ``to`` (comma or semicolon separated),
    with ``files`` ((name, MIME type, bytes)) attached; ``links`` ((text, URL)) become links in an HTML part."""
    sender = _setting("MAIL_DEFAULT_SENDER") or _setting("MAIL_USERNAME") or "suqiu@localhost"
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(addr for _name, addr in getaddresses([to.replace(";", ",")]) if addr)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    if links:
        body = body + "\n\n" + "  ".join(label for label, _url in links)
    message.set_content(body, charset="utf-8", cte="base64")  # 7-bit safe on any relay
    if links:
        message.add_alternative(_html_body(body, links), subtype="html", charset="utf-8", cte="base64")
    for name, mime, data in files:
        maintype, _sep, subtype = mime.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def send_email(to: str, subject: str, body: str, files=(), links=()) -> str | None:
    """Send one e-mail over SMTP; return a note on refused recipients, raise when nothing was accepted."""
    message = build_email(to, subject, body, files, links)
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


_MARKDOWN = re.compile(
    r"(?P<escape>[\\`*_\[\]()#!|~])"  # inline syntax, escaped wherever it stands
    r"|^(?P<indent>[ \t]*)(?P<marker>[-+=]|[0-9]+\.)"  # list item, setext underline, ordered list
    r"|(?P<scheme>://)|(?P<www>(?i:www)\.)",  # what clients auto-link
    re.MULTILINE,
)
_HTML = str.maketrans({"<": "＜", ">": "＞", "&": "＆"})
_FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "\\`*_[]()#!|~<>&"})
_OWN_URL_TAIL = r"(?!/)[A-Za-z0-9/?=.%-]*"  # no "//" (host-like path), nothing markdown or HTML means


def _defang(match: re.Match) -> str:
    if match["escape"]:
        return "\\" + match["escape"]
    if match["marker"]:
        number, dot = (match["marker"][:-1], ".") if match["marker"][-1] == "." else ("", match["marker"])
        return f"{match['indent']}{number}\\{dot}"
    if match["scheme"]:
        return "[:]//"
    if match["www"]:
        return match["www"][:-1] + "[.]"
    return match[0]  # our own link, verbatim


def escape_markdown(text: str, own_url: str | None = None) -> str:
    """``text`` as inert robot markdown (rules in the module docstring); links under ``own_url`` stay whole."""
    pattern = _MARKDOWN
    if own_url:
        own = re.escape(own_url.rstrip("/") + "/") + _OWN_URL_TAIL
        pattern = re.compile(f"{own}|{_MARKDOWN.pattern}", re.MULTILINE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return pattern.sub(_defang, text).translate(_HTML)


def plain_title(subject: str) -> str:
    """``subject`` for a plain-text field (钉钉's ``title``): one line, full-width syntax, defanged links."""
    line = " ".join(subject.splitlines()).translate(_FULL_WIDTH).replace("://", "[:]//")
    return re.sub(r"(?i)(www)\.", r"\1[.]", line)


def _clip_escaped(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes of escaped text, never ending on the backslash of a cut escape."""
    clipped = text.encode("utf-8")[: max(limit, 0)].decode("utf-8", "ignore")
    if (len(clipped) - len(clipped.rstrip("\\"))) % 2:
        clipped = clipped[:-1]
    return clipped


def webhook_payload(url: str, subject: str, body: str, links=()) -> dict:
    """The markdown message a 企业微信 or 钉钉 group robot expects, with subject and body escaped and
    ``links`` ((text, URL) under our own address) as markdown links."""
    own_url = current_app.config.get("PUBLIC_BASE_URL")
    heading = escape_markdown(" ".join(subject.splitlines()), own_url)
    text = escape_markdown(body, own_url)
    if links:
        text += "\n\n" + "  ".join(f"[{escape_markdown(label)}]({target})" for label, target in links)
    if is_dingtalk(url):
        markdown = {"title": plain_title(subject), "text": f"#### {heading}\n\n{text}"}
        return {"msgtype": "markdown", "markdown": markdown}
    heading = _clip_escaped(heading, WECOM_MAX_BYTES - len("****"))
    room = WECOM_MAX_BYTES - len(f"**{heading}**\n".encode())
    content = f"**{heading}**" + (f"\n{_clip_escaped(text, room)}" if room > 0 else "")
    return {"msgtype": "markdown", "markdown": {"content": content}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would turn the POST into a GET without the message."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, payload: dict, timeout: float, headers: dict | None = None) -> dict | None:
    """POST ``payload`` as JSON without following redirects; the JSON object answered (None when the answer is
    not one); raise :class:`DeliveryError` on a bad address or a non-2xx answer."""
    if not url.lower().startswith(("http://", "https://")):
        raise DeliveryError("URL must start with http:// or https://")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, text = response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}: {text[:500]}")
    try:
        reply = json.loads(text)
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def post_webhook(url: str, payload: dict) -> None:
    """POST ``payload`` as JSON; raise on a non-2xx answer or a reply with a non-zero ``errcode``."""
    reply = post_json(url, payload, _setting("WEBHOOK_TIMEOUT"))
    if reply is not None and reply.get("errcode") not in (None, 0, "0"):
        raise DeliveryError(f"errcode {reply['errcode']}: {reply.get('errmsg', '')}")
