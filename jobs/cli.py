"""``flask --app app jobs run`` (the scheduler process) and ``jobs tick [--now ISO-8601]``."""

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from app.timeutil import as_utc
from jobs.runner import tick


@click.group("jobs")
def jobs_group():
    """Background jobs: deadline sweep, deliveries, digest, recompute."""


@jobs_group.command("run")
@with_appcontext
def run_command():
    """Run the scheduler in this process until stopped (the one production scheduler)."""
    from jobs import lease
    from jobs.scheduler import LEASE
    from jobs.scheduler import build

    scheduler = build(current_app._get_current_object(), blocking=True)
    click.echo("Scheduler running; Ctrl-C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lease.release(LEASE, scheduler.holder)


@jobs_group.command("tick")
@click.option("--now", "now_text", help="The instant to run at, ISO-8601 (default: now). Naive means UTC.")
@with_appcontext
def tick_command(now_text):
    """Run every job that is due once at the given instant, then exit."""
    try:
        now = as_utc(datetime.fromisoformat(now_text)) if now_text else None
    except ValueError:
        raise click.BadParameter("use ISO-8601, e.g. 2026-11-23T08:30:00+08:00", param_hint="--now") from None
    for name, result in tick(now).items():
        click.echo(f"{name}: {result}")
