"""The demo's varied case wording (app.demo.phrasing), the starting keyword hints and the unseen test set."""

import json
import random
import re
from collections import Counter
from collections import defaultdict
from pathlib import Path

import pytest

from app.demo import phrasing
from app.demo.templates import TEMPLATES
from app.demo.texts import Gen
from app.org.catalogue import category_rows
from app.suggest.seed_hints import HINTS

LEVEL2 = [code for code, _name, parent, _lead, _order in category_rows() if parent]
UNSEEN = Path(__file__).parent / "data" / "suggest_unseen.jsonl"
CJK = re.compile(r"[\u4e00-\u9fff]")
MARKERS = {"letter": ("尊敬", "领导", "致光明区", "来信", "本人"), "hotline": ("来电", "致电")}


def fill(seed: int = 3) -> dict:
    """The values a demo case's wording may use, drawn as the demo draws them."""
    return Gen(seed).fill("凤凰街道", "塘家社区", 12, 3.5)


FILLS = [fill(i) for i in range(20)]  # Faker is slow to start: a few places, reused


def draws(code: str, k: int, seed: int = 11, **kwargs) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [phrasing.compose(rng, code, FILLS[i % len(FILLS)], **kwargs) for i in range(k)]


def test_every_level2_category_has_its_own_words():
    assert len(LEVEL2) > 80
    assert sorted(phrasing.VOCAB) == sorted(LEVEL2)
    for code in LEVEL2:
        vocab = phrasing.VOCAB[code]
        assert len(vocab["T"]) >= 5 and len(vocab["S"]) >= 5 and vocab["A"], code


def test_every_level2_category_can_come_up_in_the_demo():
    assert {t.category for t in TEMPLATES} == set(LEVEL2)


@pytest.mark.parametrize("code", LEVEL2)
def test_many_distinct_clean_texts_per_category(code):
    texts = draws(code, 120)
    plain = code in phrasing.PLAIN  # a call-taker's one-line record: a handful of forms only
    assert len({content for _title, content in texts}) >= (5 if plain else 40)
    assert len({title for title, _content in texts}) >= 15
    for title, content in texts:
        assert 0 < len(title) <= 200 and content
        assert not re.search(r"[{}]", title + content), (title, content)  # no placeholder left
        assert len(CJK.findall(content)) >= 4
        assert "None" not in content
        assert not re.search(r"[a-z]", title + content)  # no English (nor pinyin) word reaches a page


def test_registers_read_as_their_kind_and_follow_the_channel():
    rng = random.Random(5)
    for register, words in MARKERS.items():
        texts = [phrasing.compose(rng, "CSGL-SRHW", FILLS[0], register=register)[1] for _ in range(60)]
        assert all(any(w in t for w in words) for t in texts), register
    chats = [phrasing.compose(rng, "STHJ-ZS", FILLS[1], register="chat")[1] for _ in range(80)]
    assert not any("来电人" in t for t in chats)
    seen = Counter(phrasing.register_for(rng, "hotline") for _ in range(400))
    assert seen.most_common(1)[0][0] == "hotline" and len(seen) >= 3
    assert Counter(phrasing.register_for(rng, "mailbox") for _ in range(400)).most_common(1)[0][0] == "letter"


def test_slips_and_missing_punctuation_appear_now_and_then():
    contents = [content for _t, content in draws("CSGL-LTC", 300, register="chat")]
    slips = {wrong for _right, wrong in phrasing.TYPOS}
    with_slip = [t for t in contents if any(w in t for w in slips)]
    unpunctuated = [t for t in contents if not re.search(r"[，。！？]", t)]
    assert 0.05 * len(contents) < len(with_slip) < 0.7 * len(contents)
    assert 0.05 * len(contents) < len(unpunctuated) < 0.7 * len(contents)
    letters = [content for _t, content in draws("CSGL-LTC", 100, register="letter")]
    assert all("。" in t for t in letters)


