"""Scoping across levels, outside in: a street sees its whole subtree's cases, a community only its own (and
those handed down to it), a co-department its co-handled cases; nobody sees another street's subtree or a
sibling community's cases, on any route."""

import io

import openpyxl
import pytest

from app.cases import lifecycle
from app.extensions import db
from app.intake import uploads
from models.case import Attachment
from models.enums import Status
from models.org import Department
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import make_user
from tests.support.factories import png_bytes
from tests.support.factories import user

# which of the cases each department's handler may see
SEES = {
    "SA": {"handed", "sibling", "community_own"},
    "CA": {"handed", "community_own"},
    "CA2": {"sibling"},
    "SB": {"other_street"},
    "CB": {"other_street"},
    "BA": {"handed"},
}
TITLES = {
    "handed": "甲街道下派甲一社区的案件",
    "sibling": "甲街道下派甲二社区的案件",
    "community_own": "甲一社区自己牵头的案件",
    "other_street": "乙街道下派乙一社区的案件",
}


def _photo(case, name: str) -> int:
    stored = f"scope-{case.id}.png"
    uploads.upload_folder().mkdir(parents=True, exist_ok=True)
    uploads.path_of(stored).write_bytes(png_bytes())
    row = Attachment(case=case, stored_name=stored, original_name=name, content_type="image/png", kind="image",
                     size=10, sha256="0" * 64)  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row.id


@pytest.fixture
def tree(db):
    """Two streets with communities; cases handed down, led by a community, and co-handled by a bureau."""
    db.session.add(Department(code="CA2", name="甲二社区", kind="community", parent_id=dept("SA").id))
    db.session.flush()
    for code in ("CA2", "CB"):
        make_user("handler", code)
    db.session.commit()
    cases = {
        "handed": make_case(Status.DISPATCHED, lead="SA", co=("BA",), title=TITLES["handed"]),
        "sibling": make_case(Status.DISPATCHED, lead="SA", title=TITLES["sibling"]),
        "community_own": make_case(Status.DISPATCHED, lead="CA", title=TITLES["community_own"]),
        "other_street": make_case(Status.DISPATCHED, lead="SB", title=TITLES["other_street"]),
    }
    for key, (street, community) in {"handed": ("SA", "CA"), "sibling": ("SA", "CA2"),
                                     "other_street": ("SB", "CB")}.items():  # fmt: skip
        lifecycle.perform(cases[key], "hand_down", user("handler", street), community=dept(community).id)
    info = {
        key: {"id": c.id, "number": c.number, "photo": _photo(c, f"{key}.png")} for key, c in cases.items()
    }
    db.session.commit()
    return info


@pytest.mark.parametrize("code", sorted(SEES))
def test_every_route_follows_the_tree(client, login_as, tree, code):
    login_as("handler", code)
    listing = client.get("/admin/case/").get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/admin/case/export/xlsx/").data)).active
    exported = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    for key, case in tree.items():
        allowed = key in SEES[code]
        assert (TITLES[key] in listing) == allowed, (code, key, "list")
        assert (case["number"] in exported) == allowed, (code, key, "export")
        searched = client.get(f"/admin/case/?search={case['number']}").get_data(as_text=True)
        assert (TITLES[key] in searched) == allowed, (code, key, "search")
        details = client.get(f"/admin/case/details/?id={case['id']}")
        assert details.status_code == (200 if allowed else 404), (code, key, "details")
        photo = client.get(f"/admin/case/attachment/{case['photo']}")
        assert photo.status_code == (200 if allowed else 404), (code, key, "photo")
        if not allowed:
            assert TITLES[key] not in details.get_data(as_text=True)
            response = client.post(
                "/admin/case/transition/comment/", data={"comment-id": case["id"], "comment-note": "试探"}
            )
            assert response.status_code == 404, (code, key, "transition")
            lookup = client.get(f"/admin/reward/ajax/lookup/?name=case&query={case['number']}")
            assert case["number"] not in lookup.get_data(as_text=True), (code, key, "lookup")


def test_the_count_in_the_list_header_is_scoped(client, login_as, tree):
    login_as("handler", "SA")
    assert "(3)" in client.get("/admin/case/").get_data(as_text=True)
    login_as("handler", "CA2")
    assert "(1)" in client.get("/admin/case/").get_data(as_text=True)


def test_the_community_works_the_handed_down_case_through_the_page(client, login_as, tree):
    login_as("handler", "CA")
    case_id = tree["handed"]["id"]
    page = client.get(f"/admin/case/details/?id={case_id}").get_data(as_text=True)
    assert 'id="handed-down"' in page and "甲一社区" in page and 'id="parts"' in page
    response = client.post("/admin/case/transition/sign/", data={"sign-id": case_id})
    assert response.status_code == 302
    login_as("handler", "SA")
    page = client.get(f"/admin/case/details/?id={case_id}").get_data(as_text=True)
    assert "transition/take_back/" in page and "transition/sign/" not in page
