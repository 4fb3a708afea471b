"""Varied wording of the demo's case texts: per-category situations rendered as letters, hotline transcripts,
chat messages, walk-in records and one-liners, with the slips real messages carry (typos, no punctuation).

The vocabulary lives in ``phrasing_data*`` (one block per level-2 category: T topics for titles, S situations,
D details, A asks, optional Q questions and P praise); every draw comes from the caller's ``rng``, so the demo
stays reproducible.
"""

from app.demo.phrasing_data_a import BLOCKS as BLOCKS_A
from app.demo.phrasing_data_b import BLOCKS as BLOCKS_B
from app.demo.phrasing_data_c import BLOCKS as BLOCKS_C
from app.demo.phrasing_data_d import BLOCKS as BLOCKS_D

REGISTERS = ("letter", "hotline", "chat", "walkin", "short")
# How a channel's messages are usually written (weights over REGISTERS).
CHANNEL_REGISTERS = {
    "hotline": (1, 12, 1, 0, 2),
    "wechat": (1, 1, 10, 0, 5),
    "mailbox": (10, 0, 3, 0, 2),
    "walk_in": (2, 1, 1, 10, 1),
    "api": (2, 2, 6, 0, 5),
    "volunteer": (0, 1, 5, 2, 6),
}
KEEP_TEMPLATE = 0.15  # share of cases that keep their template's own sentence (the old demo wording)

LETTER = (
    "尊敬的领导：\n您好！我是{community}的一名居民，现向您反映一个问题。{body}{ask_full}恳请领导重视，谢谢！",
    "尊敬的区领导：我是住在{estate}的普通群众。{body}{ask_full}望予以解决为盼。此致\n敬礼！",
    "致光明区有关部门：{body}{ask_full}以上情况属实，盼复。",
    "您好，本人系{street}居民，特来信反映：{body}{ask_full}感谢百忙之中阅读此信。",
    "尊敬的书记：冒昧给您写信。{body}{ask_full}我们相信政府一定会给群众一个满意的答复。",
    "领导您好！{body}此前已多次反映未果，{ask_full}万分感谢！",
)
HOTLINE = (
    "来电人反映：{body}来电人要求{ask}。",
    "市民来电称，{body}希望相关部门{ask}。",
    "来电人称其为{community}居民，{body}诉求：{ask}。",
    "群众来电反映，{body}请求{ask}。",
    "来电人表示{body}来电人情绪{mood}，要求{ask}。",
    "来电反映：{body}已多次向{cshort}社区反映无果，现请{ask}。",
    "市民致电热线反映，{body}请职能部门{ask}。",
)
CHAT = (
    "你好，{body}有没有人管管啊，{ask_plea}",
    "我想反映个事，{body}{ask_plea}谢谢了",
    "{body}真的受不了了！！{ask_plea}",
    "请问这个归谁管？{body}{ask_plea}",
    "在吗，{body}{filler}{ask_plea}",
    "{filler}{body}麻烦{ask}，拜托了",
    "我是{cshort}这边的，{body}{ask_plea}",
)
WALKIN = (
    "群众到{street}群众诉求服务中心窗口反映：{body}诉求人要求{ask}。",
    "诉求人到中心现场反映，{body}希望{ask}。",
    "来访人称，{body}来访人要求{ask}。",
)
SHORT = ("{situation}", "{situation}，{ask_plea}", "{situation}{ask}", "{title}：{situation}")
CONSULT = {
    "letter": (
        "尊敬的领导：您好！我想咨询{question}盼予答复。",
        "您好，本人想了解：{question}望告知，谢谢。",
    ),
    "hotline": ("来电人咨询：{question}", "市民来电咨询，{question}", "来电人想了解{question}"),
    "chat": ("想咨询一下，{question}", "您好，请问{question}谢谢！", "问下{question}", "请问{question}"),
    "walkin": ("群众到窗口咨询：{question}", "来访人咨询{question}"),
    "short": ("{question}", "请问{question}"),
}
PLAIN = {"QT-WX"}  # a record of the call, not a citizen's own words
TITLES = (
    "{place}{topic}", "反映{place}{topic}问题", "关于{topic}的投诉", "{topic}", "{place}{topic}请求处理",
    "{topic}问题", "投诉{topic}", "{place}{topic}的反映", "{topic}，请求解决",
)  # fmt: skip
CONSULT_TITLES = ("咨询{topic}", "关于{topic}的咨询", "{topic}相关问题咨询", "咨询{topic}事宜")
MOODS = ("激动", "较为激动", "平稳", "焦急", "不满")
FILLERS = ("真的是，", "天天这样，", "烦死了，", "搞得人心慌慌，", "说了好多次了，", "唉，", "")
PLEAS = ("请{ask}！", "麻烦{ask}", "希望{ask}。", "能不能{ask}？", "快点{ask}吧", "求{ask}")
PEOPLE = ("涉及{n}户居民。", "受影响的有{n}人左右。", "我们{n}户人家都受影响，", "共{n}人。")
MONEY = ("涉及金额约{money}万元。", "一共{money}万元。", "金额{money}万元左右，", "损失{money}万。")
# (right, slip) pairs a hurried writer makes; applied to chat, hotline and short texts now and then.
TYPOS = (
    ("在", "再"), ("的", "得"), ("噪音", "燥音"), ("已经", "以经"), ("反映", "反应"), ("投诉", "头诉"),
    ("居民", "局民"), ("垃圾", "拉圾"), ("停车", "亭车"), ("工资", "工滋"),
    ("小区", "小去"), ("物业", "物叶"), ("处理", "处里"), ("麻烦", "麻番"), ("没有", "没又"),
    ("电梯", "电休"), ("什么", "神马"), ("怎么", "咋"), ("不知道", "不造"), ("现在", "现再"),
    ("一直", "一只"), ("希望", "息望"), ("部门", "部们"), ("这个", "这各"), ("赔偿", "陪偿"),
)  # fmt: skip
DIALECT = (("没有", "冇"), ("很", "好"), ("什么", "咩"), ("不要", "唔好"), ("这里", "呢度"), ("吗", "咩"))