def test_consult_and_praise_use_their_own_sentences():
    asked = draws("GAZF-HJ", 40, request_type="consult")
    assert all(title.startswith(("咨询", "关于")) or "咨询" in title for title, _c in asked)
    questions = [q for q in phrasing.VOCAB["GAZF-HJ"]["Q"]]
    assert sum(any(q[:5] in content for q in questions) for _t, content in asked) >= 30  # some have slips
    praised = draws("WSJK-YLFW", 40, request_type="praise")
    praise = phrasing.VOCAB["WSJK-YLFW"]["P"]
    assert sum(any(p[-6:] in content for p in praise) for _t, content in praised) >= 30


def test_wording_is_reproducible_from_the_seed():
    assert draws("LDSB-QX", 30, seed=9) == draws("LDSB-QX", 30, seed=9)
    assert draws("LDSB-QX", 30, seed=9) != draws("LDSB-QX", 30, seed=10)


def test_reword_keeps_some_template_sentences_and_words_every_template_category():
    rng = random.Random(1)
    by_category = defaultdict(list)
    for template in TEMPLATES:
        by_category[template.category].append(phrasing.reword(rng, template, FILLS[2], "hotline"))
    results = [r for rs in by_category.values() for r in rs]
    kept = sum(r is None for r in results)
    assert 0 < kept < 0.4 * len(results)
    money = next(t for t in TEMPLATES if t.money and t.category == "SCJG-YFK")
    worded = [phrasing.reword(rng, money, FILLS[3], "wechat") for _ in range(40)]
    assert any(w and "3.5" in w[1] for w in worded)  # the amount of a money case is in its text


def test_hints_cover_every_level2_category_with_distinct_words():
    assert sorted(HINTS) == sorted(LEVEL2)
    for code, words in HINTS.items():
        assert 8 <= len(words) <= 20, code
        assert len(set(words)) == len(words), code
        assert all((CJK.search(w) or w.isalpha()) and not re.search(r"\d", w) for w in words), (
            code
        )  # no digits: never matched
    shared = [w for w, n in Counter(w for words in HINTS.values() for w in words).items() if n > 1]
    assert len(shared) <= 3, shared  # a hint says one category, not several


def test_unseen_set_covers_every_category_and_is_not_the_generators_output():
    rows = [json.loads(line) for line in UNSEEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 300
    counts = Counter(row["code"] for row in rows)
    assert set(counts) == set(LEVEL2) and min(counts.values()) >= 2
    assert {"letter", "hotline", "chat", "short"} <= {row["register"] for row in rows}
    generated = set()
    for code in LEVEL2:
        for register in phrasing.REGISTERS:
            generated |= {c for _t, c in draws(code, 30, register=register)}
    assert not [row["text"] for row in rows if row["text"] in generated]
    situations = {s for vocab in phrasing.VOCAB.values() for s in vocab["S"] if "{" not in s}
    assert not [row["text"] for row in rows if any(s in row["text"] for s in situations if len(s) > 12)]


def test_the_bench_scores_top1_and_top3_per_register():
    from bench.suggest_eval import quick
    from bench.suggest_eval import score

    rows = [
        {"text": "a", "code": "X", "register": "chat"},
        {"text": "b", "code": "Y", "register": "chat"},
        {"text": "c", "code": "Z", "register": "letter"},
    ]
    ranked = {"a": ["X", "Y"], "b": ["X", "W", "Y"], "c": ["W", "V", "U", "Z"]}
    result = score(rows, lambda text: ranked[text])
    assert result["figures"]["all"] == {"n": 3, "top1": 1 / 3, "top3": 2 / 3}
    assert result["figures"]["chat"]["top3"] == 1.0 and result["figures"]["letter"]["top3"] == 0.0
    assert [miss[0] for miss in result["misses"]] == ["Z"]
    texts, labels = quick(2 * len(LEVEL2))
    assert Counter(labels) == Counter({code: 2 for code in LEVEL2}) and all(texts)
