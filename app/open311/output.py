"""Open311 answers: the same data as bare JSON arrays or as the spec's XML, errors included.

JSON follows the spec's "Spark convention" mapping of the XML: a list root (``<services>``) becomes a bare
array; nested lists (``<attributes><attribute>``) become arrays under their plural key.
"""

import json
import re
import xml.etree.ElementTree as ET
from functools import wraps

from flask import Response
from flask import g
from flask import request

from app.timeutil import to_local

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Characters XML 1.0 cannot carry at all (control characters other than tab and line breaks, surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


REFUSAL_REASONS = {403: "bad_key", 404: "unknown_service", 429: "rate_limited"}


class Open311Error(Exception):
    """An answer in the spec's error format: HTTP ``status`` and a list of (code, description)."""

    def __init__(self, status: int, *descriptions: str, headers: dict | None = None, reason: str = ""):
        super().__init__(status, descriptions)
        self.status = status
        self.reason = reason or REFUSAL_REASONS.get(status, "invalid")  # a fixed word for the metrics
        self.errors = [{"code": status, "description": d} for d in descriptions]
        self.headers = headers or {}


def clean_id(value: str | None) -> str | None:
    """An identifier from a path or a filter as given, or None when it cannot be one (empty, control
    characters such as NUL, which PostgreSQL refuses in a query, or longer than any of ours)."""
    if not value or len(value) > 100 or _CONTROL.search(value):
        return None
    return value


def w3(value) -> str | None:
    """A stored UTC time as W3C / ISO 8601 in Beijing time with its offset (2026-11-22T09:30:00+08:00)."""
    local = to_local(value)
    return local.isoformat(timespec="seconds") if local else None


def current_format() -> str:
    """The format the client asked for by the path's extension (XML, the required one, when unknown)."""
    return g.get("open311_format") or format_of_path(request.path)


def format_of_path(path: str) -> str:
    """``json`` when the path ends in ``.json``, else ``xml``."""
    return "json" if path.lower().endswith(".json") else "xml"


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, list):
        item = ITEM_TAGS[element.tag]
        for entry in value:
            _fill(ET.SubElement(element, item), entry)
    elif isinstance(value, dict):
        for key, entry in value.items():
            _fill(ET.SubElement(element, key), entry)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def to_xml(root: str, data) -> str:
    """The XML document for ``data`` under the root element ``root``."""
    element = ET.Element(root)
    _fill(element, data)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode")


def respond(root: str, data, status: int = 200, headers: dict | None = None) -> Response:
    """``data`` in the requested format; ``root`` names the XML root element."""
    fmt = current_format()
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = to_xml(root, data)
    response = Response(body.encode("utf-8", "replace"), status, content_type=CONTENT_TYPES[fmt])
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def open311_error(error: Open311Error):
    """An :class:`Open311Error` as its answer."""
    return respond("errors", error.errors, error.status, error.headers)


def formatted(view, methods=("GET",)):
    """``view`` behind a route ending in ``.<fmt>``: unknown formats and other methods answer as errors."""

    @wraps(view)
    def wrapper(fmt: str, **kwargs):
        if fmt not in FORMATS:
            g.open311_format = "xml"
            raise Open311Error(404, f"Unknown format '{fmt[:20]}': use .json or .xml")
        g.open311_format = fmt
        if request.method not in methods:
            allow = ", ".join(methods)
            raise Open311Error(405, f"Method not allowed; use {allow}", headers={"Allow": allow})
        return view(**kwargs)

    return wrapper
