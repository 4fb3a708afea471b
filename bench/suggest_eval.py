"""``python -m bench.suggest_eval``: how well the suggested category does on messages nobody trained on.

For each size, builds a fresh demo database in a temporary directory (as ``flask seed-demo --cases N``
does), trains through ``app.suggest`` (``training.train``, as ``flask suggest train`` does) and asks
``app.suggest.suggest`` about every line of ``tests/data/suggest_unseen.jsonl``: letters, hotline
transcripts, chat messages and one-liners written by hand, apart from the demo's generator. Prints the
held-out figures of the training and top-1/top-3 on the unseen set, overall and per register.

``--quick N`` skips the database: N texts from :mod:`app.demo.phrasing` train :mod:`app.suggest.model`
directly (seconds instead of minutes; for tuning the vocabulary).
"""

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections import defaultdict
from pathlib import Path

from bench import ROOT
from bench import bench_config

UNSEEN = ROOT / "tests" / "data" / "suggest_unseen.jsonl"
FILL = {
    "street": "凤凰街道", "community": "塘家社区", "cshort": "塘家", "road": "光明大道", "road2": "华夏路",
    "estate": "塘家花园", "company": "鑫达电子厂", "site": "塘家安置房项目工地", "shop": "一家烧烤店",
    "school": "塘家小学", "hospital": "光明区人民医院", "no": 8, "year": 2021, "months": 3, "n": 6, "money": "2.5",
}  # fmt: skip


def load_unseen(path: Path = UNSEEN) -> list[dict]:
    """The hand-written evaluation lines: ``{"text", "code", "register"}``."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(rows: list[dict], rank) -> dict:
    """Top-1 and top-3 shares overall and per register; ``rank(text)`` gives codes best first."""
    hits: dict = defaultdict(lambda: [0, 0, 0])
    misses = []
    for row in rows:
        codes = rank(row["text"])[:3]
        for key in ("all", row.get("register", "?")):
            hits[key][0] += 1
            hits[key][1] += bool(codes) and codes[0] == row["code"]
            hits[key][2] += row["code"] in codes
        if row["code"] not in codes:
            misses.append((row["code"], codes, row["text"]))
    return {
        "figures": {k: {"n": n, "top1": t1 / n, "top3": t3 / n} for k, (n, t1, t3) in hits.items()},
        "misses": misses,
    }


def print_scores(label: str, result: dict, show_misses: bool) -> None:
    """One line per register, overall first."""
    figures = result["figures"]
    for key in ["all", *sorted(k for k in figures if k != "all")]:
        f = figures[key]
        print(f"  {label:<22} {key:<8} n={f['n']:<4} top-1 {f['top1']:6.1%}  top-3 {f['top3']:6.1%}")
    if show_misses:
        for code, codes, text in result["misses"]:
            print(f"    miss {code} -> {','.join(codes)}: {text[:60]}")


def quick(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """``n`` (text, code) pairs straight from the demo's wording, every category alike."""
    from app.demo import phrasing
    from app.demo.templates import TEMPLATES

    rng = random.Random(seed)
    by_code = defaultdict(list)
    for template in TEMPLATES:
        by_code[template.category].append(template)
    texts, labels = [], []
    codes = sorted(phrasing.VOCAB)
    for i in range(n):
        code = codes[i % len(codes)]
        template = rng.choice(by_code.get(code) or TEMPLATES)
        rtype = template.request_type if template.category == code else "complaint"
        title, content = phrasing.compose(rng, code, FILL, request_type=rtype, register=None)
        texts.append(f"{title} {content}")
        labels.append(code)
    return texts, labels


def run_quick(n: int, show_misses: bool) -> None:
    """Train the pipeline on generated texts and the seed hints, without a database."""
    from app.suggest import model
    from app.suggest.seed_hints import HINTS
    from app.suggest.text import normalise
    from app.suggest.text import split_keywords

    hints = {code: split_keywords("\n".join(words)) for code, words in HINTS.items()}
    texts, labels = quick(n)
    texts = [normalise("", t) for t in texts]
    hint_texts, hint_labels = model_documents(hints)
    started = time.perf_counter()
    pipeline = model.fit(texts + hint_texts, labels + hint_labels)
    print(f"quick: {n} generated texts, trained in {time.perf_counter() - started:.1f} s")
    rows = load_unseen()

    def rank_with(pipe):
        return lambda text: [c for c, _s in model.rank(pipe, normalise("", text), hints)]

    print_scores("hints only", score(rows, rank_with(None)), False)
    print_scores(f"quick {n}", score(rows, rank_with(pipeline)), show_misses)


def model_documents(hints: dict) -> tuple[list[str], list[str]]:
    """The hint documents the training adds (:func:`app.suggest.hints.documents`)."""
    from app.suggest.hints import documents

    return documents(hints)


def run_size(size: int, show_misses: bool) -> None:
    """A fresh demo of ``size`` cases, trained and asked about every unseen line."""
    import flask_migrate

    from app import create_app
    from app.demo import seed_demo
    from app.extensions import db
    from app.suggest import suggest
    from app.suggest import training
    from app.timeutil import utcnow

    with tempfile.TemporaryDirectory(prefix="suggest-eval-") as tmp:
        app = create_app(bench_config(f"sqlite:///{Path(tmp) / 'demo.db'}"))
        with app.app_context():
            started = time.perf_counter()
            flask_migrate.upgrade()
            seed_demo(cases=size)
            db.session.commit()
            seeded = time.perf_counter() - started
            row = training.train(utcnow())
            db.session.commit()
            held = "-" if row.top1 is None else f"top-1 {row.top1:.1%}, top-3 {row.top3:.1%}"
            print(
                f"demo {size}: seeded in {seeded:.0f} s; trained on {row.cases_used} closed cases in "
                f"{row.seconds:.1f} s; held out {row.held_out}: {held}"
            )

            _texts, labels = training.closed_cases()
            per = sorted(Counter(labels).values())
            print(
                f"  closed cases per category: {len(per)} categories, fewest {per[0]}, "
                f"median {per[len(per) // 2]}, under 5: {sum(c < 5 for c in per)}"
            )

            def rank(text):
                result = suggest("", text)
                return [c["code"] for c in result["categories"]] if result else []

            print_scores(f"unseen, demo {size}", score(load_unseen(), rank), show_misses)
            db.engine.dispose()


def main(argv=None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.suggest_eval", description=__doc__)
    parser.add_argument("--sizes", default="1000", help="demo case counts, e.g. 1000,5000")
    parser.add_argument("--quick", type=int, default=0, help="train on N generated texts, no database")
    parser.add_argument("--misses", action="store_true", help="list the unseen lines missed in the top 3")
    args = parser.parse_args(argv)
    if args.quick:
        run_quick(args.quick, args.misses)
        return 0
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        run_size(size, args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
