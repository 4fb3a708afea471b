"""The bench report: markdown tables, goals, statements with their plans, and the JSON file."""

import json
import os
import platform
import sqlite3
import time
from pathlib import Path

from bench import RESULTS_DIR

GOAL_MS = 150.0
GOAL_GROWTH = 1.5


def machine() -> dict:
    """Core count, Python and SQLite versions, and the load average (other work skews timings)."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def _fmt(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _short(n: int) -> str:
    for unit, suffix in ((1_000_000, "M"), (1000, "k")):
        if n >= unit and n % unit == 0:
            return f"{n // unit:,}{suffix}"
    return f"{n:,}"


def growth(runs: list[dict]) -> dict:
    """Median at each size divided by the median at the smallest size, per page."""
    if not runs:
        return {}
    base = {p["page"]: p["median_ms"] for p in runs[0]["pages"]}
    return {
        (run["size"], p["page"]): p["median_ms"] / base[p["page"]] if run is not runs[0] else None
        for run in runs
        for p in run["pages"]
    }


def results_table(runs: list[dict]) -> str:
    """size | page | median | p95 | SQL floor | page/floor | ratio to the smallest size | CPU median."""
    if not runs:
        return ""
    ratios = growth(runs)
    label = f"{_short(runs[-1]['size'])}/{_short(runs[0]['size'])} ratio"
    lines = [
        f"| size | page | median ms | p95 ms | SQL floor ms | page/floor | {label} | CPU median ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for p in run["pages"]:
            lines.append(
                f"| {run['size']:,} | {p['page']} | {_fmt(p['median_ms'])} | {_fmt(p['p95_ms'])} | "
                f"{_fmt(p['floor_ms'], 2)} | {_fmt(p['ratio'])} | {_fmt(ratios[(run['size'], p['page'])], 2)} | "
                f"{_fmt(p['cpu_median_ms'])} |"
            )
    return "\n".join(lines)


def generation_table(gens: list[dict]) -> str:
    """size | cases added | seconds | rows/s | reused."""
    lines = ["| size | added | seconds | rows/s | note |", "|---:|---:|---:|---:|---|"]
    for g in gens:
        rate = g["added"] / g["seconds"] if g["added"] and g["seconds"] else None
        note = "reused" if g["reused"] else f"grown from {g['existing']:,}" if g["existing"] else "built"
        if g["reused"] and g.get("generated_seconds"):
            note += f" (built earlier in {g['generated_seconds']:,.0f} s)"
        lines.append(f"| {g['size']:,} | {g['added']:,} | {g['seconds']:,.1f} | {_fmt(rate, 0)} | {note} |")
    return "\n".join(lines)


def _check(goal: str, figure: str, ok: bool) -> dict:
    return {"goal": goal, "figure": figure, "ok": bool(ok)}


def goal_checks(runs: list[dict]) -> list[dict]:
    """The page goals for the largest size: under 150 ms, and within 1.5x of the smallest size."""
    if not runs:
        return []
    ratios, last, out = growth(runs), runs[-1], []
    for p in last["pages"]:
        out.append(
            _check(f"{p['page']} at {_short(last['size'])} < {GOAL_MS:.0f} ms", f"{p['median_ms']:.1f} ms",
                   p["median_ms"] < GOAL_MS)
        )  # fmt: skip
        ratio = ratios[(last["size"], p["page"])]
        if ratio is not None:
            out.append(
                _check(f"{p['page']}: {_short(last['size'])}/{_short(runs[0]['size'])} <= {GOAL_GROWTH}x",
                       f"{ratio:.2f}x", ratio <= GOAL_GROWTH)
            )  # fmt: skip
    return out


def goals_table(results: list[dict]) -> str:
    """One table of every goal, a column per database: the figure and PASS or MISS."""
    kinds = [r["kind"] for r in results]
    rows: dict[str, dict] = {}
    for result in results:
        for check in result["checks"]:
            mark = "PASS" if check["ok"] else "**MISS**"
            rows.setdefault(check["goal"], {})[result["kind"]] = f"{check['figure']} {mark}"
    lines = ["| goal | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for goal, cells in rows.items():
        lines.append(f"| {goal} | " + " | ".join(cells.get(kind, "—") for kind in kinds) + " |")
    return "\n".join(lines)


def page_details(run: dict) -> str:
    """Each page's statements (shortened), their raw time and their query plan."""
    out = [
        f"### {run['size']:,} cases ({run['kind']}); handler department {run['handler_department']['name']}; "
        f"load average {run.get('loadavg')}"
    ]
    for p in run["pages"]:
        out.append(
            f"\n**{p['page']}** `{p['url']}`: median {p['median_ms']:.1f} ms, p95 {p['p95_ms']:.1f} ms, "
            f"SQL floor {p['floor_ms']:.2f} ms, {len(p['numbers'])} case numbers on the page"
        )
        for i, st in enumerate(p["statements"], 1):
            out.append(f"{i}. ({_fmt(st['floor_ms'], 3)} ms) `{st['sql']}` params={st['params'][:80]}")
            if st["plan"]:
                out.append(
                    "   ```\n" + "\n".join("   " + line for line in st["plan"].splitlines()) + "\n   ```"
                )
        if p.get("profile"):
            own = ", ".join(f"{k} {v:.1f}" for k, v in p["profile"]["own_ms_by_package"].items())
            out.append(f"   profile, own ms by package (cProfile inflates these): {own}")
    return "\n".join(out)


