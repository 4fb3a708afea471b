"""The classifier: character 1–3-gram TF-IDF and a linear classifier trained by stochastic gradient descent
(scikit-learn, modified Huber loss, one class against the rest), its margins turned into scores by a
softmax, blended with the keyword hints. Plain functions on texts and labels; the database side is in
app.suggest.training.

Character n-grams need no word segmentation, so colloquial, misspelled and mixed-script text still shares
most of its 2- and 3-grams with the cases it resembles. The keyword hints enter twice: as extra training
documents (so a category without closed cases is still learnt) and as a score blended into the model's,
so a hint typed by an admin takes effect before the next training.
"""

import io
import random
from collections import defaultdict

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline

# Share of the keyword score in the blend: 0.15 for a model learnt from hints alone, falling to 0.03 as
# closed cases outnumber the hint documents (on unseen wording a larger share cost top-1 and gained nothing).
HINT_WEIGHT = 0.15
MIN_HINT_WEIGHT = 0.03
MAX_FEATURES = 60000  # the most frequent n-grams; the stored model stays near 4 MB at ~85 categories
HELD_OUT = 0.2
SOFTMAX_SCALE = 5.0
MIN_UPDATES = 20000


def new_pipeline() -> Pipeline:
    """An untrained pipeline: character 1–3-grams within word bounds, then the linear classifier.

    SGD rather than logistic regression by L-BFGS: as right on unseen wording, ten times faster to train
    (about 5 s on 10,000 cases)."""
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 3),
                    sublinear_tf=True,
                    max_features=MAX_FEATURES,
                    dtype=np.float32,
                ),
            ),
            ("clf", SGDClassifier(loss="modified_huber", alpha=2e-4, max_iter=15, tol=None, random_state=0)),
        ]
    )


def fit(texts: list[str], labels: list[str], hint_documents: int = 0) -> Pipeline | None:
    """A pipeline fitted on ``texts`` (normalised) and their category codes, the last ``hint_documents`` of
    them made from keyword hints; None with fewer than 2 codes."""
    if len(set(labels)) < 2:
        return None
    pipeline = new_pipeline()
    # enough passes for about MIN_UPDATES steps: a small office's few hundred texts need more than 15
    pipeline.set_params(clf__max_iter=min(200, max(15, MIN_UPDATES // max(1, len(texts)))))
    pipeline.fit(texts, labels)
    clf = pipeline.named_steps["clf"]
    clf.coef_ = clf.coef_.astype(np.float32)  # half the bytes, the same ranking
    cases = len(texts) - hint_documents
    pipeline.hint_weight = max(MIN_HINT_WEIGHT, HINT_WEIGHT * hint_documents / max(1, hint_documents + cases))
    return pipeline


def keyword_scores(text: str, hints: dict[str, list[str]]) -> dict[str, float]:
    """Each hinted category's share of the keywords found in ``text`` (longer keywords weigh more)."""
    found: dict[str, float] = {}
    for code, keywords in hints.items():
        weight = sum(len(k) for k in keywords if k in text)
        if weight:
            found[code] = float(weight)
    total = sum(found.values())
    return {code: weight / total for code, weight in found.items()} if total else {}


def probabilities(pipeline: Pipeline, texts: list[str]) -> np.ndarray:
    """Scores per class summing to 1: a softmax of the classifier's margins (every class ranked, no ties)."""
    features = pipeline.named_steps["tfidf"].transform(texts)
    clf = pipeline.named_steps["clf"]
    if features.shape[0] == 1:  # one text: gather its few columns (sklearn would copy the whole matrix)
        margins = (clf.coef_[:, features.indices] @ features.data)[None, :]
    else:
        margins = np.asarray(features @ clf.coef_.T)
    margins = margins + clf.intercept_
    if margins.shape[1] == 1:  # two categories: one margin, for the second
        margins = np.hstack([-margins, margins])
    margins = margins * SOFTMAX_SCALE
    margins -= margins.max(axis=1, keepdims=True)
    exp = np.exp(margins)
    return exp / exp.sum(axis=1, keepdims=True)


def _blend(classes, probabilities, keyword: dict[str, float], weight: float) -> list[tuple[str, float]]:
    share = weight if keyword else 0.0
    scores = {code: (1 - share) * float(p) for code, p in zip(classes, probabilities, strict=True)}
    for code, value in keyword.items():
        scores[code] = scores.get(code, 0.0) + share * value
    return sorted(scores.items(), key=lambda item: -item[1])


def _weight(pipeline: Pipeline) -> float:
    return getattr(pipeline, "hint_weight", MIN_HINT_WEIGHT)


def rank(pipeline: Pipeline | None, text: str, hints: dict[str, list[str]]) -> list[tuple[str, float]]:
    """Every candidate code with its score (summing to 1 or less), best first."""
    keyword = keyword_scores(text, hints)
    if pipeline is None:
        return sorted(keyword.items(), key=lambda item: -item[1])
    return _blend(pipeline.classes_, probabilities(pipeline, [text])[0], keyword, _weight(pipeline))


def split(labels: list[str], seed: int = 17) -> tuple[list[int], list[int]]:
    """Indexes of a stratified split: about 20 % of each code held out (none of a code with under 3 cases)."""
    by_code: dict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(labels):
        by_code[code].append(i)
    generator = random.Random(seed)
    train, test = [], []
    for code in sorted(by_code):
        indexes = by_code[code]
        generator.shuffle(indexes)
        k = max(1, round(len(indexes) * HELD_OUT)) if len(indexes) >= 3 else 0
        test += indexes[:k]
        train += indexes[k:]
    return sorted(train), sorted(test)


def accuracy(pipeline, texts, labels, hints) -> tuple[float | None, float | None]:
    """Top-1 and top-3 shares of ``labels`` found among the blended scores of ``texts`` (None without texts)."""
    if not texts:
        return None, None
    if pipeline is None:
        ranked = [rank(None, text, hints) for text in texts]
    else:
        rows, weight = probabilities(pipeline, texts), _weight(pipeline)
        ranked = [
            _blend(pipeline.classes_, row, keyword_scores(t, hints), weight)
            for t, row in zip(texts, rows, strict=True)
        ]
    top1 = top3 = 0
    for scores, label in zip(ranked, labels, strict=True):
        codes = [code for code, _score in scores[:3]]
        top1 += bool(codes) and codes[0] == label
        top3 += label in codes
    return top1 / len(texts), top3 / len(texts)


def dumps(pipeline: Pipeline | None) -> bytes:
    """The fitted pipeline as bytes for the database (joblib, compressed)."""
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def loads(blob: bytes) -> Pipeline | None:
    """A pipeline stored by :func:`dumps`; only ever called on bytes from our own database."""
    return joblib.load(io.BytesIO(blob))
