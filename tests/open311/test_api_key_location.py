"""The Open311 API key is taken from the POST body or the ``X-Api-Key`` header, never from the URL.

Regression for the outside test in which ``POST /open311/v2/requests.json?api_key=…`` was accepted: the
key then sits in every proxy's and server's access log. Such a request is refused in the Open311 error
format and writes nothing.
"""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from models.case import Case
from tests.support.open311 import api_key_fixture  # noqa: F401  (fixture `key`: (row, plaintext))

URL = "/open311/v2/requests"
VALID = {
    "service_code": "CSGL-ZDJY",
    "description": "小区门口夜市占道经营，每晚十点后仍有摊贩。",
    "address_string": "甲街道幸福路 8 号",
    "attribute[request_type]": "complaint",
}


def case_count(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Case.id)))


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("also_in_body", [False, True])
def test_a_key_in_the_query_string_is_refused(client, db, key, fmt, also_in_body):
    body = {**VALID, "api_key": key[1]} if also_in_body else VALID
    response = client.post(f"{URL}.{fmt}", query_string={"api_key": key[1]}, data=body)
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "X-Api-Key" in text and "URL" in text
    if fmt == "json":
        assert [e["code"] for e in response.get_json()] == [403]
    assert case_count(db) == 0


def test_the_key_in_a_header_or_the_body_is_accepted(client, db, key):
    by_header = client.post(f"{URL}.json", data=VALID, headers={"X-Api-Key": key[1]})
    by_body = client.post(f"{URL}.json", data={**VALID, "api_key": key[1]})
    assert (by_header.status_code, by_body.status_code) == (201, 201)
    assert case_count(db) == 2
    tampered = key[1][:-1] + ("A" if key[1][-1] != "A" else "B")
    wrong = client.post(f"{URL}.json", data=VALID, headers={"X-Api-Key": tampered})
    assert wrong.status_code == 403 and case_count(db) == 2
