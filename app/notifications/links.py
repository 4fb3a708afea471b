"""The links a message carries (``data["links"]``): a path inside the admin pages and the text shown for it."""

import re

PATH = re.compile(r"/admin/[A-Za-z0-9/?=&._-]*")  # the only links we put in a message ourselves


def link(path: str, text) -> dict:
    """A link a message carries: ``path`` inside the app (``/admin/...``) shown as ``text``."""
    return {"path": path, "text": str(text)}


def case_link(case) -> dict:
    """The link to a case's page, shown as its number."""
    return link(f"/admin/case/details/?id={case.id}", case.number)


def valid(items) -> list[dict]:
    """The well-formed links of ``items`` (a row's ``data["links"]``); anything else is dropped."""
    return [
        {"path": item["path"], "text": str(item.get("text") or item["path"])}
        for item in items or ()
        if isinstance(item, dict) and isinstance(item.get("path"), str) and PATH.fullmatch(item["path"])
    ]
