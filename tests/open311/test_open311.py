"""Open311 GeoReport v2: every endpoint in JSON and XML, POST checks, GET filters, privacy, limits."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import object_session

from app.auth.api_keys import issue_key
from app.auth.redaction import redact_free_text
from app.cases import lifecycle
from app.timeutil import to_local
from app.timeutil import utcnow
from models.case import Case
from models.enums import RequestType
from models.enums import Status
from models.intake_control import ApiKey
from models.intake_control import BanEntry
from models.intake_control import SensitiveWord
from models.org import Category
from tests.support.factories import make_published_case
from tests.support.factories import user
from tests.support.open311 import api_key_fixture  # noqa: F401  (fixture `key`: (row, plaintext))

BASE = "/open311/v2"
FORMATS = ("json", "xml")
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip
VALID = {
    "service_code": "CSGL-ZDJY",
    "description": "小区门口夜市占道经营\n每晚十点后仍有摊贩，影响通行。",
    "address_string": "甲街道幸福路 8 号",
    "attribute[request_type]": "complaint",
}


def get(client, path, fmt, status=200):
    """GET ``path.<fmt>``; the parsed body (JSON value or XML root element)."""
    response = client.get(f"{BASE}/{path}.{fmt}")
    assert response.status_code == status, response.get_data(as_text=True)
    return parse(response, fmt)


def parse(response, fmt):
    """The body as JSON or as an XML element, after checking its content type and declaration."""
    if fmt == "json":
        assert response.content_type == "application/json; charset=utf-8"
        return response.get_json()
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.data)


def post(client, plaintext, fmt="json", via="body", **changes):
    """POST requests.<fmt> with VALID + ``changes`` (None drops a field): all in the body, or (``via="query"``)
    the parameters in the query string and the key in the ``X-Api-Key`` header (never in a URL)."""
    params = {"api_key": plaintext, **VALID, **changes}
    params = {k: v for k, v in params.items() if v is not None}
    if via == "body":
        return client.post(f"{BASE}/requests.{fmt}", data=params)
    key = params.pop("api_key", None)
    headers = {"X-Api-Key": key} if key is not None else {}
    return client.post(f"{BASE}/requests.{fmt}", query_string=params, headers=headers)


def publishing(key) -> dict:
    """Make the key's mailbox public; the POST parameter by which the citizen agrees to publication."""
    key[0].mailbox.is_public = True
    object_session(key[0]).commit()
    return {"attribute[publication_consent]": "true"}


def case_count(db) -> int:
    db.session.rollback()  # end the test's read transaction: see what the requests committed
    return db.session.scalar(select(func.count(Case.id)))


def errors_of(response, fmt):
    """The (code, description) pairs of an Open311 error body."""
    body = parse(response, fmt)
    if fmt == "json":
        assert isinstance(body, list) and body
        return [(e["code"], e["description"]) for e in body]
    assert body.tag == "errors" and [c.tag for c in body] == ["error"] * len(body)
    return [(int(e.findtext("code")), e.findtext("description")) for e in body]


def assert_w3_with_zone(text):
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None and text.endswith("+08:00"), text
    return value


