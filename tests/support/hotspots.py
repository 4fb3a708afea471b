"""Hot-spot test data: categories, and minimal cases inserted in bulk (thousands in a fraction of a second)."""

import random
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.timeutil import local_day_start
from models.case import Case
from models.org import Category
from tests.support.factories import dept

LOCAL_HOURS = (8, 18)  # cases arrive during office hours, Beijing time


def category(code: str, name: str, parent: str | None = None) -> Category:
    """Get or add a category (level 2 when ``parent`` is a code)."""
    found = db.session.scalar(select(Category).where(Category.code == code))
    if found is None:
        upper = db.session.scalar(select(Category).where(Category.code == parent)) if parent else None
        found = Category(code=code, name=name, parent=upper)
        db.session.add(found)
        db.session.flush()
    return found


class Cases:
    """Writes minimal case rows: a category, a community (and its street), a received time."""

    def __init__(self, rng: random.Random):
        self.rng, self.count, self.rows = rng, 0, []

    def at(self, day: date, category_id: int, community_code: str, hour: float | None = None, **extra) -> str:
        """Queue one case received on local ``day``; its number."""
        community = dept(community_code)
        hour = hour if hour is not None else self.rng.uniform(*LOCAL_HOURS)
        when = local_day_start(day) + timedelta(hours=hour)
        self.count += 1
        number = f"HS{self.count:07d}"
        self.rows.append(
            {
                "number": number,
                "tracking_code": f"T{self.count:09d}",
                "channel": "hotline",
                "request_type": "complaint",
                "category_id": category_id,
                "title": f"测试诉求 {number}",
                "content": "测试内容",
                "street_id": community.parent_id,
                "community_id": community.id,
                "grade": "green",
                "status": "new",
                "received_at": when,
                "updated_at": when,
                "version": 1,
                **extra,
            }
        )
        return number

    def flush(self) -> None:
        """Insert the queued rows in one statement."""
        if self.rows:
            db.session.execute(Case.__table__.insert(), self.rows)
            self.rows = []
        db.session.commit()


def ids_of(numbers) -> list[int]:
    """The ids of the cases with these numbers."""
    return list(db.session.scalars(select(Case.id).where(Case.number.in_(list(numbers))).order_by(Case.id)))


def scan_time(day: date) -> datetime:
    """03:15 Beijing time on ``day``, when the daily jobs run."""
    return local_day_start(day) + timedelta(hours=3, minutes=15)
