"""``flask --app app seed-demo``: load the demo district (idempotent) and print how to log in."""

from datetime import timedelta

import click
from flask.cli import with_appcontext

from app.demo import DEFAULT_CASES
from app.demo import print_logins
from app.demo import seed_demo
from app.demo.volunteers import print_volunteer_link
from app.extensions import db
from app.reports import hotspots
from app.suggest import training as suggest_training
from app.timeutil import utcnow
from models.org import Department


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only seed when the database holds no departments yet.")
@click.option("--cases", default=DEFAULT_CASES, show_default=True, help="How many demo cases to create.")
def seed_demo_command(if_empty: bool, cases: int) -> None:
    """Load the demo district (idempotent: a second run adds nothing)."""
    if if_empty and db.session.query(Department.id).first() is not None:
        click.echo("Database already has data; demo data not loaded.")
        print_logins(click.echo, only_existing=True)
        print_volunteer_link(click.echo)
        return
    summary = seed_demo(cases=cases)
    summary["suggestion model"] = _train_suggestions()
    summary["hot-spot alerts"] = _scan_hot_spots()
    for name, count in summary.items():
        click.echo(f"  {name}: {count}")
    print_logins(click.echo)
    print_volunteer_link(click.echo)


def _train_suggestions() -> int:
    """Train the category suggestion on the demo's closed cases once, so the intake form suggests at once."""
    if suggest_training.latest() is not None:
        return suggest_training.latest().version
    row = suggest_training.train(utcnow())
    db.session.commit()
    return row.version if row is not None else 0


def _scan_hot_spots(days: int = 10) -> int:
    """Run the daily hot-spot scan for the last ``days`` mornings, as the jobs would have, so the demo's
    burst of reports from one community shows as a 弱信号 alert; the alerts raised."""
    today = utcnow().replace(hour=19, minute=15, second=0, microsecond=0)  # 03:15 in Beijing
    raised = 0
    for back in range(days, -1, -1):
        moment = today - timedelta(days=back)
        if moment <= utcnow():
            raised += hotspots.scan(moment).get("raised", 0)
    db.session.commit()
    return raised