# --- discovery, services, service definitions ------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, fmt):
    body = get(client, "discovery", fmt)
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert {"changeset", "contact", "key_service"} <= set(body)
        formats = endpoint["formats"]
    else:
        assert body.tag == "discovery" and body.findtext("contact")
        endpoint = {e.tag: e.text for e in body.find("endpoints/endpoint")}
        formats = [f.text for f in body.findall("endpoints/endpoint/formats/format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert formats == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_level_two_categories(client, db, fmt):
    city = db.session.scalars(select(Category).where(Category.code == "CSGL")).one()
    off_group = Category(code="OFF", name="停用大类", active=False)
    db.session.add_all(
        [
            Category(code="CSGL-LD", name="路灯损坏", parent=city, sort_order=5),
            Category(code="CSGL-OLD", name="已停用小类", parent=city, active=False),
            off_group,
            Category(code="OFF-1", name="停用大类下的小类", parent=off_group),
        ]
    )
    db.session.commit()
    body = get(client, "services", fmt)
    if fmt == "json":
        assert isinstance(body, list)
        services = body
    else:
        assert body.tag == "services" and all(child.tag == "service" for child in body)
        services = [{e.tag: e.text for e in child} for child in body]
        for service in services:
            service["metadata"] = service["metadata"] == "true"
    assert [s["service_code"] for s in services] == ["CSGL-ZDJY", "CSGL-LD"]
    first = services[0]
    assert first["service_name"] == "占道经营" and first["group"] == "城市管理"
    assert first["metadata"] is True and first["type"] == "realtime"
    assert "占道经营" in first["keywords"] and first["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, fmt):
    body = get(client, "services/CSGL-ZDJY", fmt)
    if fmt == "json":
        assert body["service_code"] == "CSGL-ZDJY"
        attrs = body["attributes"]
        values = [(v["key"], v["name"]) for v in attrs[0]["values"]]
    else:
        assert body.tag == "service_definition" and body.findtext("service_code") == "CSGL-ZDJY"
        attrs = [{e.tag: e.text for e in a} for a in body.findall("attributes/attribute")]
        values = [
            (v.findtext("key"), v.findtext("name"))
            for v in body.find("attributes/attribute").findall("values/value")
        ]
        for attr in attrs:
            attr.update(order=int(attr["order"]), required=attr["required"] == "true")
    assert [(a["code"], a["datatype"], a["order"], a["required"]) for a in attrs] == [
        ("request_type", "singlevaluelist", 1, True),
        ("people_involved", "number", 2, False),
        ("money_involved", "number", 3, False),
        ("publication_consent", "singlevaluelist", 4, False),
    ]
    assert [k for k, _ in values] == [str(t) for t in RequestType]
    assert ("consult", "咨询") in values and ("complaint", "投诉") in values
    assert all(a["description"] for a in attrs)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["NOPE", "CSGL", "CXJS"])  # unknown; level-1 codes are no services
def test_unknown_service_definition_is_404(client, fmt, code):
    assert errors_of(client.get(f"{BASE}/services/{code}.{fmt}"), fmt)[0][0] == 404
    assert client.get(f"{BASE}/services/{code}.{fmt}").status_code == 404


# --- POST requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("via", ["body", "query"])
def test_post_creates_an_api_case(client, db, key, fmt, via):
    row, plaintext = key
    response = post(
        client, plaintext, fmt, via,
        lat="22.6531", long="114.0235", first_name="三", last_name="张", phone="138 0013 8000",
        **{"attribute[people_involved]": "12", "attribute[money_involved]": "3000.50"},
    )  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "service_requests" and [c.tag for c in body] == ["request"]
        answer = {e.tag: e.text for e in body[0]}
    else:
        assert isinstance(body, list) and len(body) == 1
        answer = body[0]
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    case = db.session.scalars(select(Case)).one()
    assert answer["service_request_id"] == case.number and answer["token"] == case.api_token
    assert answer["account_id"] is None and answer["service_notice"]
    assert case.channel == "api" and case.mailbox_id == row.mailbox_id and case.status == Status.NEW
    assert case.category.code == "CSGL-ZDJY" and case.request_type == "complaint"
    assert case.title == "小区门口夜市占道经营" and case.content == VALID["description"]
    assert case.address == "甲街道幸福路 8 号 (22.6531,114.0235)"
    assert (case.citizen_name, case.citizen_phone) == ("张三", "13800138000")
    assert case.people_involved == 12 and str(case.money_involved) == "3000.50"
    assert [e.action for e in case.events] == ["receive"] and "市平台" in case.events[0].note
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_title_is_cut_to_thirty_characters_and_coordinates_alone_are_a_location(client, db, key):
    text = "这是一段很长的描述" * 10
    response = post(client, key[1], description=text, address_string=None, lat="-33.9", long="151.2")
    assert response.status_code == 201
    case = db.session.scalars(select(Case)).one()
    assert case.title == text[:30] and case.address == "(-33.9,151.2)"


BAD_POSTS = [
    ({"api_key": None}, 403),
    ({"api_key": "sq_00000000_" + "A" * 43}, 403),
    ({"api_key": "not a key"}, 403),
    ({"service_code": None}, 400),
    ({"service_code": "NOPE"}, 404),
    ({"service_code": "CSGL"}, 404),
    ({"description": None}, 400),
    ({"description": "   \n  "}, 400),
    ({"description": "\u200b\u200d\ufeff"}, 400),  # invisible characters only
    ({"description": "长" * 4001}, 400),
    ({"phone": "12345"}, 400),
    ({"attribute[request_type]": None}, 400),
    ({"attribute[request_type]": "rant"}, 400),
    ({"attribute[people_involved]": "-3"}, 400),
    ({"attribute[money_involved]": "1e9"}, 400),
    ({"address_string": None}, 400),
    ({"address_string": None, "address_id": "545483"}, 400),
    ({"lat": "22.5"}, 400),
    ({"lat": "91", "long": "114"}, 400),
    ({"lat": "abc", "long": "114"}, 400),
    ({"email": "nobody"}, 400),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("changes, status", BAD_POSTS)
def test_refused_post_writes_nothing(client, db, key, fmt, changes, status):
    response = post(client, key[1], fmt, **changes)
    assert response.status_code == status
    assert all(code == status and text for code, text in errors_of(response, fmt))
    assert case_count(db) == 0


def test_all_parameter_problems_are_listed_together(client, key):
    response = post(client, key[1], description=None, phone="1", lat="x")
    descriptions = [d for _, d in errors_of(response, "json")]
    assert response.status_code == 400 and len(descriptions) == 3


def test_inactive_key_is_refused(client, db, key):
    row, plaintext = key
    row.active = False
    db.session.commit()
    assert post(client, plaintext).status_code == 403 and case_count(db) == 0


def test_banned_phone_is_refused(client, db, key):
    db.session.add(BanEntry(kind="phone", value="13900139000", reason="骚扰"))
    db.session.commit()
    response = post(client, key[1], phone="139 0013 9000")
    assert response.status_code == 400 and "not accepted" in errors_of(response, "json")[0][1]
    assert case_count(db) == 0


def test_idempotency_key_returns_the_first_case_for_the_same_api_key_only(client, db, key):
    headers = {"Idempotency-Key": "retry-42"}
    first = client.post(f"{BASE}/requests.json", data={"api_key": key[1], **VALID}, headers=headers)
    again = client.post(f"{BASE}/requests.json", data={"api_key": key[1], **VALID}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json() and case_count(db) == 1
    other = ApiKey(name="另一系统", system="other")
    db.session.add(other)
    other_plain = issue_key(other)
    db.session.commit()
    third = client.post(f"{BASE}/requests.json", data={"api_key": other_plain, **VALID}, headers=headers)
    assert third.status_code == 201 and case_count(db) == 2


@pytest.mark.parametrize("app_config", [{"OPEN311_LIMIT_PER_KEY": "2/minute"}])
@pytest.mark.parametrize("fmt", FORMATS)
def test_rate_limit_per_key_answers_429_in_open311_format(client, db, key, fmt):
    assert [post(client, key[1], fmt).status_code for _ in range(2)] == [201, 201]
    response = post(client, key[1], fmt)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert errors_of(response, fmt)[0][0] == 429
    assert case_count(db) == 2


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 50_000}])
def test_oversized_body_is_an_open311_error(client, db, key):
    response = post(client, key[1], description="长" * 10_000)  # 90 kB once URL-encoded
    assert response.status_code == 413 and errors_of(response, "json")[0][0] == 413
    assert case_count(db) == 0


# --- GET requests, requests/<id>, tokens ------------------------------------------------------------


def requests_of(client, query, fmt, status=200):
    """GET requests.<fmt>?query as a list of dicts (XML children turned into dicts, in element order)."""
    response = client.get(f"{BASE}/requests.{fmt}?{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    body = parse(response, fmt)
    if fmt == "json":
        assert isinstance(body, list)
        return body
    assert body.tag == "service_requests" and all(child.tag == "request" for child in body)
    rows = []
    for child in body:
        assert [e.tag for e in child] == REQUEST_FIELDS
        rows.append({e.tag: e.text for e in child})
    return rows


def received(case, days_ago: float):
    case.received_at = utcnow() - timedelta(days=days_ago)
    return case


@pytest.fixture
def cases(db):
    """One case per status (NEW … CLOSED, rejected, merged), received over the last 10 days."""
    made = {
        status: received(make_published_case(status, title=f"{status} case"), days_ago=i)
        for i, status in enumerate(
            [
                Status.NEW,
                Status.DISPATCHED,
                Status.IN_PROGRESS,
                Status.REPLIED,
                Status.CLOSED,
                Status.REJECTED,
            ]
        )  # fmt: skip
    }
    merged = make_published_case(Status.REGISTERED, title="merged case")
    lifecycle.perform(merged, "merge", user("clerk"), target=made[Status.NEW])
    made[Status.MERGED] = received(merged, days_ago=8)
    made[Status.IN_PROGRESS].next_due_at = utcnow() + timedelta(days=3)
    db.session.commit()
    return made


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_maps_status_and_carries_time_zones(client, cases, fmt):
    rows = requests_of(client, "", fmt)
    by_id = {r["service_request_id"]: r for r in rows}
    assert list(by_id) == [
        c.number for c in sorted(cases.values(), key=lambda c: c.received_at, reverse=True)
    ]
    expected = {Status.NEW: "open", Status.DISPATCHED: "open", Status.IN_PROGRESS: "open",
                Status.REPLIED: "open", Status.CLOSED: "closed", Status.REJECTED: "closed",
                Status.MERGED: "closed"}  # fmt: skip
    for status, case in cases.items():
        row = by_id[case.number]
        assert row["status"] == expected[status]
        assert assert_w3_with_zone(row["requested_datetime"]) == to_local(case.received_at).replace(
            microsecond=0
        )
        updated = assert_w3_with_zone(row["updated_datetime"])
        if expected[status] == "closed":
            assert updated == to_local(case.closed_at).replace(microsecond=0)
        assert row["lat"] in (None, "") and row["long"] in (None, "") and row["media_url"] in (None, "")
    assert by_id[cases[Status.REPLIED].number]["status_notes"] == "已处理完毕"
    assert by_id[cases[Status.NEW].number]["status_notes"] in (None, "")
    assert by_id[cases[Status.DISPATCHED].number]["agency_responsible"] == "甲街道"
    assert_w3_with_zone(by_id[cases[Status.IN_PROGRESS].number]["expected_datetime"])
    assert by_id[cases[Status.NEW].number]["expected_datetime"] in (None, "")
    # the public's wording of a status, as on /track, not the staff's 待签收 / 已并单
    assert by_id[cases[Status.DISPATCHED].number]["service_notice"] == "已转交承办单位办理"
    assert by_id[cases[Status.MERGED].number]["service_notice"] == "与相同诉求合并办理"


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters(client, db, cases, fmt):
    def ids(query, status=200):
        return {r["service_request_id"] for r in requests_of(client, query, fmt, status)}

    open_ids = {cases[s].number for s in (Status.NEW, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED)}
    all_ids = {c.number for c in cases.values()}
    assert ids("status=open") == open_ids
    assert ids("status=closed") == all_ids - open_ids
    assert ids("status=open,closed") == ids("status=") == all_ids
    # service_request_id overrides every other argument
    wanted = f"{cases[Status.NEW].number},{cases[Status.CLOSED].number},SQ19990101-000001"
    assert ids(f"service_request_id={wanted}&status=closed&start_date=2001-01-01T00:00:00Z") == {
        cases[Status.NEW].number,
        cases[Status.CLOSED].number,
    }
    cases[Status.CLOSED].category = db.session.scalars(
        select(Category).where(Category.code == "CSGL-ZDJY")
    ).one()
    old = received(cases[Status.REJECTED], days_ago=100)
    db.session.commit()
    assert ids("service_code=CSGL-ZDJY") == {cases[Status.CLOSED].number}
    assert ids("service_code=NOPE,CSGL-ZDJY") == {cases[Status.CLOSED].number}
    assert old.number not in ids("")  # the default window is the last 90 days
    start = (utcnow() - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (utcnow() - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert ids(f"start_date={start}&end_date={end}") == {old.number}
    assert ids(f"start_date={start}") == {old.number}  # 90 days from the start
    assert old.number in ids(f"end_date={end.replace('+', '%2B')}") | ids(
        f"end_date={end.replace('+00:00', 'Z')}"
    )
    for bad in ("status=pending", "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
                "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "start_date=yesterday",
                "start_date=2026-01-01T00:00:00", "end_date=0001-01-01", "start_date=9999-12-31"):  # fmt: skip
        response = client.get(f"{BASE}/requests.{fmt}?{bad}")
        assert response.status_code == 400 and errors_of(response, fmt)[0][0] == 400, bad


@pytest.mark.parametrize("app_config", [{"OPEN311_MAX_RESULTS": 3}])
def test_get_requests_returns_at_most_the_cap_newest_first(client, db):
    made = [received(make_published_case(title=f"case {i}"), days_ago=i) for i in range(5)]
    db.session.commit()
    assert [r["service_request_id"] for r in requests_of(client, "", "json")] == [c.number for c in made[:3]]
    both = f"{made[3].number},{made[4].number}"
    assert len(requests_of(client, f"service_request_id={both}", "xml")) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request(client, cases, fmt):
    case = cases[Status.CLOSED]
    rows = requests_of(client, "", fmt)
    body = get(client, f"requests/{case.number}", fmt)
    one = body if fmt == "json" else [{e.tag: e.text for e in child} for child in body]
    assert fmt == "json" or body.tag == "service_requests"
    assert len(one) == 1 and one[0] == next(r for r in rows if r["service_request_id"] == case.number)
    for missing in ("SQ19990101-000001", "nope"):
        assert errors_of(client.get(f"{BASE}/requests/{missing}.{fmt}"), fmt)[0][0] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens(client, db, key, fmt):
    answer = post(client, key[1], **publishing(key)).get_json()[0]
    body = get(client, f"tokens/{answer['token']}", fmt)
    found = body if fmt == "json" else [{e.tag: e.text for e in child} for child in body]
    assert found == [{"service_request_id": answer["service_request_id"], "token": answer["token"]}]
    response = client.get(f"{BASE}/tokens/not-a-token.{fmt}")
    assert response.status_code == 404 and errors_of(response, fmt)[0][0] == 404


def test_sensitive_cases_are_never_shown(client, db, key):
    db.session.add(SensitiveWord(word="上访"))
    db.session.commit()
    flagged = post(client, key[1], description="准备集体上访", **publishing(key)).get_json()[0]
    flagged = flagged["service_request_id"]
    hand_flagged = make_published_case(title="敏感", is_sensitive=True)
    visible = make_published_case(title="普通")
    for fmt in FORMATS:
        listed = {r["service_request_id"] for r in requests_of(client, "", fmt)}
        assert listed == {visible.number}
        by_id = requests_of(client, f"service_request_id={flagged},{hand_flagged.number}", fmt)
        assert by_id == []
        for number in (flagged, hand_flagged.number):
            assert client.get(f"{BASE}/requests/{number}.{fmt}").status_code == 404


def test_no_personal_data_leaves_through_get(client, db, key):
    name, phone, id_no, landline = "欧阳娜娜", "13912345678", "44030619900101123X", "0755-83216789"
    answer = post(
        client, key[1], first_name="娜娜", last_name="欧阳", phone=phone,
        description=f"我是{name}，身份证{id_no}，手机 139 1234 5678，座机{landline}，请回电{phone}",
        address_string=f"幸福路 8 号（{name}家，电话 83216789）", **publishing(key),
    ).get_json()[0]  # fmt: skip
    case = db.session.scalars(select(Case)).one()
    case.citizen_id_no = id_no
    case.reply_text = f"已联系{name}（{phone}），身份证 {id_no} 已核实。"
    db.session.commit()
    secrets = [name, phone, "139 1234 5678", id_no, landline, "83216789", case.tracking_code, "127.0.0.1"]
    for fmt in FORMATS:
        for path in ("requests", f"requests/{case.number}", f"tokens/{answer['token']}"):
            response = client.get(f"{BASE}/{path}.{fmt}")
            text = response.get_data(as_text=True)
            if fmt == "json":
                text += json.dumps(response.get_json(), ensure_ascii=False)
            assert response.status_code == 200 and case.number in text
            leaked = [s for s in secrets if s in text]
            assert not leaked, (path, fmt, leaked)
    row = requests_of(client, "", "json")[0]
    assert "我是欧***" in row["description"] and "139****5678" in row["description"]
    assert "已联系" in row["status_notes"] and row["address"] is None  # no community: no place at all


def test_redact_free_text():
    text = "电话13800138000或+86 138-0013-8000，身份证440306199001011234，卡号6222 0212 3456 7890 123"
    out = redact_free_text(text + "，座机(0755)83216789，手机号：8321678", known=("张三",))
    for secret in ("13800138000", "138-0013-8000", "440306199001011234", "6222 0212", "83216789", "8321678"):
        assert secret not in out
    assert "138****8000" in out and "SQ20261122-000001" in redact_free_text("编号SQ20261122-000001")
    assert redact_free_text("张三说2026年11月22日10:30，共30000元") == "张三说2026年11月22日10:30，共30000元"
    assert redact_free_text("张三来电", known=("张三",)) == "张*来电"
    assert "１３８００１３８０００" not in redact_free_text("全角号码１３８００１３８０００")


# --- paths that are no endpoint --------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, status, fmt",
    [
        ("get", "/nope.json", 404, "json"),
        ("get", "/nope", 404, "xml"),
        ("get", "/", 404, "xml"),
        ("get", "/requests.html", 404, "xml"),
        ("get", "/services/CSGL-ZDJY.yaml", 404, "xml"),
        ("post", "/services.json", 405, "json"),
        ("delete", "/requests.xml", 405, "xml"),
    ],
)
def test_unknown_paths_formats_and_methods_answer_in_open311_format(client, method, path, status, fmt):
    response = getattr(client, method)(BASE + path)
    assert response.status_code == status
    assert errors_of(response, fmt)[0][0] == status


@pytest.mark.parametrize(
    "path, status",
    [
        ("/requests/%00.json", 404),
        ("/tokens/%00.json", 404),
        ("/services/CSGL%00.json", 404),
        ("/requests.json?service_request_id=%00,SQ1&service_code=%00", 200),
        ("/requests.json?status=%00", 400),
        ("/requests.json?start_date=%00", 400),
    ],
)
def test_control_characters_in_identifiers_are_no_server_error(client, path, status):
    response = client.get(BASE + path)
    assert response.status_code == status and isinstance(response.get_json(), list)


def test_volunteer_clue_cases_are_never_published(client, db, key):
    clue_case = make_published_case(title="平安员线索", channel="volunteer")
    visible = make_published_case(title="普通")
    for fmt in FORMATS:
        assert {r["service_request_id"] for r in requests_of(client, "", fmt)} == {visible.number}
        assert client.get(f"{BASE}/requests/{clue_case.number}.{fmt}").status_code == 404
