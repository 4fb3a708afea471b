"""Training on the office's own closed cases, storing the model in the database (every app server reads
the same one) and keeping the newest in process memory by version."""

import logging
import time
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import defer

from app.extensions import db
from app.suggest import hints as hint_table
from app.suggest import model
from app.suggest.text import normalise
from models.case import Case
from models.enums import Status
from models.org import Category
from models.suggest import SuggestModel

log = logging.getLogger("suqiu.suggest")

MAX_CASES = 50000  # the newest closed cases; older wording adds little and slows training
KEEP_VERSIONS = 3

_loaded: dict = {"key": None, "pipeline": None}


def closed_cases(limit: int = MAX_CASES) -> tuple[list[str], list[str]]:
    """Normalised title and content of the newest closed cases with a category, and their category codes."""
    rows = db.session.execute(
        select(Case.title, Case.content, Category.code)
        .join(Category, Category.id == Case.category_id)
        .where(Case.status == Status.CLOSED)
        .order_by(Case.closed_at.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    return [normalise(title, content) for title, content, _code in rows], [code for *_text, code in rows]


def train(now: datetime) -> SuggestModel | None:
    """Fit a model on the closed cases and the hints, measure it on a held-out split, store it (flushed).

    None when there is nothing to learn from (fewer than two categories among cases and hints)."""
    started = time.perf_counter()
    hint_table.seed()
    hints = hint_table.hint_map()
    texts, labels = closed_cases()
    hint_texts, hint_labels = hint_table.documents(hints)
    train_ids, test_ids = model.split(labels)
    top1 = top3 = None
    if len(test_ids) >= 10:
        partial = model.fit(
            [texts[i] for i in train_ids] + hint_texts, [labels[i] for i in train_ids] + hint_labels
        )
        top1, top3 = model.accuracy(
            partial, [texts[i] for i in test_ids], [labels[i] for i in test_ids], hints
        )
    pipeline = model.fit(texts + hint_texts, labels + hint_labels, len(hint_texts))
    if pipeline is None:
        return None
    row = SuggestModel(
        trained_at=now,
        blob=model.dumps(pipeline),
        cases_used=len(texts),
        hint_documents=len(hint_texts),
        categories=len(pipeline.classes_),
        held_out=len(test_ids) if top1 is not None else 0,
        top1=top1,
        top3=top3,
        seconds=round(time.perf_counter() - started, 2),
    )
    db.session.add(row)
    db.session.flush()
    db.session.execute(delete(SuggestModel).where(SuggestModel.version <= row.version - KEEP_VERSIONS))
    _loaded.update(key=(row.version, row.trained_at), pipeline=pipeline)
    return row


def latest() -> SuggestModel | None:
    """The newest stored model's row (its bytes not loaded)."""
    return db.session.scalars(
        select(SuggestModel).options(defer(SuggestModel.blob)).order_by(SuggestModel.version.desc()).limit(1)
    ).first()


def current() -> tuple[int | None, object]:
    """``(version, fitted pipeline)`` of the newest stored model, loaded once per process; (None, None) if none."""
    key = db.session.execute(
        select(SuggestModel.version, SuggestModel.trained_at).order_by(SuggestModel.version.desc()).limit(1)
    ).first()
    if key is None:
        return None, None
    if _loaded["key"] != tuple(key):  # (version, trained_at): another database may have its own version 1
        blob = db.session.scalar(select(SuggestModel.blob).where(SuggestModel.version == key[0]))
        try:
            pipeline = model.loads(blob)
        except Exception:  # e.g. stored by another scikit-learn: the hints serve until the next training
            log.exception("suggestion model %s could not be loaded", key[0])
            pipeline = None
        _loaded.update(key=tuple(key), pipeline=pipeline)
    pipeline = _loaded["pipeline"]
    return (key[0], pipeline) if pipeline is not None else (None, None)
