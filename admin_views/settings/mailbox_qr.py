"""QR codes and printable posters for leader mailboxes: each code points at the mailbox's public page.

The routes live on :class:`admin_views.settings.org.MailboxView`; this module builds the codes, the responses and
the links shown in the mailbox list and details.
"""

from io import BytesIO

import segno
from flask import current_app
from flask import request
from flask import send_file
from flask_babel import gettext as _
from markupsafe import Markup

from app.config import public_base_url_is_local
from app.config import public_url

ERROR_LEVEL = "m"  # at least M (15 % of the code may be damaged); segno raises it when the size allows
BORDER = 4  # the quiet zone the QR standard asks for, in modules
PNG_SCALE = 16  # pixels per module: a version-3 code is 592 px, about 5 cm at 300 dpi
SVG_SCALE = 10  # user units per module in the downloadable SVG (vector: prints at any size)

KINDS = {
    "png": ("image/png", {"kind": "png", "scale": PNG_SCALE, "border": BORDER}),
    "svg": ("image/svg+xml", {"kind": "svg", "scale": SVG_SCALE, "border": BORDER}),
}


def mailbox_url(mailbox) -> str:
    """The absolute address of the mailbox's public page (what the QR code holds)."""
    return public_url(f"/m/{mailbox.slug}")


def public_url_warning() -> str | None:
    """Why the QR codes and posters would not work for citizens (PUBLIC_BASE_URL empty or local), or None."""
    url = str(current_app.config.get("PUBLIC_BASE_URL") or "").strip()
    if not public_base_url_is_local(url):
        return None
    if not url:
        return _(
            "The public address (PUBLIC_BASE_URL) is not set: QR codes, posters and links in messages lead "
            "nowhere. Set it in instance/config.py to the full address citizens open, then restart."
        )
    return _(
        "The public address (PUBLIC_BASE_URL) is %(url)s, which citizens cannot open: QR codes, posters and "
        "links in messages will not work for them. Set it in instance/config.py to the full address citizens "
        "open, then restart.",
        url=url,
    )


def make_code(url: str) -> segno.QRCode:
    """A full-size QR code (never a Micro QR, which many phone scanners cannot read) for ``url``."""
    return segno.make(url, error=ERROR_LEVEL, micro=False)


def code_bytes(code: segno.QRCode, kind: str) -> bytes:
    """``code`` as a PNG or SVG file."""
    out = BytesIO()
    code.save(out, **KINDS[kind][1])
    return out.getvalue()


def inline_svg(code: segno.QRCode) -> Markup:
    """``code`` as an ``<svg>`` element sized by CSS (it holds no user text, so it is safe markup)."""
    return Markup(code.svg_inline(scale=1, border=BORDER, omitsize=True, svgclass="qr-code", lineclass=None))


def qr_response(mailbox, kind: str):
    """The mailbox's QR code as a PNG or SVG response; a download with ``?download=1``."""
    mimetype = KINDS[kind][0]
    response = send_file(
        BytesIO(code_bytes(make_code(mailbox_url(mailbox)), kind)),
        mimetype=mimetype,
        as_attachment=request.args.get("download") == "1",
        download_name=f"mailbox-{mailbox.slug}-qr.{kind}",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _links(view, mailbox) -> list[Markup]:
    """Links to the PNG and SVG downloads and to the poster (in a new tab) of ``mailbox``."""
    link = Markup('<a href="{}" class="{}">{}</a>')
    return [
        link.format(
            view.get_url(f"{view.endpoint}.qr_png", id=mailbox.id, download=1), "qr-png", _("QR code (PNG)")
        ),
        link.format(
            view.get_url(f"{view.endpoint}.qr_svg", id=mailbox.id, download=1), "qr-svg", _("QR code (SVG)")
        ),
        Markup('<a href="{}" class="qr-poster" target="_blank" rel="noopener">{}</a>').format(
            view.get_url(f"{view.endpoint}.poster", id=mailbox.id), _("Printable poster")
        ),
    ]


def qr_links(view, context, model, name) -> Markup:
    """List column: the QR downloads and the poster, one line."""
    return Markup(" · ").join(_links(view, model))


def qr_details(view, context, model, name) -> Markup:
    """Details row: the encoded address, a small preview of the code, and the links."""
    url = mailbox_url(model)
    warning = public_url_warning()
    alert = Markup('<div class="alert alert-warning py-1 small" id="public-url-warning">{}</div>')
    return Markup(
        '<div class="mailbox-qr">{}<div style="width:8rem">{}</div>'
        '<div class="small text-monospace my-1">{}</div><div>{}</div></div>'
    ).format(
        alert.format(warning) if warning else "",
        inline_svg(make_code(url)),
        url,
        Markup(" · ").join(_links(view, model)),
    )
