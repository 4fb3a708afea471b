"""Today's live figures: a process reuses its count for a minute, unless a case changed in it meanwhile."""

from datetime import timedelta

from sqlalchemy import update

from app.extensions import db
from app.reports.figures import Cut
from app.reports.figures import total
from app.timeutil import local_day
from models.case import Case
from tests.support.deadlines import T0
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies

S = timedelta(seconds=1)


def received(now) -> int:
    day = local_day(now)
    return total(Cut(day, day), now)["received"]


def another_process_moves_a_case_to(when) -> None:
    """A write this process's session does not see being made (as from another web worker)."""
    with db.engine.begin() as connection:
        connection.execute(
            update(Case)
            .where(Case.id == db.session.scalar(db.select(Case.id).limit(1)))
            .values(received_at=when)
        )


def test_a_minute_old_count_is_reused_but_a_change_here_is_seen_at_once(app):
    stage_policies()
    new_case(T0)
    assert received(T0 + S) == 1
    new_case(T0 + 2 * S)  # written through this process's session: counted at once
    assert received(T0 + 3 * S) == 2
    another_process_moves_a_case_to(T0 - timedelta(days=1))
    assert received(T0 + 30 * S) == 2  # another process's change: the count of T0 + 3 s still stands
    assert received(T0 + 64 * S) == 1  # a minute later it is counted again


def test_no_reuse_when_switched_off(app):
    app.config["LIVE_FIGURES_SECONDS"] = 0
    stage_policies()
    new_case(T0)
    assert received(T0 + S) == 1
    another_process_moves_a_case_to(T0 - timedelta(days=1))
    assert received(T0 + 2 * S) == 0
