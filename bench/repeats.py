"""``python -m bench.repeats``: the repeat-candidate search (:func:`app.intake.repeats.candidates`) for a new
case, timed at up to 1,000,000 cases on SQLite and PostgreSQL, and the text scorers compared.

Its own dataset (case rows only, bulk inserts: no deadlines or events): a district of 6 streets and 31
communities (:func:`bench.generate.build_org`), two years of cases with varied wording about ~40 matters at
named roads and estates, 15 % of them from frequent callers, 40 % with an ID number. Each new case is built
as intake holds it (not flushed): *hits* reword a case of the last 60 days at the same place (half of them
from the same phone), *misses* are a new caller about a matter the data does not hold. Goal: p95 < 50 ms.
SQLite: ``instance/bench/repeats-N.db``, reused. PostgreSQL: ``--pg`` starts a throw-away PostgreSQL 15
cluster with the server's default durability (:mod:`bench.pgcluster`), or
``DATABASE_URL`` names one. ``--scorers`` only compares the scorers on the labelled pairs.
"""

import argparse
import os
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from bench import DEFAULT_DB_DIR
from bench import bench_config
from bench import db_kind
from bench import report
from bench.data import tracking_code

GOAL_MS = 50.0
WARMUP = 50
SEED = 17
ROADS = ("光明大道", "华夏路", "新湖路", "观光路", "光侨路", "东长路", "塘明大道", "公明北环大道", "松白路",
         "河心路", "牛山路", "圳园路", "邦凯路", "科裕路", "南光高速辅道")  # fmt: skip
ESTATES = ("翠湖花园", "碧水龙庭", "华强城", "光明小镇", "锦鸿花园", "中粮云景", "招商花园城", "上村新村",
           "东周老村", "碧眼村十八巷", "楼村二区", "公明广场", "光明农场宿舍", "圳美工业区", "凤凰城")  # fmt: skip
# (title, content) of a matter; {p} a road or estate, {n} a number
MATTERS = (
    ("{p}占道经营", "{p}每天晚上有摊贩占道经营，影响行人通行。"), ("{p}噪音扰民", "{p}附近工地夜间施工，噪音很大影响休息。"),
    ("{p}违章搭建", "{p}有人在楼顶违章搭建铁皮房，已经搭了{n}层。"), ("{p}油烟污染", "{p}楼下的烧烤店油烟很大，熏得没法开窗。"),
    ("{p}道路积水", "{p}一下雨就积水，行人过不去，车辆也绕行。"), ("{p}井盖缺失", "{p}有个井盖不见了，晚上很危险。"),
    ("{p}路灯不亮", "{p}的路灯坏了{n}个多月，晚上很黑。"), ("{p}垃圾堆放", "{p}垃圾堆了好几天没人清理，臭气熏天。"),
    ("拖欠工资", "我在{p}的厂里上班，老板拖欠{n}个月工资不发。"), ("{p}停车费上涨", "{p}物业停车费涨价没有公示，业主不认可。"),
    ("{p}电梯故障", "{p}{n}栋电梯经常停运，物业维修不及时。"), ("{p}漏水", "{p}楼上卫生间漏水渗到我家天花板，邻居不配合维修。"),
    ("{p}狗吠扰民", "{p}有住户养大狗整夜叫，反复沟通无效。"), ("{p}共享单车乱停", "{p}共享单车乱停放，堵住了路口。"),
    ("{p}渣土车撒漏", "{p}渣土车一路撒漏泥土，路面很脏。"), ("{p}红绿灯故障", "{p}路口红绿灯坏了，车辆乱行。"),
    ("学位申请咨询", "孩子住在{p}，小一学位申请一直显示审核中，想咨询进度。"), ("社保转入咨询", "住{p}，社保从外地转入怎么办理？"),
    ("{p}消防通道堵塞", "{p}消防通道被货物堵住，存在安全隐患。"), ("{p}广场舞噪音", "{p}晚上跳广场舞音响开得太大。"),
    ("{p}树木倒伏", "{p}有棵大树被风吹倒，压住了人行道。"), ("{p}水压不足", "{p}{n}楼以上水压不足，白天经常没水。"),
    ("{p}停电", "{p}这{n}天反复停电，冰箱里的东西都坏了。"), ("{p}非法营运", "{p}有摩的和黑车非法营运拉客。"),
    ("{p}餐馆卫生", "在{p}一家餐馆吃饭后拉肚子，怀疑卫生不达标。"), ("{p}宠物粪便", "{p}遛狗不清理粪便，到处都是。"),
    ("{p}租房纠纷", "我租住在{p}，房东不退押金{n}千元。"), ("{p}公交站迁移", "{p}的公交站被挪走了，老人上车很不方便。"),
    ("{p}高空抛物", "{p}经常有人从楼上往下扔垃圾，很危险。"), ("{p}群租", "{p}有一套房子隔成{n}间群租，人员复杂。"),
)  # fmt: skip
NEW_MATTERS = (("{p}燃气泄漏气味", "{p}楼道里有很浓的燃气味，担心泄漏。"),
               ("{p}蜂窝", "{p}树上有个大马蜂窝，小孩经过很危险。"))  # fmt: skip
