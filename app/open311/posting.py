"""POST requests: another system files a case with its API key; the case is made by ``app.intake.submission.submit``.

Parameters come from the form-encoded body, else the query string; an empty parameter counts as missing.
The API key is the one exception: only from the body or the ``X-Api-Key`` header, and a key in the query
string is refused (403), because URLs end up in every proxy's and server's access log.
Checks, in order: API key (403), the key's rate limit (429), service_code (400 missing, 404 unknown), every
other parameter (400, all problems listed together), the ban list (400). Nothing is written before all of
them pass. An ``Idempotency-Key`` header makes retries return the first case (200 instead of 201). The
case may be published (app.cases.publication) only when ``attribute[publication_consent]`` says ``true``.
"""

import hashlib
import re
from datetime import timedelta
from decimal import Decimal
from decimal import InvalidOperation

from flask import current_app
from flask import g
from flask import request
from limits import parse
from sqlalchemy import or_
from sqlalchemy import update
from werkzeug.exceptions import RequestEntityTooLarge

from app import audit
from app import metrics
from app import ratelimit
from app.auth.api_keys import find_key
from app.extensions import db
from app.intake.submission import CitizenRequest
from app.intake.submission import ban_refusal
from app.intake.submission import submit
from app.open311.output import Open311Error
from app.open311.output import respond
from app.open311.services import MONEY_MAX
from app.open311.services import PEOPLE_MAX
from app.open311.services import service_id
from app.org.refcache import KeyRecord
from app.timeutil import utcnow
from app.validators import is_valid_phone
from app.validators import visible_text
from models.audit import AuditEntity
from models.enums import RequestType
from models.intake_control import ApiKey

LIMIT_SETTING = "OPEN311_LIMIT_PER_KEY"
DESCRIPTION_MAX = 4000  # the spec's limit
TITLE_MAX = 30
ADDRESS_MAX = 200
NAME_MAX = 50
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most once a minute per key
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
_COORDINATE = re.compile(r"[+-]?\d{1,3}(\.\d{1,12})?", re.ASCII)  # ASCII: no "١٢" or "１２"
_WHOLE = re.compile(r"\d{1,7}", re.ASCII)
_AMOUNT = re.compile(r"\d{1,12}(\.\d{1,2})?", re.ASCII)
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _params() -> dict:
    """Every parameter once per request: the body's non-empty values over the query string's."""
    if "open311_params" not in g:
        try:
            body = request.form
        except RequestEntityTooLarge:
            raise Open311Error(413, "Request too large") from None
        g.open311_params = {**request.args.to_dict(), **{k: v for k, v in body.items() if v}}
    return g.open311_params


def _param(name: str, single_line: bool = True) -> str:
    """A parameter from the body, else the query string; stripped, control and invisible characters removed
    (a description of zero-width spaces is no description)."""
    value = _CONTROL.sub("", _params().get(name) or "")
    if single_line:
        value = _LINE_BREAKS.sub(" ", value)
    return visible_text(value)


def _authenticate() -> KeyRecord:
    if "api_key" in request.args:
        raise Open311Error(
            403,
            "api_key must not be sent in the URL, where access logs keep it: send it in the POST body or "
            "in the X-Api-Key header, and ask the administrators for a new key (this one may be exposed)",
        )
    given = _param("api_key") or _CONTROL.sub("", request.headers.get("X-Api-Key", "")).strip()
    key = find_key(given)
    if key is None:
        raise Open311Error(403, "Missing, invalid or inactive api_key -- can't proceed with create_request")
    return key


def _throttle(key: KeyRecord) -> None:
    """Count this request against the key's limit; 429 (in the Open311 format) beyond it."""
    if ratelimit.hit(LIMIT_SETTING, f"key{key.id}"):
        return
    limit = parse(current_app.config[LIMIT_SETTING])
    reset = ratelimit.window(LIMIT_SETTING, f"key{key.id}")[0]
    retry = max(1, int(reset - utcnow().timestamp()) + 1)
    raise Open311Error(
        429, f"Rate limit of {limit} for this api_key exceeded", headers={"Retry-After": str(retry)}
    )


def _touch(key: KeyRecord) -> None:
    """Record the key's use, at most once a minute per key (one conditional UPDATE, no row loaded)."""
    now = utcnow()
    touched = current_app.extensions.setdefault("open311_touched", {})  # key id -> last write here
    seen = touched.get(key.id) or key.last_used_at
    if seen is not None and now - seen < TOUCH_EVERY:
        return
    stale = or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - TOUCH_EVERY)
    table = ApiKey.__table__
    db.session.connection().execute(update(table).where(table.c.id == key.id, stale).values(last_used_at=now))
    db.session.commit()
    touched[key.id] = now


def _name() -> str | None:
    first, last = _param("first_name"), _param("last_name")
    if _CJK.search(first + last):  # Chinese order: family name first, no space
        return (last + first) or None
    return " ".join(p for p in (first, last) if p) or None


def _location(errors: list[str]) -> str | None:
    """The address text: address_string, plus "(lat,long)" when coordinates were sent."""
    address, lat, long = _param("address_string"), _param("lat"), _param("long")
    if len(address) > ADDRESS_MAX:
        errors.append(f"address_string is longer than {ADDRESS_MAX} characters")
    coordinates = None
    if lat or long:
        if not (lat and long):
            errors.append("lat and long must be sent together")
        elif not (_COORDINATE.fullmatch(lat) and _COORDINATE.fullmatch(long)):
            errors.append("lat and long must be decimal degrees (WGS84)")
        elif not (-90 <= float(lat) <= 90 and -180 <= float(long) <= 180):
            errors.append("lat must be within -90..90 and long within -180..180")
        else:
            coordinates = f"({float(lat):.7g},{float(long):.7g})"
    if not address and not (lat or long):
        if _param("address_id"):
            errors.append("address_id is not supported here: send address_string or lat and long")
        else:
            errors.append("A location is required: lat and long, or address_string")
    return " ".join(p for p in (address, coordinates) if p) or None


