"""Open311 GET publishes a case only from a public mailbox with the citizen's consent, and nothing personal.

Regression for the outside test in which GET requests published every case, with phones written
``138.0013.8000`` or in Chinese numerals, e-mail addresses, QQ and WeChat ids and dotted ID numbers in the
description and the staff reply, and the full address with its house number (DECISIONS 5).
"""

import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from app.deadlines.policies import seed_default_policies
from models.case import Case
from models.enums import Status
from models.org import Mailbox
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import make_mailbox
from tests.support.open311 import api_key_fixture  # noqa: F401  (fixture `key`: (row, plaintext))

BASE = "/open311/v2"
FORMATS = ("json", "xml")
SECRETS = [  # (as written in the text, what must not be readable in the answer)
    ("138.0013.8000", "0013"),
    ("(138)0013-8000", "0013"),
    ("138_0013_8000", "0013"),
    ("138 0013 8000", "0013"),
    ("一三八零零一三八零零零", "零零一三"),
    ("幺三八零零幺三八零零零", "零零幺三"),
    ("１３８００１３８０００", "００１３"),
    ("zhang.san@example.com", "zhang.san"),
    ("QQ 12345678", "2345678"),
    ("扣扣 23456789", "3456789"),
    ("微信 abc_123", "abc_123"),
    ("vx:wangwu888", "wangwu888"),
    ("wx: lisi_2024", "lisi_2024"),
    ("440306.19900101.123X", "19900101"),
    ("4403 0619 9001 0112 3X", "9001 0112"),
]


def body_text(response) -> str:
    """The whole answer as text, with JSON strings decoded (so escaped characters are searched too)."""
    text = response.get_data(as_text=True)
    if response.content_type.startswith("application/json"):
        text += json.dumps(response.get_json(), ensure_ascii=False)
    return text


def rows(client, path: str, fmt: str, query: str = "") -> list[dict]:
    """The requests a GET answers with, as dicts (XML children as tag -> text)."""
    response = client.get(f"{BASE}/{path}.{fmt}{query}")
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.get_data(as_text=True)
    if fmt == "json":
        return response.get_json()
    return [{e.tag: e.text for e in child} for child in ET.fromstring(response.data)]


def listed(client, fmt: str, query: str = "") -> set[str]:
    return {r["service_request_id"] for r in rows(client, "requests", fmt, query)}


@pytest.fixture
def public_box(db):
    """A mailbox marked public (as an administrator would in the panel)."""
    box = make_mailbox("gongkai", real_name_required=False, name="书记在线", kind="party_secretary")
    box.is_public = True
    db.session.commit()
    return box


@pytest.fixture
def private_box(db):
    return db.session.scalars(select(Mailbox).where(Mailbox.slug == "jzxx")).one()


def consented(case: Case, db) -> Case:
    case.publication_consent = True
    db.session.commit()
    return case


