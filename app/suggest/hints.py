"""The keyword hints per category (admin-editable ``CategoryHint`` rows), started from app.suggest.seed_hints."""

from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.suggest.seed_hints import HINTS
from app.suggest.text import split_keywords
from models.org import Category
from models.suggest import CategoryHint

_cache: dict = {"key": None, "hints": {}}


def seed(session=None) -> int:
    """Load the starting hints into an empty hints table (categories missing here are skipped); how many rows."""
    session = session or db.session
    if session.scalar(select(func.count(CategoryHint.id))):
        return 0
    categories = {c.code: c for c in session.scalars(select(Category))}
    added = 0
    for code, keywords in HINTS.items():
        if code in categories and keywords:
            session.add(CategoryHint(category=categories[code], keywords="\n".join(keywords)))
            added += 1
    session.flush()
    return added


def hint_map() -> dict[str, list[str]]:
    """Active categories' code → keywords, as the admins keep them; the starting hints while none are kept."""
    key = db.session.execute(select(func.count(CategoryHint.id), func.max(CategoryHint.updated_at))).one()
    if key[0] == 0:
        active = set(db.session.scalars(select(Category.code).where(Category.active.is_(True))))
        return {code: split_keywords("\n".join(words)) for code, words in HINTS.items() if code in active}
    if _cache["key"] != tuple(key):
        rows = db.session.execute(
            select(Category.code, CategoryHint.keywords)
            .join(Category, Category.id == CategoryHint.category_id)
            .where(Category.active.is_(True))
        )
        _cache["hints"] = {code: split_keywords(words) for code, words in rows if split_keywords(words)}
        _cache["key"] = tuple(key)
    return _cache["hints"]


def documents(hints: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Training documents from the hints: each keyword alone, and all of a category's keywords together."""
    texts, labels = [], []
    for code, keywords in hints.items():
        for keyword in [*keywords, " ".join(keywords)]:
            texts.append(keyword)
            labels.append(code)
    return texts, labels