def _parse(text: str) -> dict[str, dict[str, tuple[str, ...]]]:
    blocks: dict[str, dict[str, tuple[str, ...]]] = {}
    current = None
    for line in text.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        if ":" not in line[:3]:
            current = blocks.setdefault(line, {})
            continue
        key, _, values = line.partition(":")
        current[key] = current.get(key, ()) + tuple(v.strip() for v in values.split("|") if v.strip())
    return blocks


VOCAB = _parse("\n".join((BLOCKS_A, BLOCKS_B, BLOCKS_C, BLOCKS_D)))


def _pick(rng, items):
    return items[rng.randrange(len(items))]


def _end(text: str) -> str:
    return text if text[-1:] in "。！？，!?" else text + "。"


def _slip(rng, text: str, register: str) -> str:
    """Typos, dialect words and missing punctuation, now and then (rarely in letters)."""
    chance = {"letter": 0.05, "walkin": 0.05, "hotline": 0.15}.get(register, 0.4)
    if rng.random() < chance:
        present = [pair for pair in TYPOS if pair[0] in text and pair[0] != pair[1]]
        for right, wrong in rng.sample(present, min(len(present), rng.randint(1, 2))):
            text = text.replace(right, wrong, 1)
    if register in ("chat", "short") and rng.random() < 0.15:
        for right, local in DIALECT:
            if right in text and rng.random() < 0.5:
                text = text.replace(right, local, 1)
    if register in ("chat", "short") and rng.random() < 0.35:
        text = text.replace("，", " ").replace("。", " ").replace("！", "!").strip()
    return text


def register_for(rng, channel: str) -> str:
    """A register drawn by how messages on ``channel`` are usually written."""
    weights = CHANNEL_REGISTERS.get(str(getattr(channel, "value", channel)), (1, 1, 1, 1, 1))
    return rng.choices(REGISTERS, weights=weights)[0]


def compose(rng, code: str, fill: dict, *, request_type: str = "complaint", register: str | None = None,
            people: bool = False, money: bool = False) -> tuple[str, str] | None:  # fmt: skip
    """``(title, content)`` for a case of category ``code`` in ``register`` (None when ``code`` has no words)."""
    vocab = VOCAB.get(code)
    if vocab is None:
        return None
    register = register or _pick(rng, REGISTERS)
    values = dict(fill)
    place = _pick(rng, (fill.get("estate", ""), fill.get("road", ""), fill.get("cshort", ""), ""))
    topic = _pick(rng, vocab["T"]).format_map(values)
    asking = request_type == "consult" and "Q" in vocab
    praising = request_type == "praise" and "P" in vocab
    if asking:
        title = _pick(rng, CONSULT_TITLES).format(topic=topic)
        question = _end(_pick(rng, vocab["Q"]).format_map(values))
        content = _pick(rng, CONSULT[register]).format(question=question)
        return title[:200], _slip(rng, content, register)
    situation = _pick(rng, vocab["P"] if praising else vocab["S"]).format_map(values)
    title = _pick(rng, TITLES).format(place=place if place not in topic else "", topic=topic)
    body = _end(situation)
    if code in PLAIN:
        return title[:200], body
    if "D" in vocab and rng.random() < 0.7:
        body = body[:-1] + "，" + _end(_pick(rng, vocab["D"]).format_map(values))
    if people and str(fill.get("n")) not in body:
        body += _pick(rng, PEOPLE).format_map(values)
    if money and str(fill.get("money")) not in body:
        body += _pick(rng, MONEY).format_map(values)
    ask = _pick(rng, vocab["A"]).format_map(values)
    values.update(
        body=body,
        situation=situation,
        title=title,
        ask=ask,
        ask_full=f"请{ask}。",
        ask_plea=_pick(rng, PLEAS).format(ask=ask),
        mood=_pick(rng, MOODS),
        filler=_pick(rng, FILLERS),
    )
    pattern = {"letter": LETTER, "hotline": HOTLINE, "chat": CHAT, "walkin": WALKIN, "short": SHORT}[register]
    content = _pick(rng, pattern).format_map(values)
    return title[:200], _slip(rng, content, register)


def reword(rng, template, fill: dict, channel) -> tuple[str, str] | None:
    """New wording for a demo case drawn from ``template`` (None: keep the template's own sentence)."""
    if rng.random() < KEEP_TEMPLATE:
        return None
    return compose(
        rng,
        template.category,
        fill,
        request_type=str(getattr(template.request_type, "value", template.request_type)),
        register=register_for(rng, channel),
        people=template.people,
        money=template.money,
    )