def _consent(errors: list[str]) -> bool:
    """Whether the citizen agreed to publication: only an explicit ``true`` (absent is no)."""
    value = _param("attribute[publication_consent]").lower()
    if value not in ("", "true", "false"):
        errors.append("attribute[publication_consent] must be true or false")
    return value == "true"


def _attributes(errors: list[str]) -> tuple[str | None, int | None, Decimal | None]:
    kind = _param("attribute[request_type]")
    if not kind:
        errors.append("attribute[request_type] was not provided")
    elif kind not in {str(t) for t in RequestType}:
        errors.append("attribute[request_type] must be one of " + ", ".join(str(t) for t in RequestType))
    people = money = None
    if text := _param("attribute[people_involved]"):
        if _WHOLE.fullmatch(text) and 1 <= int(text) <= PEOPLE_MAX:
            people = int(text)
        else:
            errors.append(f"attribute[people_involved] must be a whole number from 1 to {PEOPLE_MAX}")
    if text := _param("attribute[money_involved]"):
        try:
            amount = Decimal(text) if _AMOUNT.fullmatch(text) else None
        except InvalidOperation:  # pragma: no cover (the pattern admits only valid decimals)
            amount = None
        if amount is not None and amount <= MONEY_MAX:
            money = amount
        else:
            errors.append(
                f"attribute[money_involved] must be an amount from 0 to {MONEY_MAX} with 2 decimals"
            )
    return kind, people, money


def _contact(errors: list[str]) -> tuple[str | None, str | None, list[str]]:
    name = _name()
    if name and len(name) > NAME_MAX:
        errors.append(f"first_name and last_name together are longer than {NAME_MAX} characters")
    phone = _param("phone")
    if phone and (len(phone) > 30 or not is_valid_phone(phone)):
        errors.append("phone must be a mainland mobile number or a landline with its area code")
    extra = []
    if email := _param("email"):
        if len(email) > 254 or not _EMAIL.fullmatch(email):
            errors.append("email is not a valid e-mail address")
        extra.append(f"email: {email}")
    for field in ("device_id", "account_id"):
        if value := _param(field)[:100]:
            extra.append(f"{field}: {value}")
    return name, phone or None, extra


def _title(description: str) -> str:
    first_line = next(line.strip() for line in description.splitlines() if line.strip())
    return first_line[:TITLE_MAX].strip()


def _submission_key(key: KeyRecord) -> str | None:
    """The header ``Idempotency-Key``, scoped to this API key, as a case submission key."""
    given = _CONTROL.sub("", request.headers.get("Idempotency-Key", "")).strip()
    if not given:
        return None
    if len(given) > 200:
        raise Open311Error(400, "Idempotency-Key is longer than 200 characters")
    digest = hashlib.sha256(f"{key.id}:{given}".encode("utf-8", "replace")).hexdigest()
    return f"o311-{digest[:56]}"


def create_request():
    """Check everything, then create and commit the case; the answer is a list of one request."""
    try:
        answer, created = _create()
    except Open311Error as error:
        metrics.refused("open311", error.reason)
        raise
    if created:
        metrics.submitted("open311")
    return respond("service_requests", [answer], 201 if created else 200)


def _create() -> tuple[dict, bool]:
    key = _authenticate()
    _throttle(key)
    _touch(key)
    audit.count_use(AuditEntity.API_KEY, key.id)  # one row per key and hour, counted up atomically
    db.session.commit()
    code = _param("service_code")
    if not code:
        raise Open311Error(400, "service_code was not provided")
    category_id = service_id(code)
    if category_id is None:
        raise Open311Error(404, f"service_code '{code[:64]}' was not found")
    errors: list[str] = []
    description = _param("description", single_line=False)
    if not description:
        errors.append("description was not provided")
    elif len(description) > DESCRIPTION_MAX:
        errors.append(f"description is longer than {DESCRIPTION_MAX} characters")
    kind, people, money = _attributes(errors)
    consent = _consent(errors)
    address = _location(errors)
    name, phone, extra = _contact(errors)
    submission_key = _submission_key(key)
    if errors:
        raise Open311Error(400, *errors)
    ip = request.remote_addr
    if ban_refusal(phone, ip) is not None:
        raise Open311Error(
            400, "Submissions from this phone number or network are not accepted", reason="banned"
        )
    case, created = submit(
        CitizenRequest(
            channel=key.channel,
            request_type=kind,
            title=_title(description),
            content=description,
            mailbox_id=key.mailbox_id,
            category_id=category_id,
            address=address,
            people_involved=people,
            money_involved=money,
            citizen_name=name,
            citizen_phone=phone,
            ip=ip,
            submission_key=submission_key,
            note=" · ".join([f"Open311: {key.name} ({key.system})", *extra]),
            publication_consent=consent,
        )
    )
    answer = {
        "service_request_id": case.number,
        "token": case.api_token,
        "service_notice": f"诉求已收到，编号 {case.number}。受理后将分派承办单位办理。",
        "account_id": None,
    }
    return answer, created