def write_json(payload: dict, directory: Path = RESULTS_DIR) -> Path:
    """Write the run to ``bench/results/bench-<kind>-<time>.json`` and return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bench-{payload.get('kind', 'open311')}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


SWEEP_GOAL_RATIO = 3.0
SWEEP_GOAL_IDLE_MS = 100.0
SWEEP_GOAL_DUE_S = 10.0


def sweep_table(sweeps: list[dict]) -> str:
    """Per size: running deadlines, the idle sweep against its floor, and one sweep of the due stages."""
    lines = [
        "| size | running deadlines | idle sweep median ms | idle p95 ms | floor ms (due_query 500) | "
        "sweep/floor | raw SQL ms | due stages | sweep s | stages/s | floor ms (due_query N) | "
        "raw SQL ms | notifications |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in sweeps:
        idle, due = s["idle"], s["due"]
        lines.append(
            f"| {s['size']:,} | {s['running']:,} | {_fmt(idle['median_ms'], 2)} | {_fmt(idle['p95_ms'], 2)} | "
            f"{_fmt(idle['floor_ms'], 3)} | {_fmt(idle['ratio'], 2)} | {_fmt(idle['raw_sql_ms'], 3)} | "
            f"{due['stats']['fired']:,}/{due['made_due']:,} | {_fmt(due['seconds'], 2)} | "
            f"{_fmt(due['stages_per_s'], 0)} | {_fmt(due['floor_ms'], 2)} | {_fmt(due['raw_sql_ms'], 2)} | "
            f"{due['notifications']:,} |"
        )
    return "\n".join(lines)


def sweep_checks(sweeps: list[dict]) -> list[dict]:
    """The sweep goals for the largest size: idle within 3x its floor and under 100 ms; the due stages
    fired, each once, in under 10 s."""
    if not sweeps:
        return []
    last = sweeps[-1]
    idle, due, size = last["idle"], last["due"], _short(last["size"])
    ratio_ok = idle["ratio"] is not None and idle["ratio"] <= SWEEP_GOAL_RATIO
    due_ok = due["seconds"] < SWEEP_GOAL_DUE_S and due["stats"]["fired"] == due["made_due"]
    return [
        _check(f"idle sweep at {size} <= {SWEEP_GOAL_RATIO:.0f}x its floor",
               f"{idle['median_ms']:.2f} ms = {_fmt(idle['ratio'], 2)}x {idle['floor_ms']:.3f} ms", ratio_ok),
        _check(f"idle sweep at {size} < {SWEEP_GOAL_IDLE_MS:.0f} ms", f"{idle['median_ms']:.2f} ms",
               idle["median_ms"] < SWEEP_GOAL_IDLE_MS),
        _check(f"{due['made_due']:,} due stages at {size} fired < {SWEEP_GOAL_DUE_S:.0f} s",
               f"{due['stats']['fired']:,} in {due['seconds']:.2f} s ({_fmt(due['stages_per_s'], 0)}/s)", due_ok),
    ]  # fmt: skip


def sweep_details(sweep: dict) -> str:
    """The due SELECT, its plan, and what the busy sweep wrote."""
    idle, due = sweep["idle"], sweep["due"]
    plan = "\n".join("   " + line for line in idle["plan"].splitlines())
    seeded = sweep["seeded"]
    note = f"added {seeded['added']:,} in {seeded['seconds']:.1f} s" if seeded["added"] else "reused"
    return (
        f"### sweep at {sweep['size']:,} cases: {sweep['running']:,} running deadlines ({note}), now = "
        f"{sweep['now']}; load average {sweep.get('loadavg')}\n"
        f"idle: {idle['runs']} sweeps, fired {idle['fired']}; due query `{idle['sql']}`\n   ```\n{plan}\n   ```\n"
        f"due: {due['made_due']:,} made due, {due['found_by_floor']:,} found by the floor query, "
        f"stats {due['stats']}, {due['fires']:,} deadline_fire rows, {due['notifications']:,} notifications "
        f"({_fmt(due['notifications_per_fire'], 2)} per fire); restored {due['restored']:,}, "
        f"{due['still_due_after_restore']} still due after"
    )