OPENERS = ("", "您好，", "你好，我想反映一下，", "市民来电反映：", "来电人称：", "本人是附近居民，", "反映：")
CLOSERS = ("", "请尽快处理。", "希望相关部门管一管。", "谢谢！", "已经不是第一次了。", "请相关部门核实。")
AGAIN = ("之前反映过，", "再次反映：", "上次打过电话，", "又来了，")
STILL = ("到现在还没解决。", "问题依旧。", "一直没人管。", "")

# Labelled pairs (title, content, title, content): one matter told twice, in other words ...
REPEATS = (
 ("小区门口占道经营", "小区门口每天晚上有摊贩占道经营，影响行人通行。", "又是小区门口摊贩占道", "上周反映过小区门口晚上摊贩占道经营的问题，到现在还没人管，行人没法走。"),
 ("楼下烧烤店油烟扰民", "幸福路12号楼下的烧烤店每天晚上油烟很大，熏得家里没法开窗。", "烧烤店油烟问题仍未解决", "幸福路12号楼下那家烧烤店的油烟还是很大，之前打过电话，希望尽快处理。"),
 ("工地夜间施工噪音", "光明大道旁边的工地每天晚上十二点后还在施工，噪音很大影响休息。", "夜间施工", "光明大道边上工地半夜还在打桩，吵得睡不着，请管一管。"),
 ("拖欠工资", "我在华强工业园的电子厂上班，老板拖欠三个月工资不发。", "电子厂欠薪", "华强工业园电子厂拖欠我们三个月的工资，老板一直推脱。"),
 ("路灯不亮", "东周社区文化广场旁边的路灯坏了一个多月，晚上很黑。", "文化广场路灯坏了", "东周社区文化广场那边路灯还是不亮，晚上走路很危险，已经一个多月了。"),
 ("井盖缺失", "新湖路与华夏路交叉口的井盖不见了，很危险。", "井盖丢失有危险", "新湖路华夏路路口有个井盖丢了，晚上容易掉下去，麻烦尽快补上。"),
 ("垃圾堆放无人清理", "碧眼村18巷口垃圾堆了好几天没人清，臭气熏天。", "18巷垃圾没清", "碧眼村十八巷巷口垃圾还是没人清理，天热越来越臭。"),
 ("违建", "公明街道上村社区有人在楼顶违章搭建铁皮房。", "楼顶铁皮房违建", "上村社区那栋楼楼顶加建的铁皮房还在继续搭，之前举报了没下文。"),
 ("道路积水", "光侨路地铁站出口一下雨就积水，行人过不去。", "地铁站口积水", "光侨路地铁站出口下雨积水问题反映过好几次了，今天又淹了。"),
 ("小孩入学问题", "孩子今年上小学一年级，学位申请一直显示审核中，想咨询进度。", "学位申请进度", "孩子小一学位申请还是审核中，上次打电话说会跟进，现在还没结果。"),
 ("物业乱收费", "翠湖花园物业今年停车费涨价没有公示，业主不认可。", "翠湖花园停车费上涨", "翠湖花园物业擅自涨停车费，没公示也没开业主大会，请查处。"),
 ("狗吠扰民", "楼上邻居养了两条大狗整夜叫，反复沟通无效。", "邻居狗叫", "楼上的狗还是每天晚上叫个不停，跟邻居说了没用，请社区协调。"),
)  # fmt: skip
# ... and two matters of the same place (the pool the search scores is one place's cases).
OTHERS = (
 ("小区门口占道经营", "小区门口每天晚上有摊贩占道经营，影响行人通行。", "小区门口路灯不亮", "小区门口的路灯坏了好几天，晚上出入很不方便。"),
 ("楼下烧烤店油烟扰民", "幸福路12号楼下的烧烤店每天晚上油烟很大，熏得家里没法开窗。", "幸福路12号水管爆裂", "幸福路12号一楼水管爆了，水漫到楼道，请尽快维修。"),
 ("工地夜间施工噪音", "光明大道旁边的工地每天晚上十二点后还在施工，噪音很大影响休息。", "工地渣土车撒漏", "光明大道工地的渣土车一路撒漏泥土，路面很脏。"),
 ("拖欠工资", "我在华强工业园的电子厂上班，老板拖欠三个月工资不发。", "工业园消防通道堵塞", "华强工业园里面的消防通道被货物堵住了，存在安全隐患。"),
 ("路灯不亮", "东周社区文化广场旁边的路灯坏了一个多月，晚上很黑。", "文化广场跳广场舞噪音", "东周社区文化广场晚上跳舞音响开得太大，影响周边居民休息。"),
 ("井盖缺失", "新湖路与华夏路交叉口的井盖不见了，很危险。", "路口红绿灯故障", "新湖路与华夏路交叉口红绿灯坏了，车辆乱行。"),
 ("垃圾堆放无人清理", "碧眼村18巷口垃圾堆了好几天没人清，臭气熏天。", "18巷违规停车", "碧眼村18巷口经常有车乱停，堵住了巷子。"),
 ("违建", "公明街道上村社区有人在楼顶违章搭建铁皮房。", "上村社区老人补贴", "想咨询上村社区八十岁以上老人高龄津贴怎么申请。"),
 ("道路积水", "光侨路地铁站出口一下雨就积水，行人过不去。", "地铁站口共享单车乱停", "光侨路地铁站出口共享单车乱停放，挡住出口。"),
 ("小孩入学问题", "孩子今年上小学一年级，学位申请一直显示审核中，想咨询进度。", "社保转移", "想咨询社保从外地转入怎么办理，需要哪些材料。"),
 ("物业乱收费", "翠湖花园物业今年停车费涨价没有公示，业主不认可。", "翠湖花园电梯故障", "翠湖花园3栋电梯经常停运，物业维修不及时。"),
 ("狗吠扰民", "楼上邻居养了两条大狗整夜叫，反复沟通无效。", "楼上漏水", "楼上卫生间漏水渗到我家天花板，邻居不配合维修。"),
)  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.repeats", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="cases in the database")
    parser.add_argument("--db", help="SQLite file (default instance/bench/repeats-ROWS.db)")
    parser.add_argument("--pg", action="store_true", help="a throw-away PostgreSQL 15 cluster")
    parser.add_argument("--runs", type=int, default=200, help="new cases timed, of each kind")
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite file")
    parser.add_argument("--scorers", action="store_true", help="only compare the text scorers")
    return parser.parse_args(argv)


