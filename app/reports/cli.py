"""Report commands: ``reports rebuild`` (the whole daily rollup from scratch), ``reports catch-up`` and
``hotspots scan`` (the daily hot-spot scan, at any moment)."""

import json
import time
from datetime import date
from datetime import datetime

import click
from flask.cli import AppGroup

from app.extensions import db
from app.reports import hotspots
from app.reports import rollup
from app.timeutil import as_utc
from app.timeutil import utcnow

reports_group = AppGroup("reports", help="The figures behind rates and reports: the daily rollup.")
hotspots_group = AppGroup("hotspots", help="Hot spots (弱信号预警): a category rising at one place.")


@reports_group.command("rebuild")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: first case).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: yesterday).")
def rebuild_command(first, last) -> None:
    """Rebuild the rollup of every past day in the range, committing day by day."""
    started, now, days = time.perf_counter(), utcnow(), 0
    first_day: date | None = first.date() if first else None
    for _day in rollup.rebuild_all(now, first_day, last.date() if last else None):
        db.session.commit()
        days += 1
    click.echo(f"Rollup rebuilt: {days} days in {time.perf_counter() - started:.1f} s.")


@reports_group.command("catch-up")
def catch_up_command() -> None:
    """Apply the noted corrections and build every past day not built yet (what the job does, to the end)."""
    now, built = utcnow(), 0
    while corrected := rollup.apply_corrections(now):
        db.session.commit()
        click.echo(f"Corrected {len(corrected)} days.")
    for _day in rollup.build_missing(now, limit=100000):
        db.session.commit()
        built += 1
    db.session.commit()
    click.echo(f"Built {built} days.")


@hotspots_group.command("scan")
@click.option("--now", "now", help="The moment to scan as of (ISO 8601, default: now); naive times are UTC.")
def hotspots_scan_command(now) -> None:
    """Run the day's scan as the job does (alerts raised, extended, closed) and print the counts."""
    moment = as_utc(datetime.fromisoformat(now)) if now else utcnow()
    result = hotspots.scan(moment)
    db.session.commit()
    click.echo(json.dumps(result, ensure_ascii=False))