def test_only_cases_from_a_public_mailbox_whose_citizen_agreed_are_published(
    client, db, public_box, private_box
):
    published = consented(make_case(title="公开信箱且同意公示", mailbox=public_box), db)
    hidden = {
        "hotline, no consent": make_case(title="热线来电"),
        "public mailbox, no consent": make_case(title="公开信箱未同意", mailbox=public_box),
        "private mailbox, consent": consented(make_case(title="非公开信箱", mailbox=private_box), db),
        "hotline, consent": consented(make_case(title="热线同意"), db),
        "sensitive": consented(make_case(title="敏感", mailbox=public_box, is_sensitive=True), db),
    }
    for i, case in enumerate([published, *hidden.values()]):
        case.api_token = f"token-{i}"
    db.session.commit()
    numbers = ",".join(c.number for c in [published, *hidden.values()])
    for fmt in FORMATS:
        assert listed(client, fmt) == {published.number}
        assert listed(client, fmt, f"?service_request_id={numbers}") == {published.number}
        assert [r["service_request_id"] for r in rows(client, f"requests/{published.number}", fmt)] == [
            published.number
        ]
        assert [r["service_request_id"] for r in rows(client, "tokens/token-0", fmt)] == [published.number]
        for why, case in hidden.items():
            assert client.get(f"{BASE}/requests/{case.number}.{fmt}").status_code == 404, why
            assert client.get(f"{BASE}/tokens/{case.api_token}.{fmt}").status_code == 404, why
    # Marking the mailbox private again withdraws its cases at once.
    public_box.is_public = False
    db.session.commit()
    assert listed(client, "json") == set()


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_address_is_the_community_never_the_house_number(client, db, public_box, fmt):
    address = "幸福路 8 号 3 栋 502 室"
    with_community = consented(
        make_case(
            title="有社区",
            mailbox=public_box,
            street=dept("SA"),
            community=dept("CA"),
            address=address,
            content=f"我住{address}，楼下每晚施工噪音扰民，严重影响休息。",
        ),
        db,
    )
    street_only = consented(
        make_case(title="只有街道", mailbox=public_box, street=dept("SB"), address="乙街道光明路 99 号"), db
    )
    no_place = consented(make_case(title="没有社区", mailbox=public_box, address="某某路 12 号 601"), db)
    response = client.get(f"{BASE}/requests.{fmt}")
    text = body_text(response)
    for house in ("502", "8 号", "99 号", "12 号", "601", "幸福路", "光明路", "某某路"):
        assert house not in text, house
    by_id = {r["service_request_id"]: r for r in rows(client, "requests", fmt)}
    assert by_id[with_community.number]["address"] == "甲街道甲一社区"
    assert by_id[street_only.number]["address"] == "乙街道"
    assert by_id[no_place.number]["address"] in (None, "")
    assert "楼下每晚施工噪音扰民" in by_id[with_community.number]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_description_and_staff_reply_pass_the_same_redaction(client, db, public_box, fmt):
    written = "；".join(text for text, _ in SECRETS)
    case = consented(
        make_case(
            Status.REPLIED,
            title="噪音扰民",
            mailbox=public_box,
            content=f"联系方式：{written}。请尽快处理小区噪音问题。",
        ),
        db,
    )
    case.reply_text = f"已联系群众（{written}），噪音问题已处理。"
    db.session.commit()
    for path in ("requests", f"requests/{case.number}"):
        response = client.get(f"{BASE}/{path}.{fmt}")
        assert response.status_code == 200
        text = body_text(response)
        assert case.number in text and "噪音问题已处理" in text
        leaked = [written for written, readable in SECRETS if written in text or readable in text]
        assert not leaked, leaked


def test_a_post_records_consent_only_when_it_says_so(client, db, key, public_box):
    row, plaintext = key
    row.mailbox = public_box
    db.session.commit()
    seed_default_policies()
    db.session.commit()
    base = {
        "api_key": plaintext,
        "service_code": "CSGL-ZDJY",
        "description": "小区门口夜市占道经营，每晚十点后仍有摊贩。",
        "address_string": "甲街道幸福路 8 号",
        "attribute[request_type]": "complaint",
    }
    made = {}
    for consent in (None, "true", "false"):
        data = dict(base) if consent is None else {**base, "attribute[publication_consent]": consent}
        response = client.post(f"{BASE}/requests.json", data=data)
        assert response.status_code == 201, response.get_data(as_text=True)
        made[consent] = response.get_json()[0]["service_request_id"]
    db.session.expire_all()
    consent_of = {
        k: db.session.scalars(select(Case).where(Case.number == n)).one().publication_consent
        for k, n in made.items()
    }
    assert consent_of == {None: False, "true": True, "false": False}
    assert listed(client, "json") == {made["true"]}
    response = client.post(f"{BASE}/requests.json", data={**base, "attribute[publication_consent]": "maybe"})
    assert response.status_code == 400
    definition = client.get(f"{BASE}/services/CSGL-ZDJY.json").get_json()
    consent = next(a for a in definition["attributes"] if a["code"] == "publication_consent")
    assert consent["required"] is False and {v["key"] for v in consent["values"]} == {"true", "false"}
