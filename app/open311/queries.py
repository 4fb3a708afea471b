"""GET requests, GET requests/<id> and GET tokens/<token>: public, so only published cases, nothing personal.

Which cases are published, and what of them, is :mod:`app.cases.publication`'s rule: a public mailbox and
the citizen's consent, never a sensitive case. A case shows its number, category, open/closed, redacted
description and reply, lead department, times, and its street and community instead of the address. Never
the citizen's name, phone or ID number, the submitting IP or the tracking code; phones, ID and card
numbers, e-mail, QQ and WeChat ids typed into the free text are masked. An unpublished case is a 404.
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask import request
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.cases import publication
from app.extensions import db
from app.open311 import posting
from app.open311.output import Open311Error
from app.open311.output import clean_id
from app.open311.output import respond
from app.open311.output import w3
from app.timeutil import LOCAL_TZ
from app.timeutil import utcnow
from models.case import Case
from models.enums import OPEN_STATUSES
from models.org import Category

MAX_SPAN = timedelta(days=90)
DEFAULT_MAX_RESULTS = 1000
W3_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
UNENCODED_PLUS = re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.]+ \d{2}:\d{2}", re.ASCII)
W3_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})", re.ASCII)


def open_or_closed(status: str) -> str:
    """Open311's two states: closed for closed, rejected and merged cases, open for every other."""
    return "open" if status in OPEN_STATUSES else "closed"


def serialize(case: Case) -> dict:
    """One case as an Open311 request, with nothing personal in it."""
    status = open_or_closed(case.status)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        notice = publication.public_status(case.status)
    category = case.category
    return {
        "service_request_id": case.number,
        "status": status,
        "status_notes": publication.public_text(case, case.reply_text) or None,
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        "description": publication.public_text(case, case.content),
        "agency_responsible": case.lead_department.name if case.lead_department else None,
        "service_notice": notice,
        "requested_datetime": w3(case.received_at),
        "updated_datetime": w3(case.closed_at if status == "closed" and case.closed_at else case.updated_at),
        "expected_datetime": w3(case.next_due_at),
        "address": publication.public_place(case),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _public_cases():
    return (
        select(Case)
        .where(publication.published())
        .options(
            joinedload(Case.category),
            joinedload(Case.lead_department),
            joinedload(Case.street),
            joinedload(Case.community),
        )
    )


def _listed(value: str | None) -> list[str]:
    return list(dict.fromkeys(v for v in (clean_id(v.strip()) for v in (value or "").split(",")) if v))


def parse_w3(value: str, name: str) -> datetime:
    """A W3C date (Beijing midnight) or date-time with its time zone, as aware UTC; 400 otherwise."""
    if UNENCODED_PLUS.fullmatch(value):  # "+08:00" sent unencoded in a query string arrives as " 08:00"
        value = value[:-6] + "+" + value[-5:]
    try:
        if W3_DATE.fullmatch(value):
            day = datetime.fromisoformat(value)
            return day.replace(tzinfo=LOCAL_TZ).astimezone(UTC)
        if W3_DATETIME.fullmatch(value):
            return datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise Open311Error(
        400, f"{name} must be a W3C date-time with a time zone, e.g. 2026-01-01T00:00:00+08:00"
    )


def date_range(start_text: str | None, end_text: str | None) -> tuple[datetime, datetime]:
    """The requested-time window: both given (at most 90 days), one given (90 days from it), or the last 90."""
    start = parse_w3(start_text, "start_date") if start_text else None
    end = parse_w3(end_text, "end_date") if end_text else None
    try:
        if start is None and end is None:
            end = utcnow()
        if start is None:
            start = end - MAX_SPAN
        if end is None:
            end = start + MAX_SPAN
    except OverflowError:
        raise Open311Error(400, "start_date or end_date is out of range") from None
    if start > end:
        raise Open311Error(400, "start_date must not be later than end_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def max_results() -> int:
    """At most this many requests per answer (the spec's 1000, lower when OPEN311_MAX_RESULTS says so)."""
    return min(int(current_app.config.get("OPEN311_MAX_RESULTS", DEFAULT_MAX_RESULTS)), DEFAULT_MAX_RESULTS)


def _filtered(args) -> object:
    query = _public_cases()
    limit = max_results()
    ids = _listed(args.get("service_request_id"))
    if ids:  # the spec: service_request_id overrides every other argument
        return query.where(Case.number.in_(ids[:limit]))
    statuses = {s.strip() for s in (args.get("status") or "").split(",") if s.strip()}
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status must be open, closed or both (comma-separated)")
    start, end = date_range(args.get("start_date") or None, args.get("end_date") or None)
    query = query.where(Case.received_at >= start, Case.received_at <= end)
    if statuses == {"open"}:
        query = query.where(Case.status.in_([str(s) for s in OPEN_STATUSES]))
    elif statuses == {"closed"}:
        query = query.where(Case.status.not_in([str(s) for s in OPEN_STATUSES]))
    codes = _listed(args.get("service_code"))
    if codes:
        query = query.where(Case.category.has(Category.code.in_(codes)))
    return query


def requests_collection():
    """GET: the requests matching the filters, newest first; POST: create one (see ``posting``)."""
    if request.method == "POST":
        return posting.create_request()
    query = _filtered(request.args).order_by(Case.received_at.desc(), Case.id.desc()).limit(max_results())
    cases = db.session.scalars(query).unique().all()
    return respond("service_requests", [serialize(case) for case in cases])


def single_request(service_request_id: str):
    """One request as a list of one; unknown and sensitive cases are both 404."""
    number = clean_id(service_request_id)
    case = db.session.scalars(_public_cases().where(Case.number == number)).first() if number else None
    if case is None:
        raise Open311Error(404, f"service_request_id '{service_request_id[:64]}' was not found")
    return respond("service_requests", [serialize(case)])


def token(token: str):
    """The request id a POST's token stands for (for a published case; any other is a 404)."""
    token = clean_id(token)
    case = db.session.scalars(_public_cases().where(Case.api_token == token)).first() if token else None
    if case is None:
        raise Open311Error(404, "token was not found")
    return respond("service_requests", [{"service_request_id": case.number, "token": case.api_token}])
