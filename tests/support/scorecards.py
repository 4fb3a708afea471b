"""The hand-counted cases placed in streets and communities, for the scorecard tests (see
tests/reports/test_scorecards.py for the scores counted by hand)."""

from app.extensions import db
from tests.support.deadlines import at
from tests.support.factories import dept
from tests.support.reports import hand_counted_cases

NOW = at("2026-04-02 10:00")  # March has ended
AREAS = {"A": ("SA", "CA"), "B": ("SA", None), "C": ("SB", "CB"), "E": ("SB", "CB")}


def placed_cases() -> dict:
    """The hand-counted cases, each put in its street and community (committed)."""
    cases = hand_counted_cases()
    for name, (street, community) in AREAS.items():
        cases[name].street_id = dept(street).id
        cases[name].community_id = dept(community).id if community else None
    db.session.commit()
    return cases


def scores(shown: dict) -> list[tuple]:
    """(rank, unit code, score, board) of each row of a card, in the card's order."""
    codes = {dept(code).id: code for code in ("SA", "SB", "CA", "CB", "BA", "BB")}
    return [(row["rank"], codes[row["unit_id"]], row["score"], row["board"]) for row in shown["rows"]]