# --- the data --------------------------------------------------------------------------------------


def text_of(rng: random.Random, matters=MATTERS, index: int | None = None) -> tuple[int, str, str]:
    """(matter index, title, content) in one of many wordings."""
    index = rng.randrange(len(matters)) if index is None else index
    place, n = rng.choice(ROADS + ESTATES), rng.randint(2, 9)
    title, body = (part.format(p=place, n=n) for part in matters[index])
    return index, title, rng.choice(OPENERS) + body + rng.choice(CLOSERS)


def reworded(rng: random.Random, title: str, content: str) -> tuple[str, str]:
    """The same matter told again by a citizen."""
    for opener in OPENERS:
        if opener and content.startswith(opener):
            content = content[len(opener) :]
    return rng.choice(("", "再次反映") + (title,)), rng.choice(AGAIN) + content + rng.choice(STILL)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _id_no(rng: random.Random) -> str:
    return f"440306{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"


def case_rows(org: dict, count: int, now, rng: random.Random):
    """``count`` case rows (dicts for a Core insert), oldest first, over two years up to ``now``."""
    frequent = [_phone(rng) for _ in range(max(1, count // 20))]
    span = 730 * 86400
    stamps = sorted(rng.random() * span for _ in range(count))
    for i, offset in enumerate(stamps, 1):
        received = now - timedelta(seconds=span - offset)
        matter, title, content = text_of(rng)
        community = rng.choice(org["communities"])
        age = (now - received).days
        status = (
            rng.choice(("in_progress", "replied", "dispatched"))
            if rng.random() < (0.5 if age < 30 else 0.03)
            else "closed"
        )
        phone = rng.choice(frequent) if rng.random() < 0.15 else _phone(rng)
        yield {
            "id": i, "number": f"RP{i:010d}", "tracking_code": tracking_code(i), "channel": "hotline",
            "request_type": "complaint", "category_id": org["categories"][matter % len(org["categories"])],
            "title": title, "content": content, "citizen_name": "张先生", "citizen_phone": phone,
            "citizen_phone_last4": phone[-4:], "citizen_id_no": _id_no(rng) if rng.random() < 0.4 else None,
            "street_id": org["street_of"][community], "community_id": community, "grade": "green",
            "status": status, "received_at": received, "updated_at": received, "version": 1,
        }  # fmt: skip


def build(url: str, rows: int, log) -> float:
    """Migrate, add the district, insert ``rows`` cases in batches; the seconds it took."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.maintenance import refresh_planner_statistics
    from app.timeutil import utcnow
    from bench import ROOT
    from bench.generate import build_org
    from bench.generate import load_org
    from models.case import Case

    started = time.perf_counter()
    app = create_app(bench_config(url))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        build_org()
        org = load_org()
        db.session.remove()
        kind, table = db_kind(url), Case.__table__
        with db.engine.connect() as conn:
            if kind == "sqlite":
                for pragma in ("synchronous=OFF", "journal_mode=MEMORY", "cache_size=-1048576"):
                    conn.exec_driver_sql(f"PRAGMA {pragma}")
            batch = []
            for row in case_rows(org, rows, utcnow(), random.Random(SEED)):
                batch.append(row)
                if len(batch) == 20_000:
                    conn.execute(table.insert(), batch)
                    conn.commit()
                    batch = []
                    if row["id"] % 100_000 == 0:
                        log(f"  {row['id']:,} cases ({row['id'] / (time.perf_counter() - started):,.0f}/s)")
            if batch:
                conn.execute(table.insert(), batch)
            if kind == "postgresql":
                conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('case_item', 'id'), max(id)) FROM case_item"
                )
            conn.commit()
        if kind == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE case_item")
        else:
            refresh_planner_statistics()
        db.engine.dispose()
    return time.perf_counter() - started


# --- the measurement -------------------------------------------------------------------------------


def new_cases(runs: int, rng: random.Random) -> tuple[list, list]:
    """(hits, misses): transient cases as intake holds them, with the id each hit rewords."""
    from sqlalchemy import select

    from app.extensions import db
    from app.timeutil import utcnow
    from models.case import Case
    from models.org import Category
    from models.org import Department

    recent = list(
        db.session.execute(select(Case.id).where(Case.received_at >= utcnow() - timedelta(days=60))).scalars()
    )
    hits = []
    for source_id in rng.sample(recent, min(runs, len(recent))):
        source = db.session.get(Case, source_id)
        title, content = reworded(rng, source.title, source.content)
        phone = source.citizen_phone if rng.random() < 0.5 else _phone(rng)
        case = Case(channel="hotline", request_type="complaint", title=title or source.title, content=content,
                    citizen_phone=phone, community=source.community, street=source.street, category=source.category)  # fmt: skip
        hits.append((case, source_id))
    communities = list(db.session.execute(select(Department).where(Department.kind == "community")).scalars())
    categories = list(db.session.execute(select(Category).where(Category.parent_id.is_not(None))).scalars())
    misses = []
    for _ in range(runs):
        _index, title, content = text_of(rng, NEW_MATTERS)
        community = rng.choice(communities)
        misses.append(Case(channel="hotline", request_type="complaint", title=title, content=content,
                           citizen_phone=_phone(rng), community=community, street=community.parent,
                           category=rng.choice(categories)))  # fmt: skip
    db.session.expunge_all()  # transient: nothing of them is ever written
    return hits, misses


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "max": ordered[-1],
    }


def measure(url: str, runs: int) -> dict:
    """Time candidates() for the hits and the misses, in turns, after WARMUP untimed searches."""
    from app import create_app
    from app.extensions import db
    from app.intake import repeats
    from app.timeutil import utcnow
    from models.case import Case

    app = create_app(bench_config(url))
    with app.app_context():
        count = db.session.query(Case.id).count()
        hits, misses = new_cases(runs, random.Random(SEED + 1))
        for case in misses[:WARMUP]:  # untimed: the first searches fill the caches
            repeats.candidates(case)
        result = {"rows": count, "now": utcnow().isoformat()}
        samples = {"hits": [], "misses": []}
        found = {"hits": 0, "misses": 0}
        for (hit, _source), miss in zip(hits, misses, strict=False):  # in turns, so load hits both alike
            for name, case in (("hits", hit), ("misses", miss)):
                start = time.perf_counter()
                got = repeats.candidates(case)
                samples[name].append((time.perf_counter() - start) * 1000)
                found[name] += bool(got)
        for name in ("hits", "misses"):
            result[name] = {**_ms(samples[name]), "n": len(samples[name]), "with_candidates": found[name]}
        recalled = sum(any(c.id == source for c in repeats.candidates(case)) for case, source in hits)
        result["hits"]["source_in_top5"] = recalled
        db.session.remove()
        db.engine.dispose()
    return result


def table(results: list[dict]) -> str:
    """The figures as a Markdown table."""
    lines = ["| database | cases | new case | n | p50 ms | p95 ms | max ms | with candidates | reworded case in top 5 |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in results:
        for name in ("hits", "misses"):
            m = r[name]
            lines.append(f"| {r['kind']} | {r['rows']:,} | {name} | {m['n']} | {m['p50']:.1f} | {m['p95']:.1f} | "
                         f"{m['max']:.1f} | {m['with_candidates']} | {m.get('source_in_top5', '')} |")  # fmt: skip
    return "\n".join(lines)


# --- the scorers -----------------------------------------------------------------------------------


def _on_title_and_text(score):
    """A scorer of two texts applied to title + content."""
    return lambda ta, ca, tb, cb: score(ta + ca, tb + cb)


def compare_scorers() -> str:
    """The text scorers on the labelled pairs (rewordings of one matter vs. other matters of the same place):
    ranking quality (AUC), and time per pair with the normalising."""
    from rapidfuzz import fuzz

    from app.intake.repeats import normalised
    from app.intake.repeats import similarity

    def grams(t):
        return {t[i : i + 2] for i in range(len(t) - 1)} or {t}

    def jaccard(a, b):
        return len(grams(a) & grams(b)) / len(grams(a) | grams(b))

    def dice(a, b):
        return 2 * len(grams(a) & grams(b)) / (len(grams(a)) + len(grams(b)))

    def bigram_tokens(t):
        return " ".join(t[i : i + 2] for i in range(len(t) - 1))

    whole = {
        "rapidfuzz ratio": lambda a, b: fuzz.ratio(a, b) / 100,
        "rapidfuzz partial_ratio": lambda a, b: fuzz.partial_ratio(a, b) / 100,
        "rapidfuzz token_set_ratio of bigrams": lambda a, b: fuzz.token_set_ratio(bigram_tokens(a), bigram_tokens(b)) / 100,
        "character bigram Jaccard": jaccard,
        "character bigram Dice": dice,
    }  # fmt: skip
    scorers = {name: _on_title_and_text(f) for name, f in whole.items()}
    scorers["chosen: 0.3 × title ratio + 0.7 × text ratio"] = similarity
    lines = ["| scorer | AUC | lowest repeat | highest other | µs per pair |", "|---|---:|---:|---:|---:|"]
    for name, score in scorers.items():

        def run(pairs, score=score):
            return [score(normalised(a), normalised(b), normalised(c), normalised(d)) for a, b, c, d in pairs]

        pos, neg = run(REPEATS), run(OTHERS)
        auc = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
        start = time.perf_counter()
        for _ in range(100):
            run(REPEATS)
        micro = (time.perf_counter() - start) / (100 * len(REPEATS)) * 1e6
        lines.append(f"| {name} | {auc:.3f} | {min(pos):.2f} | {max(neg):.2f} | {micro:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    """Build or reuse the database(s), time the search, print the tables."""
    args = parse_args(argv)
    print("## text scorers on the labelled pairs (REPEATS against OTHERS)\n")
    print(compare_scorers())
    if args.scorers:
        return 0
    results = []
    if args.pg or (os.environ.get("DATABASE_URL") or "").startswith("postgresql"):
        results.append(_on_postgres(args))
    else:
        path = Path(args.db or DEFAULT_DB_DIR / f"repeats-{args.rows}.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        if args.fresh:
            path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        if not path.exists():
            print(f"\n## building {args.rows:,} cases in {path}", flush=True)
            print(f"  built in {build(url, args.rows, print):.0f} s", flush=True)
        results.append({"kind": "sqlite", **measure(url, args.runs)})
    machine = report.machine()
    print(f"\n## candidates() for a new case (goal: p95 < {GOAL_MS:.0f} ms); {machine['cores']} cores, "
          f"load average {machine['loadavg']}\n")  # fmt: skip
    print(table(results))
    return 0 if all(r[k]["p95"] < GOAL_MS for r in results for k in ("hits", "misses")) else 1


def _on_postgres(args) -> dict:
    """Build and measure on DATABASE_URL, or on a throw-away PostgreSQL 15 cluster."""
    if os.environ.get("DATABASE_URL") and not args.pg:
        url = os.environ["DATABASE_URL"]
        print(f"\n## building {args.rows:,} cases in DATABASE_URL", flush=True)
        print(f"  built in {build(url, args.rows, print):.0f} s", flush=True)
        return {"kind": "postgresql", **measure(url, args.runs)}
    from bench.pgcluster import running_cluster

    with running_cluster(None, "repeats-pg-") as database:
        url = database("repeats_bench")
        print(f"\n## building {args.rows:,} cases on a throw-away PostgreSQL 15 cluster", flush=True)
        print(f"  built in {build(url, args.rows, print):.0f} s", flush=True)
        return {"kind": "postgresql", **measure(url, args.runs)}


if __name__ == "__main__":
    raise SystemExit(main())
