"""Deadline commands: ``calendar seed | check | add-year`` (the work calendar table) and ``seed-policies``."""

from datetime import date

import click
from flask.cli import AppGroup
from flask.cli import with_appcontext

from app.deadlines.calendar_seed import calendar_health
from app.deadlines.calendar_seed import count_days
from app.deadlines.calendar_seed import cross_check
from app.deadlines.calendar_seed import generate_year
from app.deadlines.calendar_seed import seed_calendar
from app.deadlines.policies import seed_default_policies
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import utcnow
from models.deadline import WorkCalendarDay

calendar_group = AppGroup("calendar", help="Work calendar: seed it, check it, add a year.")
SHOWN_DISAGREEMENTS = 20


@calendar_group.command("seed")
@click.option("--from-year", default=2004, show_default=True, help="First year to fill.")
@click.option("--to-year", default=2026, show_default=True, help="Last year to fill.")
@click.option("--if-empty", is_flag=True, help="Only seed when the calendar table is empty.")
def seed_command(from_year: int, to_year: int, if_empty: bool) -> None:
    """Fill the years from the chinesecalendar package (idempotent; administrators' days are kept)."""
    if from_year > to_year:
        raise click.UsageError("--from-year must not be after --to-year.")
    if if_empty and db.session.query(WorkCalendarDay.day).first() is not None:
        click.echo("The work calendar already has data; not seeded.")
        return
    result = seed_calendar(range(from_year, to_year + 1))
    db.session.commit()
    click.echo(
        f"Work calendar {from_year}-{to_year}: {result['created']} days created, {result['updated']} updated, "
        f"{result['kept_admin']} entered by administrators kept."
    )
    if result["unsupported"]:
        years = ", ".join(str(year) for year in result["unsupported"])
        click.echo(
            f"chinesecalendar has no data for {years}: enter them in the panel or run add-year.", err=True
        )


@calendar_group.command("check")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Check as if today were this day (default: today in Asia/Shanghai).",
)
def check_command(today) -> None:
    """Report missing days and disagreements with holidays.CN; exit 1 when a needed year is incomplete."""
    day: date = today.date() if today else local_day(utcnow())
    years = [day.year, day.year + 1]
    for year in years:
        click.echo(f"{year}: {count_days(year)} days in the table.")
    checked = [year for year in years if count_days(year)]
    disagreements = cross_check(checked)
    click.echo(
        f"Cross-check with holidays.CN ({', '.join(map(str, checked)) or '-'}): {len(disagreements)} disagree."
    )
    for item in disagreements[:SHOWN_DISAGREEMENTS]:
        table = "working" if item["table"] else "rest"
        other = "working" if item["holidays"] else "rest"
        click.echo(f"  {item['day'].isoformat()}: table {table} ({item['source']}), holidays.CN {other}")
    if len(disagreements) > SHOWN_DISAGREEMENTS:
        click.echo(f"  ... and {len(disagreements) - SHOWN_DISAGREEMENTS} more")
    health = calendar_health(day)
    if health is None:
        click.echo("Work calendar OK.")
        return
    click.echo(health["message"], err=True)
    raise SystemExit(1)


@calendar_group.command("add-year")
@click.argument("year", type=click.IntRange(1900, 2200))
def add_year_command(year: int) -> None:
    """Add weekly defaults (Mon-Fri working) for the days of YEAR not yet in the table."""
    created = generate_year(year)
    db.session.commit()
    click.echo(f"{year}: {created} days added with weekly defaults; edit holidays in the panel.")


@click.command("seed-policies")
@with_appcontext
def seed_policies_command() -> None:
    """Add the default deadline policy sets that are missing (idempotent)."""
    added = seed_default_policies()
    db.session.commit()
    click.echo(f"Deadline policies added: {added}")
