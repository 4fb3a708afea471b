"""``flask --app app seed-demo``: load the demo district (idempotent) and print how to log in."""

import click
from flask.cli import with_appcontext

from app.demo import DEFAULT_CASES
from app.demo import print_logins
from app.demo import seed_demo
from app.demo.volunteers import print_volunteer_link
from app.extensions import db
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
    for name, count in summary.items():
        click.echo(f"  {name}: {count}")
    print_logins(click.echo)
    print_volunteer_link(click.echo)
